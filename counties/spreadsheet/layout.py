"""The layout of the file, both ways: its sheets, its columns and their headers, its content types."""
from __future__ import annotations

from dataclasses import dataclass

INSTRUCTIONS_SHEET = "填表说明"
META_SHEET = "_meta"
FORMAT = "liangshan-edu/figures/1"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    """A column of the template. Headers are the file format: Chinese whatever the UI language."""

    key: str
    header: str
    width: float
    input: bool = False
    hint: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("code", "指标代码", 11),
    Column("name", "指标名称", 44),
    Column("unit", "单位", 8),
    Column("kind", "类型", 9),
    Column("target", "目标", 9),
    Column("target_note", "目标说明", 30),
    Column("last_year", "上年审核值", 11),
    Column("value", "数值", 11, True, "数量、数额指标填写数值；节点任务选“是”或“否”；比率指标不填，由分子、分母计算。"),
    Column("numerator", "分子", 11, True, "仅比率指标填写：不小于0的整数（人数、个数等）。"),
    Column("denominator", "分母", 11, True, "仅比率指标填写：大于0的整数。"),
    Column("done_on", "完成日期", 12, True, "仅节点任务填写：已完成的须填写完成日期，如2024-06-30。"),
    Column("evidence", "佐证材料", 26, True, "文件名称、文号或链接。"),
    Column("note", "备注", 26, True, "与上年相比变化较大等情况请在此说明。"),
    Column("status", "当前状态", 16),
    Column("version", "版本", 6),
    Column("task", "重点工作", 34),
)
# The CSV carries its county and year on every row (a CSV has no hidden sheet).
CSV_COLUMNS: tuple[Column, ...] = COLUMNS + (Column("county", "县市代码", 9), Column("year", "年度", 6))
INPUT_KEYS = ("value", "numerator", "denominator", "done_on", "evidence", "note")
TEXT_KEYS = ("evidence", "note")
LABELS = {c.key: c.header for c in CSV_COLUMNS}
