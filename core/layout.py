"""The layout of a county return, shared by the template writer and ingest. Header names are how
ingest finds columns: never by position."""

DATA_SHEET = "填报表"
META_SHEET = "填报信息"
GUIDE_SHEET = "填报说明"
# Header cells: ingest finds columns by these names, never by position.
COL_SEQ = "序号"
COL_ID = "指标编号"
COL_KIND = "类别"
COL_TASK = "所属任务"
COL_NAME = "指标或任务名称"
COL_UNIT = "单位"
COL_RULE = "要求"
COL_FREQ = "频次"
COL_LAST = "上年同期值"
COL_VALUE = "填报值"
COL_STATUS = "完成情况"
COL_NOTE = "备注"
HEADERS = (
    COL_SEQ,
    COL_ID,
    COL_KIND,
    COL_TASK,
    COL_NAME,
    COL_UNIT,
    COL_RULE,
    COL_FREQ,
    COL_LAST,
    COL_VALUE,
    COL_STATUS,
    COL_NOTE,
)
WIDTHS = (6, 10, 12, 9, 48, 9, 30, 6, 11, 14, 11, 24)
EDITABLE = (COL_VALUE, COL_STATUS, COL_NOTE)  # the only unlocked columns of a data row
META_COUNTY = "县（市）"
META_CODE = "行政区划代码"
META_QUARTER = "季度"
META_VERSION = "目录版本"
HEADER_ROW = 3
