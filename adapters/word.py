"""Editable Word twins of the bulletin (bulletin.docx) and of each county's feedback sheet, for the office
to amend in WPS or Word before it prints and seals them.

Each takes the typed context its HTML template takes and prints the same sections in the same order and
words as report_templates/bulletin.html.j2 and feedback.html.j2, numbers and dates through the same
filters (report_templates/filters.py), so the .docx and the PDF say the same thing. The page, styles and
footers follow GB/T 9704-2012 (adapters/word_format.py). Text is written as text: the XML writer escapes
whatever markup a county typed.

Charts: the context carries them as SVG, which a .docx cannot hold without a raster fallback, and no SVG
rasteriser is installed; they are left out unless the caller passes PNG images by the Charts field's
name (`charts={"trend": png, "heatmap": png}`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx.document import Document
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from adapters.word_format import (
    ANNEX,
    BLOCK_MM,
    TEXT,
    WIDE,
    clean,
    colophon,
    docx_bytes,
    new_document,
    no_wrap,
    para,
    restyle,
    table,
)
from core.zh import cn_numeral as cn_num  # the templates' cn_num and doc_date filters
from core.zh import document_date as doc_date
from report_templates.filters import (
    change,
    delta,
    em_width,
    percent,
    percent0,
    points,
    rank,
    score,
    signature_indent,
)
from transforms.documents.bulletin import BulletinContext, BulletinExtras
from transforms.documents.feedback import FeedbackContext


def bulletin_docx(ctx: BulletinContext, charts: dict[str, bytes] | None = None) -> bytes:
    """bulletin.docx: masthead, title, 主送, the sections of the bulletin, 附件说明, signature, 附注, the
    annex on its own page and the 版记 on the last, even page. `charts`: PNG images by Charts field name
    ("trend", "heatmap"); without them the figures are left out."""
    doc = new_document()
    _p(doc, ctx.issuer, "发文机关标志")
    _p(doc, ctx.doc_number, "发文字号")
    _p(doc, ctx.title, "Title")
    _p(doc, ctx.recipients, "主送机关")
    _p(
        doc,
        f"根据{ctx.source_document}的要求，州文明办对全州{ctx.counties}个县（市）{ctx.quarter_label}"
        "创建任务完成情况进行了汇总、校验和测评。现将有关情况通报如下。",
    )
    _overview(doc, ctx)
    _results(doc, ctx, charts or {})
    if ctx.extras:
        _lists_and_goals(doc, ctx.extras, ctx.all_listed)
    _problems(doc, ctx)
    if ctx.extras:
        _orders(doc, ctx, ctx.extras)
    _intake(doc, ctx)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # 7.3.5: never the signature alone on a page
    _p(doc, "附件：各县（市）得分及领域得分率", "附件说明").paragraph_format.keep_with_next = True
    _signature(doc, ctx.issuer, doc_date(ctx.issue_date))
    _p(
        doc,
        f"（总分按{ctx.catalog_version}版创建任务目录计算，各项任务的其余工作和各项定量指标共{ctx.parts}个计分部分，满分{points(ctx.total_points)}分，按可判定分值折算为百分制；"
        "年度指标在第一至第三季度沿用上年第四季度的判定；负面清单扣分另计。评分方法详见《测评细则》。）",
        "附注",
    )
    _annex(doc, ctx, charts or {})
    colophon(doc, ctx.cc, ctx.issuer, f"{doc_date(ctx.issue_date)}印发")
    return docx_bytes(doc, ctx.title, ctx.issuer, ctx.issue_date)


def feedback_docx(ctx: FeedbackContext) -> bytes:
    """counties/<县名>反馈单.docx: the county's scores and rank, its areas against the prefecture's
    average, this quarter's unmet requirements and unfinished tasks by area with their orders' deadlines,
    the earlier quarters' open orders, and the signature."""
    doc = new_document()
    title = _p(doc, ctx.county, "Title")
    title.add_run().add_break()
    title.add_run(clean(ctx.title))
    _profile(doc, ctx)
    _p(doc, "一、各领域得分率", "Heading 1")
    table(
        doc,
        ("领域", "本县（市）", "全州平均"),
        [(a.label, percent(a.rate), percent(a.average)) for a in ctx.areas],
        (60, 20, 20),
        left=(0,),
    )
    _p(doc, "二、未达标的要求和未完成的任务", "Heading 1")
    if ctx.groups:
        _p(
            doc,
            "以下事项本季度未达标或未完成，已逐项派单督办，请在整改期限内完成整改并在下季度填报时说明整改情况；"
            "标“逾期”的事项以前季度已派单，已过整改期限仍未整改。",
        )
        header = ["编号", "指标或任务", "填报情况", "要求", "判定", "整改期限"]
        widths = [10, 31, 13, 19, 11, 16]
        if ctx.noted:
            header.append("县（市）说明")
            widths = [11, 22, 11, 15, 10, 16, 15]
        rows: list[list[str]] = []
        group_rows = []
        for n, group in enumerate(ctx.groups, 1):
            group_rows.append(len(rows))
            rows.append([f"（{cn_num(n)}）{group.area}", *[""] * (len(header) - 1)])
            for issue, deadline in zip(group.issues, group.deadlines, strict=True):
                row = [issue.item_id, issue.name, issue.reported, issue.requirement, issue.outcome, deadline or "—"]
                rows.append([*row, issue.note] if ctx.noted else row)
        out = table(doc, header, rows, widths, WIDE, left=(1, 3, 6))
        for i in group_rows:  # an area's row spans the table, as in the PDF
            cells = out.rows[i + 1].cells
            restyle(cells[0].merge(cells[-1]).paragraphs[0], TEXT.left)
    else:
        _p(doc, "本季度各项指标均已达标，任务均已完成。")
    _p(doc, "三、以前季度的其他派单", "Heading 1")
    if ctx.earlier:
        _p(doc, "以下派单所涉事项本季度未再列出，但派单尚未销号，“逾期”的已过整改期限，请抓紧整改。")
        table(
            doc,
            ("派单季度", "编号", "问题", "责任单位", "整改期限", "状态"),
            [(o.issued, o.item_id, o.problem, o.responsible, o.deadline, o.status) for o in ctx.earlier],
            (12, 10, 38, 16, 14, 10),
            WIDE,
            left=(2, 3),
        )
    else:
        _p(doc, "以前季度的其他派单均已销号。")
    _signature(doc, ctx.issuer, doc_date(ctx.issue_date))
    return docx_bytes(doc, f"{ctx.county}{ctx.title}", ctx.issuer, ctx.issue_date)


