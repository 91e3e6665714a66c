"""One published version of the red/black lists (红黑榜) as a report: every format (xlsx, CSV, PDF) reads it as a
``services.Report``, like the other kinds.

Who: every role that may open the lists pages (``redblack.views.lists``: ``role_required()``, any role). The lists
are announced to every county, so the pages are not scoped by county and neither is this export: a clerk or a
county's leader exports any county's lines, as the page shows them (``?county=`` narrows the lines to one county,
it is not a permission). Anonymous users are sent to the login page by the view; a user without a role gets 403.

What: the version's lines as the version page lists them — the red list, then the black list, each in published
order (``position``) — with the stored reason, the same text the page shows. 序号 is a line's place in its whole
list (1, 2, …), the same with or without a county filter. The cover states the period, the version, the data year,
who published it and when, and for a correction the version it corrects and why. A published version never
changes, so its data version is the version itself.

Size: a national list has two hundred thousand lines. The lines are read in chunks through an iterator (the CSV
streams them, the xlsx writes them in write-only mode); the PDF is refused above ``REPORTS_REDBLACK_PDF_MAX_LINES``
lines (WeasyPrint took about 2.5 s a page, docs/reports.md): filter by county, or take the xlsx or the CSV.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, NamedTuple

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.choices import PREFECTURE
from indicators.models import Indicator
from indicators.templatetags.catalogue import ind_name
from places.models import County
from redblack.choices import ListKind
from redblack.models import Publication
from reports.scope import REDBLACK, Scope, ScopeError
from reports.services import CHUNK, Column, Report, Table

COLUMNS = [
    Column("list", gettext_lazy("榜单"), width=8, source="list_code", choices=ListKind),
    Column("number", gettext_lazy("序号"), "year", 8),
    Column("county", gettext_lazy("县市代码"), width=11), Column("county_name", gettext_lazy("县市"), width=14),
    Column("indicator", gettext_lazy("指标代码"), width=12), Column("indicator_name", gettext_lazy("指标"), width=36),
    Column("rule", gettext_lazy("规则"), width=20), Column("reason", gettext_lazy("理由"), width=90),
]
KINDS = (ListKind.RED.value, ListKind.BLACK.value)  # the page's order: the red list, then the black list
TIME = "%Y-%m-%d %H:%M:%S"
MAX_ID = 2 ** 63 - 1


def pdf_max_lines() -> int:
    return int(getattr(settings, "REPORTS_REDBLACK_PDF_MAX_LINES", 2000))


class ListLine(NamedTuple):
    list_code: str  # red or black
    number: int  # 序号: the line's place in its list
    county: str
    county_name: str
    indicator: str  # empty for a line about the county as a whole
    indicator_name: str
    rule: str  # the rule's code (the cover names each rule)
    reason: str  # as stored: the text the page shows

    @property
    def list(self) -> str:
        return str(ListKind(self.list_code).label)

    @property
    def plan(self) -> str:  # one xlsx sheet and one PDF section per list
        return self.list_code

    @property
    def kind(self) -> str:  # no number column to format by indicator kind
        return ""


@dataclass
class ListsReport(Report):
    """A ``Report`` whose cover states the published version (all formats call ``cover``)."""

    publication: Publication | None = None
    counts: dict | None = None  # list code → lines in the scope
    latest_version: int = 0

    def cover(self) -> list[tuple[str, str]]:
        pub = self.publication
        facts = [(_("报表"), self.title), (_("范围"), self.scope_text), (_("期次"), pub.period),
                 (_("版本"), _("第%(n)s版") % {"n": pub.version}), (_("数据年度"), str(pub.year)),
                 (_("发布时间"), timezone.localtime(pub.published_at).strftime(TIME)),
                 (_("发布人"), pub.published_by.username)]
        if pub.corrects_id is not None:
            facts.append((_("更正"), _("更正第%(n)s版：%(reason)s") % {"n": pub.corrects.version,
                                                                    "reason": pub.reason}))
        if self.latest_version > pub.version:
            facts.append((_("状态"), _("此版本已被第%(n)s版更正，仅供查阅。") % {"n": self.latest_version}))
        facts += [(str(ListKind(kind).label), _("%(n)s 条") % {"n": self.counts.get(kind, 0)}) for kind in KINDS]
        facts += [(_("数据版本"), self.data_version),
                  (_("生成时间"), timezone.localtime(self.generated_at).strftime(TIME))]
        return facts

    def file_parts(self) -> list[str]:
        """The file's name: kind, period, version, county (``formats.filename``)."""
        return [REDBLACK, self.publication.period, f"v{self.publication.version}", self.scope.county]


# ----------------------------------------------------------------------------------------------- scope --


def _publication_id(data: Mapping) -> int:
    raw = (data.get("publication") or "").strip()
    if not raw:
        raise ScopeError(_("请用 publication 指定要导出的红黑榜版本（发布编号）。"))
    if not (raw.isascii() and raw.isdigit()):
        raise ScopeError(_("publication 必须是红黑榜发布编号（正整数），例如 12。"))
    pk = int(raw)
    if not 1 <= pk <= MAX_ID or not Publication.objects.filter(pk=pk).exists():
        raise ScopeError(_("没有编号为 %(id)s 的红黑榜版本。") % {"id": raw}, 404)
    return pk


