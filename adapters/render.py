"""Rendering a bulletin context to HTML (Jinja2) and PDF (WeasyPrint), offline and deterministic."""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2

from report_templates import TEMPLATE_DIR
from report_templates.filters import FILTERS


class RefusedURL(ValueError):
    pass


class MissingFont(RuntimeError):
    """No font on this machine covers Chinese: the PDFs would show empty boxes instead of text."""


def use_font_folder(folder: Path) -> Path:
    """Let WeasyPrint (fontconfig) find the office's own fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, …)
    in `folder` besides the system's: a fonts.conf in the state folder that includes the system's and adds
    the folder, named by FONTCONFIG_FILE for this process and the renderers it starts. The templates name
    the office's faces first, so what is there is used; the rest fall back to the free faces."""
    from core.runtime import state_dir

    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"设置中的字体文件夹 {folder} 不存在，请检查 config/office.yaml 的 fonts 一项")
    conf = state_dir() / "fontconfig" / "fonts.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    from xml.sax.saxutils import escape

    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{escape(str(folder))}</dir>\n"
        f"  <cachedir>{escape(str(conf.parent / 'cache'))}</cachedir>\n</fontconfig>\n"
    )
    if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
        tmp = conf.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(conf)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    check_cjk_font.cache_clear()
    return conf


@functools.cache
def check_cjk_font() -> str:
    """The family of a font fontconfig offers for Chinese (what WeasyPrint will use), or MissingFont.
    Asked once per process, before a run writes anything."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise MissingFont("找不到 fontconfig（fc-list），无法确认中文字体；请安装 fontconfig 和 fonts-noto-cjk 后重试")
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    families = sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()})
    if not families:
        raise MissingFont(
            "本机没有可用的中文字体，生成的 PDF 将无法显示中文；请安装 fonts-noto-cjk"
            "（apt-get install fonts-noto-cjk）后重试。已有的通报和历史库未作改动"
        )
    return next((f for f in families if "CJK" in f), families[0])


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(template: str, ctx: object) -> str:
    """Render a template of report_templates/ with one typed context object, `ctx`."""
    return _environment().get_template(template).render(ctx=ctx)


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetsOnlyFetcher(URLFetcher):
        """Only data: URLs and files under report_templates/ may be loaded: the bulletin must never
        embed a local file or reach the network, whatever the HTML says."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols=("data", "file"))
            self.root = os.path.realpath(root)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise RefusedURL(f"refused to fetch {url}")
            path = os.path.realpath(url2pathname(unquote(parts.path)))
            if os.path.commonpath([path, self.root]) != self.root or not os.path.isfile(path):
                raise RefusedURL(f"refused to fetch {url}")
            return URLFetcherResponse(url=Path(path).as_uri(), body=Path(path).read_bytes())

    return AssetsOnlyFetcher(TEMPLATE_DIR)


# WeasyPrint does not promise thread safety (Pango and fontconfig state): one render at a time per
# process. Parallel rendering uses processes (a process pool or Dask workers), each with its own lock.
_RENDER_LOCK = threading.Lock()


# The documents carry their stylesheet in one <style> element (the HTML twin is a single file). WeasyPrint
# would parse it again for every page set: 2,844 feedback sheets share one stylesheet, so it is parsed
# once per process and handed over already parsed, and the document is laid out without its copy.
PDF_VARIANT = "pdf/a-3b"
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


@functools.lru_cache(maxsize=8)
def _stylesheet(text: str):
    from weasyprint import CSS

    return CSS(string=text, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_fetcher())


def layout_document(html: str):
    """The HTML laid out by WeasyPrint as the PDF will be (a weasyprint Document: its pages' boxes)."""
    from weasyprint import HTML

    styles = _STYLE.findall(html)
    sheets = []
    if len(styles) == 1:  # the document's own stylesheet, parsed once (the cascade is the same)
        sheets = [_stylesheet(styles[0])]
        html = _STYLE.sub("", html, count=1)
    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_fetcher())
    return document.render(stylesheets=sheets, pdf_variant=PDF_VARIANT)


def write_pdf(document) -> bytes:
    """PDF bytes of a laid-out document, fonts embedded (subset by HarfBuzz: byte-identical runs)."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(html: str) -> bytes:
    """PDF bytes of the HTML."""
    with _RENDER_LOCK:
        return write_pdf(layout_document(html))