def _profile(doc: Document, ctx: FeedbackContext) -> None:
    """The county's figures: label (黑体) and value pairs, two to a row; 年度目标 and 说明 across the row."""
    rows = [
        ("总分", score(ctx.total), "排名", f"{rank(ctx.rank)}／{ctx.ranked}"),
        ("较上季度", change(ctx.rank_change), "排名区间", ctx.rank_range),
        ("负面清单扣分", score(ctx.deduction), "大比武", ctx.lists),
        ("年度目标", ctx.goal, "", ""),
    ]
    if ctx.remark:
        rows.append(("说明", ctx.remark, "", ""))
    out = table(doc, None, rows, (20, 30, 20, 30))
    for row, values in zip(out.rows, rows, strict=True):
        for i in (0, 2) if values[2] else (0,):
            restyle(row.cells[i].paragraphs[0], TEXT.head)
        if not values[2]:
            restyle(row.cells[1].merge(row.cells[3]).paragraphs[0], TEXT.left)


def _p(doc: Document, text: str, style: str = "Normal") -> Paragraph:
    return para(doc, text, style)


def _note(doc: Document, text: str) -> None:
    _p(doc, text, "表注")


def _overview(doc: Document, ctx: BulletinContext) -> None:
    _p(doc, "一、总体情况", "Heading 1")
    text = f"本季度应报送{ctx.counties}个县（市），{ctx.reported}个县（市）报送的数据已采用"
    if ctx.not_reported:
        text += f"；{'、'.join(ctx.not_reported)}未按时报送"
    if ctx.refused:
        text += f"；{'、'.join(ctx.refused)}报送的文件未能读取，按未报送处理（原因见“报送和数据问题”）"
    text += f"。已报送县（市）平均得分{score(ctx.average)}分"
    extras = ctx.extras
    if extras and extras.previous_average is not None and ctx.average is not None:
        text += f"，较上季度{delta(ctx.average - extras.previous_average)}"
    text += "。"
    if ctx.ranking and ctx.ranking[0].total is not None:
        text += f"{ctx.ranking[0].county}以{score(ctx.ranking[0].total)}分位列第一。"
    if extras and (extras.improved or extras.declined):
        text += f"与上季度相比，{extras.improved}个县（市）排名上升，{extras.declined}个县（市）排名下降。"
    _p(doc, text)