def resolve(data: Mapping) -> Scope:
    """The version (``publication``: its id, required — the API's ``version`` is a version number within a
    period, hence another name here) and the county (``county``, optional: every
    county when absent or ``prefecture``), or ScopeError: 400 for a missing or malformed version or an unknown
    county, 404 for a version that does not exist. No county check: the lists are public to every role."""
    pk = _publication_id(data)
    code = (data.get("county") or "").strip() or PREFECTURE
    if code != PREFECTURE and not County.objects.filter(code=code).exists():
        raise ScopeError(_("未知的县市代码：%(code)s。") % {"code": code})
    return Scope(REDBLACK, code, publication=pk)


def check_size(scope: Scope, fmt: str) -> None:
    """A PDF of more than ``REPORTS_REDBLACK_PDF_MAX_LINES`` lines is refused (400) before anything is built."""
    if fmt != "pdf":
        return
    count = _entries(Publication.objects.get(pk=scope.publication), _county(scope)).count()
    if count > pdf_max_lines():
        raise ScopeError(_("该范围共 %(n)s 条，PDF 最多 %(max)s 条：请按县市筛选，或导出 Excel 或 CSV。") % {
            "n": count, "max": pdf_max_lines()})


def _county(scope: Scope) -> County | None:
    return None if scope.whole_prefecture else County.objects.get(code=scope.county)


def _entries(publication: Publication, county: County | None, kind: str | None = None):
    qs = publication.entries.all()
    if kind is not None:
        qs = qs.filter(list=kind)
    return qs if county is None else qs.filter(county=county)


# ----------------------------------------------------------------------------------------------- lines --


def _numbering(publication: Publication, kind: str, county: County | None) -> Callable[[int, int], int]:
    """序号 of a line from its position and its place among the lines read: its place in the whole list. Read
    whole, that is the place itself; with a county filter, the position counted from the list's first (the
    positions of a list follow each other: one query), or, were they not to, looked up among the list's."""
    if county is None:
        return lambda position, n: n
    span = _entries(publication, None, kind).aggregate(low=Min("position"), high=Max("position"), n=Count("id"))
    if not span["n"] or span["high"] - span["low"] + 1 == span["n"]:
        low = span["low"] or 0
        return lambda position, n: position - low + 1
    places = {p: i for i, p in enumerate(_entries(publication, None, kind).order_by("position")
                                          .values_list("position", flat=True).iterator(chunk_size=CHUNK), 1)}
    return lambda position, n: places[position]


def lines(publication: Publication, county: County | None) -> Iterator[ListLine]:
    """The lines of the version (of one county's lines only), red list first, each in published order; read in
    chunks, so memory does not grow with the list. Each indicator's name is looked up once."""
    catalogue = {pk: (code, name) for pk, code, name in _indicators()}
    for kind in KINDS:
        number = _numbering(publication, kind, county)
        rows = (_entries(publication, county, kind).order_by("position")
                .values_list("position", "county__code", "county__name", "indicator_id", "rule", "reason")
                .iterator(chunk_size=CHUNK))
        for n, (position, code, name, ind_id, rule, reason) in enumerate(rows, 1):
            ind_code, ind_label = catalogue.get(ind_id, ("", "")) if ind_id is not None else ("", "")
            yield ListLine(kind, number(position, n), code, name, ind_code, ind_label, rule, reason)


def _indicators() -> Iterator[tuple[int, str, str]]:
    for ind in Indicator.objects.all():
        yield ind.pk, ind.code, ind_name(ind)


def _rules_table(publication: Publication, county: County | None) -> Table:
    """The rules the version applied (as recorded when it was published) with their lines in the scope."""
    found = dict(((kind, rule), n) for kind, rule, n in _entries(publication, county).order_by()
                 .values_list("list", "rule").annotate(n=Count("id")))
    header = [str(_("榜单")), str(_("规则代码")), str(_("规则名称")), str(_("条数"))]
    rows, seen = [], set()
    for rule in sorted(publication.rules or [], key=lambda r: KINDS.index(r.get("list")) if r.get("list") in KINDS else 2):
        key = (rule.get("list", ""), rule.get("code", ""))
        seen.add(key)
        rows.append([_label(key[0]), key[1], rule.get("name", ""), found.get(key, 0)])
    rows += [[_label(kind), rule, "", n] for (kind, rule), n in sorted(found.items()) if (kind, rule) not in seen]
    return Table(str(_("各规则条数")), header, rows)


def _label(kind: str) -> str:
    return str(ListKind(kind).label) if kind in ListKind.values else kind


def build(user, scope: Scope, *, stream: bool = False) -> ListsReport:
    """The report of ``scope`` (``resolve``). ``stream``: the lines as an iterator (CSV, xlsx). ``user`` is not
    read: every role reads the same lists."""
    publication = Publication.objects.select_related("published_by", "corrects").get(pk=scope.publication)
    county = _county(scope)
    counts = dict(_entries(publication, county).order_by().values_list("list").annotate(n=Count("id")))
    found = lines(publication, county)
    version = _("第%(n)s版") % {"n": publication.version}
    where = county.name if county is not None else _("全部县市")
    latest = Publication.objects.filter(period=publication.period).aggregate(v=Max("version"))["v"]
    return ListsReport(
        scope, str(_("红黑榜")), f"{version} · {where}", COLUMNS, found if stream else list(found),
        [(kind, str(ListKind(kind).label)) for kind in KINDS], timezone.now(),
        f"P{publication.pk}-{publication.period}-v{publication.version}", publication.period,
        [_rules_table(publication, county)], publication=publication, counts=counts, latest_version=latest or 0)
