"""The report of an upload: every problem by sheet, row and cell, what changed, the warnings, the HTTP status."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from places.models import County


@dataclass
class CellError:
    """One problem: where (sheet, Excel row, column header, cell) and what, in Chinese."""

    row: int | None
    column: str
    message: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    indicator: str = ""
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell,
                "field": self.field, "indicator": self.indicator, "code": self.code, "message": self.message}


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Change:
    sheet: str
    row: int
    indicator: str
    name: str
    created: bool
    fields: list[FieldChange]

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "indicator": self.indicator, "name": self.name,
                "created": self.created,
                "fields": [{"field": f.field, "column": f.label, "old": f.old, "new": f.new} for f in self.fields]}


@dataclass
class RowWarning:
    sheet: str
    row: int
    indicator: str
    message: str


# Error codes that mean "not yours" (403) and "the figure or year is not open for this change" (409).
FORBIDDEN_CODES = {"not_allowed", "other_county"}
CONFLICT_CODES = {"locked", "stale", "wrong_state"}


@dataclass
class UploadReport:
    filename: str
    county: County | None
    year: int | None
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    changes: list[Change] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        """The HTTP status of this outcome: 200, 403 (not yours), 409 (state/lock/stale only) or 400."""
        if not self.errors:
            return 200
        codes = {e.code for e in self.errors}
        if codes & FORBIDDEN_CODES:
            return 403
        if codes <= CONFLICT_CODES:
            return 409
        return 400

    @property
    def file_errors(self) -> list[CellError]:
        return [e for e in self.errors if e.row is None]

    @property
    def message(self) -> str:
        if self.ok:
            return _("已保存为草稿：新建%(created)s项，修改%(updated)s项，未变%(unchanged)s项。") % {
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if len(self.errors) == 1 and self.errors[0].row is None:
            return self.errors[0].message + _("未作任何修改。")
        rows = len({(e.sheet, e.row) for e in self.errors if e.row is not None})
        return _("文件中有%(rows)s行共%(n)s处错误，未作任何修改。请改正后重新上传整个文件。") % {
            "rows": rows, "n": len(self.errors)}

    def refuse(self, message: str, code: str) -> UploadReport:
        """A problem with the whole file (or the user): nothing is checked further, nothing changes."""
        self.errors.append(CellError(None, "", message, code=code))
        return self._nothing_changed()

    def _nothing_changed(self) -> UploadReport:
        self.created = self.updated = 0
        self.changes, self.warnings = [], []
        return self

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "message": self.message, "filename": self.filename,
            "county": self.county.code if self.county else None, "year": self.year,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "blank": self.blank,
            "changes": [c.as_dict() for c in self.changes],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [{"sheet": w.sheet, "row": w.row, "indicator": w.indicator, "message": w.message}
                         for w in self.warnings],
        }