def _results(doc: Document, ctx: BulletinContext, charts: dict[str, bytes]) -> None:
    _p(doc, "二、测评结果", "Heading 1")
    if ctx.podium:
        _p(doc, ctx.podium)
    extras = ctx.extras
    header = ["排名", "县（市）", "总分", "较上季度", "达标指标", "未达标指标"]
    widths: list[float] = [7, 14, 10, 10, 9, 10]
    if extras:
        header.append("排名区间")
        widths.append(10)
    if ctx.remarks:
        header.append("备注")
        widths.append(33)
    rows = []
    for r in ctx.ranking:
        row = [rank(r.rank), r.county, score(r.total), change(r.rank_change), str(r.met), str(r.unmet)]
        if extras:
            row.append(extras.rank_ranges.get(r.county, "—"))
        if ctx.remarks:
            row.append(r.remark)
        rows.append(row)
    table(doc, header, rows, widths, left=(7 if extras else 6,) if ctx.remarks else ())
    if ctx.shown_scope:
        unranked = f"；另有{ctx.unranked}个单位未排名" if ctx.unranked else ""
        _note(doc, f"{ctx.shown_scope}{unranked}。")
    note = "“达标指标”“未达标指标”为各项定量指标的判定，达标含替代达标，未达标含未填报和数据异常，不含无法判定的指标。"
    if extras:
        note += (
            f"排名区间：各领域和各项任务的权重在±{percent0(extras.spread)}范围内随机变动{extras.draws}次后，"
            "该县（市）排名的5%—95%区间，区间重叠的县（市）之间的名次差异不宜过度解读。"
        )
    _note(doc, note)
    if ctx.charts and "trend" in charts:
        quarters = cn_num(ctx.charts.trend_quarters)
        _figure(doc, charts["trend"], f"图1　近{quarters}个季度总分走势{ctx.charts.trend_scope}")


def _figure(doc: Document, png: bytes, caption: str) -> None:
    para(doc, "", "图").add_run().add_picture(io.BytesIO(png), width=Mm(BLOCK_MM))
    _p(doc, caption, "图题")


def _lists_and_goals(doc: Document, extras: BulletinExtras, all_listed: bool) -> None:
    _p(doc, "三、大比武和红黑榜", "Heading 1")
    if extras.focus_name:
        _p(doc, f"本季度大比武重点为“{extras.focus_name}”，按{extras.list_rule}。")
        red = "、".join(f"{x.county}（{percent(x.rate)}）" for x in extras.red)
        _p(doc, f"红榜：{red or '无'}。")
        black = []
        for x in extras.black:
            rate = f"{percent(x.rate)}{'，' if x.note else ''}" if x.rate is not None else ""
            black.append(f"{x.county}（{rate}{x.note}）")
        _p(doc, f"黑榜：{'、'.join(black) or '无'}。")
        text = f"对{'、'.join(x.county for x in extras.red)}予以通报表扬；" if extras.red else ""
        if extras.black:
            text += f"对{'、'.join(x.county for x in extras.black)}予以通报批评"
            if extras.escalated:
                text += f"，其中{'；'.join(extras.escalated)}"
            text += "，上黑榜的县（市）要在下季度填报前向州文明办书面说明原因和整改措施。"
        else:
            text += "本季度无县（市）上黑榜。"
        _p(doc, text)
    _p(doc, "四、年度目标进展", "Heading 1")
    if all_listed:
        table(
            doc,
            ("县（市）", "年度目标", "进展"),
            [(g.county, g.goal, g.status) for g in extras.goals],
            (16, 42, 42),
            left=(1, 2),
        )
    _p(doc, extras.creation)


def _problems(doc: Document, ctx: BulletinContext) -> None:
    _p(doc, f"{'五' if ctx.extras else '三'}、存在的主要问题", "Heading 1")
    for i, theme in enumerate(ctx.themes, 1):
        para(doc, f"（{cn_num(i)}）{theme.area}方面。", run_style="二级标题字符").add_run(clean(theme.text))
    if not ctx.themes:
        _p(doc, f"本季度没有{cn_num(ctx.common_at_least)}个以上县（市）共同未达标的指标和未完成的任务。")
    if ctx.undecidable:
        _p(
            doc,
            "以下指标本季度无法判定，不计入相应县（市）得分，所在任务按其余部分的分值折算："
            f"{'；'.join(ctx.undecidable)}。",
        )


def _orders(doc: Document, ctx: BulletinContext, extras: BulletinExtras) -> None:
    _p(doc, "六、整改要求", "Heading 1")
    _p(
        doc,
        "对本季度未达标的要求和未完成的任务，州文明办已逐项派单督办，各县（市）的未达标事项和派单明细见各自的反馈单。"
        "各县（市）要明确责任单位，在整改期限内完成整改，逾期未整改的将在下季度通报中继续列出。",
    )
    if ctx.all_listed:
        table(
            doc,
            ("县（市）", "本季度新派单", "本季度销号", "逾期未整改", "未销号合计", "整改率"),
            [
                (o.county, str(o.new), str(o.closed), str(o.overdue), str(o.open), percent(o.rate))
                for o in extras.orders
            ],
            (16, 17, 17, 17, 17, 16),
        )
    _note(doc, "整改率：整改期限已到的派单中已销号的比例；“—”表示尚无到期的派单。")
    if extras.overdue:
        _p(
            doc,
            f"逾期未整改的问题共{len(extras.overdue)}项，涉及{extras.overdue_counties}个县（市），"
            "请有关县（市）抓紧整改，逐项销号。",
        )
    due = f"，于{doc_date(extras.deadline)}前将整改情况报送州文明办" if extras.deadline else ""
    contact = f"{extras.contact}。" if extras.contact else ""
    _p(
        doc,
        f"请各县（市）对照本通报和反馈单指出的问题，逐项制定整改措施{due}；"
        f"未按时报送数据的县（市）要认真查找原因，确保按时、准确、完整报送。{contact}",
    )


def _intake(doc: Document, ctx: BulletinContext) -> None:
    _p(doc, f"{'七' if ctx.extras else '四'}、报送和数据问题", "Heading 1")
    if ctx.intake:
        _p(doc, "以下文件或数据未被采用，相关指标按“未填报”或“数据异常”计分：")
        table(
            doc,
            ("县（市）", "文件", "处理结果", "原因"),
            [(n.county, n.file, n.outcome, n.reason) for n in ctx.intake],
            (14, 20, 18, 48),
            left=(3,),
        )
        if ctx.intake_total > len(ctx.intake):
            _note(doc, f"共{ctx.intake_total}项，表中为前{len(ctx.intake)}项，全部见数据校验报告。")
    else:
        _p(doc, "本季度各县（市）均按时报送，数据均已采用。")
    if ctx.data_gaps:
        _p(doc, f"已采用的数据中，{'，'.join(ctx.data_gaps)}，均按未达标计分，请在下季度填报时补齐、更正。")


_BLOCK_PT = BLOCK_MM / 25.4 * 72
_EM_PT = 16


def _signature(doc: Document, issuer: str, day: str) -> None:
    """7.3.5.2: the date four characters in from the right, the issuer centred over it (or ending at the
    block's right edge when too long for that): both lines centred in a box of the longer one's width."""
    right = signature_indent(issuer, day) * _EM_PT
    left = max(0.0, _BLOCK_PT - right - max(em_width(issuer), em_width(day)) * _EM_PT)
    for text, style in ((issuer, "落款"), (day, "成文日期")):
        fmt = _p(doc, text, style).paragraph_format
        fmt.left_indent, fmt.right_indent = Pt(left), Pt(right)
        fmt.keep_with_next = style == "落款"  # the issuer stays over its date


def _annex(doc: Document, ctx: BulletinContext, charts: dict[str, bytes]) -> None:
    _p(doc, "附件", "附件标签")
    _p(doc, "各县（市）得分及领域得分率", "附件标题")
    areas = len(ctx.area_labels)
    header = ["排名", "县（市）", "总分", "扣分", *(cn_num(i) for i in range(1, areas + 1))]
    rows = [
        [rank(r.rank), r.county, score(r.total), score(r.deduction), *(percent(x) for x in r.area_rates)]
        for r in ctx.annex_scores
    ]
    widths: Sequence[float] = (8, 15, 12, 10, *([11.1] * areas))
    no_wrap(table(doc, header, rows, widths, ANNEX))
    if ctx.shown_scope:
        _note(doc, f"{ctx.shown_scope}。")
    _note(doc, f"表中一至十为各领域得分率：{'；'.join(ctx.area_labels)}。")
    if ctx.charts and "heatmap" in charts:
        _figure(doc, charts["heatmap"], f"图2　各县（市）各领域得分率{ctx.charts.scope}")
