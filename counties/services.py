"""The figure workflow (DESIGN §3): save a draft, submit, approve, return, reopen.

Every path — entry form, review queue, spreadsheet upload, API — goes through these functions, so the
rules (who may do what, validation, versions, locking) hold everywhere. Each change is recorded by
django-simple-history with the acting user and a reason; an approval or reopening is announced
(``counties.signals.approved_figures_changed``) once the transaction commits, and the apps above react (assessment
recomputes progress) — counties calls none of them.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from counties.choices import FigureStatus
from counties.errors import FigureError, Invalid, Locked, NotAllowed, Stale, WrongState
from places.models import County
from counties.models import CountyReopening, Figure, ReportingYear
from counties.reporting import CatalogueEntry
from counties.signals import approved_figures_changed, figure_returned
from counties.validation import IndicatorRule, Problem, check_text, check_values, plausibility
from indicators.models import Indicator
from liangshan_edu.roles import can_review, is_clerk_of
from indicators.choices import Kind

EDITABLE = (FigureStatus.DRAFT, FigureStatus.RETURNED)


def indicator_rule(indicator: Indicator) -> IndicatorRule:
    return IndicatorRule(code=indicator.code, kind=indicator.kind, unit=indicator.unit.code,
                         may_exceed_100=indicator.may_exceed_100)


def year_is_open(year: int, county: County | None) -> bool:
    """False when an official has locked the year and not reopened it for this county."""
    ry = ReportingYear.objects.filter(year=year).first()
    if ry is None or not ry.locked:
        return True
    return county is not None and CountyReopening.objects.filter(
        reporting_year=ry, county=county, active=True).exists()


def check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise Invalid(_("年度%(year)s无效：只能填报%(first)s—%(last)s年的数据。") % {
            "year": year, "first": 2000, "last": this_year})


def recorded(message: str) -> str:
    """A history reason, always in Chinese whatever the acting user's language, so the audit trail is uniform.

    Wrap the message in ``gettext_noop`` at the call site so it stays in the catalogue for display.
    """
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(_(message))


def _record(figure: Figure, user, reason: str) -> None:
    figure._history_user = user
    figure._change_reason = reason[:100]


@dataclass
class SaveResult:
    figure: Figure
    created: bool
    changed: bool
    warnings: list[Problem] = field(default_factory=list)


def _needs_plausibility(figure: Figure) -> bool:
    return figure.value is not None and figure.county_id is not None and figure.indicator.kind != Kind.MILESTONE


def _plausibility_of(figure: Figure, last: Decimal | None, others: list[Decimal]) -> list[Problem]:
    return plausibility(figure.value, last, others, max_change_share=settings.PLAUSIBILITY_MAX_CHANGE_SHARE,
                        outlier_z=settings.PLAUSIBILITY_OUTLIER_Z, unit=figure.indicator.unit.code)


def warnings_for(figure: Figure) -> list[Problem]:
    """Plausibility warnings for a figure against last year's approved value and the other counties."""
    if not _needs_plausibility(figure):
        return []
    last = (Figure.objects.filter(county_id=figure.county_id, indicator_id=figure.indicator_id,
                                  year=figure.year - 1, status=FigureStatus.APPROVED)
            .values_list("value", flat=True).first())
    others = list(Figure.objects.filter(indicator_id=figure.indicator_id, year=figure.year, value__isnull=False,
                                        county__isnull=False,  # the counties, not the prefecture's own figure
                                        status__in=[FigureStatus.SUBMITTED, FigureStatus.APPROVED])
                  .exclude(county_id=figure.county_id).values_list("value", flat=True))
    return _plausibility_of(figure, last, others)


def warnings_for_many(figures: Iterable[Figure]) -> dict[int, list[Problem]]:
    """``warnings_for`` of many figures in two queries (for pages listing many figures), by figure id.

    The figures' indicators (with their units) should already be loaded.
    """
    figures = [f for f in figures if _needs_plausibility(f)]
    if not figures:
        return {}
    indicator_ids = {f.indicator_id for f in figures}
    county_ids = {f.county_id for f in figures}
    years = {f.year for f in figures}
    last = {(c, i, y): v for c, i, y, v in Figure.objects.filter(
        county_id__in=county_ids, indicator_id__in=indicator_ids, year__in={y - 1 for y in years},
        status=FigureStatus.APPROVED).values_list("county_id", "indicator_id", "year", "value")}
    reported: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    for c, i, y, v in Figure.objects.filter(
            indicator_id__in=indicator_ids, year__in=years, value__isnull=False, county__isnull=False,
            status__in=[FigureStatus.SUBMITTED, FigureStatus.APPROVED]).values_list(
            "county_id", "indicator_id", "year", "value"):
        reported.setdefault((i, y), []).append((c, v))
    out = {}
    for f in figures:
        others = [v for c, v in reported.get((f.indicator_id, f.year), []) if c != f.county_id]
        out[f.pk] = _plausibility_of(f, last.get((f.county_id, f.indicator_id, f.year - 1)), others)
    return out


def is_stale(user, figure: Figure, based_on: int | None) -> bool:
    """The staleness rule — one for the entry form, the API, the upload and the transitions.

    An edit (or a submit, approve, return) that started from version ``based_on`` of a figure is stale when
    **someone other than** ``user`` changed the figure after that version; it is refused, never merged. The
    user's own later changes do not make it stale: a clerk who uploads a file, corrects it and uploads it again,
    or saves the same page twice, is not stopped by their own work. ``based_on`` 0 means "I saw no figure";
    None means the caller does not check (a CSV without the version column). A version the figure never had is
    stale.
    """
    if based_on is None or based_on == figure.version:
        return False
    if based_on > figure.version or figure.pk is None:
        return True
    return figure.history.filter(version__gt=based_on).exclude(history_user_id=getattr(user, "pk", None)).exists()


def indicator_refusal(indicator: Indicator) -> Problem | None:
    """Why no county may enter a figure of this indicator (retired, or reported by the prefecture), or None."""
    if indicator.retired:
        return Problem("code", _("指标%(code)s已停用。") % {"code": indicator.code}, "retired")
    if indicator.prefecture_only:
        return Problem("code", _("指标%(code)s由州级填报，县（市）不填。") % {"code": indicator.code}, "prefecture_only")
    return None


def scope_refusal(county: County, indicator: Indicator, year: int) -> Problem | None:
    """Why the county may not enter this indicator in ``year``: a condition on a county attribute excludes it
    (CMP-20 "30万人口以上的县（市）" where the population recorded is lower), or None. The predicate is the entry
    form's and completeness' (``reporting.CatalogueEntry.applies_to``); a condition not yet decidable
    (attribute not recorded) does not refuse — the county is asked, the indicator marked 待确定. Only indicators
    with a conditional target are checked here (no query for the others beyond their targets).
    """
    specs = [t.spec() for t in indicator.targets.all()]
    conditions = [s.condition for s in specs if s.condition is not None]
    if not conditions:
        return None
    entry = CatalogueEntry(indicator, specs)
    # Refused only when the condition is the reason (not, say, a year after the plan's cycle).
    if entry.applies_to(county, year) or not entry.applies_to(county, year, by_condition=False):
        return None
    return Problem("code", _("指标%(code)s只适用于%(condition)s，%(year)s年不包括本县（市），无需填报。") % {
        "code": indicator.code, "condition": "、".join(dict.fromkeys(c.text for c in conditions)), "year": year},
        "out_of_scope")


def check_draft(user, county: County, indicator: Indicator, year: int, figure: Figure | None, *,
                expected_version: int | None, year_open: bool | None = None) -> list[Problem]:
    """Everything that stops a draft being saved, except its values (``validation.check_values``), without
    saving: the clerk's county, the indicator (retired, prefecture-only, a condition excluding the county:
    ``scope_refusal``), the year (valid, not locked), the
    version (``is_stale``) and the figure's state. ``save_draft`` raises the first problem; the upload checks
    every row with it before saving any. ``figure`` is the stored figure or None; ``year_open`` may be passed
    when already known (``year_is_open``), to save a query per row.
    """
    if not is_clerk_of(user, county):
        return [Problem("county", _("只能填报本县（市）的数据。"), "not_allowed")]
    refused = indicator_refusal(indicator) or scope_refusal(county, indicator, year)
    if refused:
        return [refused]
    try:
        check_year(year)
    except Invalid as exc:
        return [Problem("year", exc.message, "invalid_year")]
    if not (year_open if year_open is not None else year_is_open(year, county)):
        return [Problem("year", _("%(year)s年度已锁定，如需修改请联系州级管理员重新开放。") % {"year": year}, "locked")]
    if figure is not None and is_stale(user, figure, expected_version):
        return [Problem("version", Stale(figure).message, "stale")]
    if figure is not None and figure.status not in EDITABLE:
        return [Problem("status", _("该数据状态为“%(status)s”，不能修改；如需更正，请联系州级管理员退回。") % {
            "status": figure.get_status_display()}, "wrong_state")]
    return []


_REFUSALS = {"not_allowed": NotAllowed, "locked": Locked, "wrong_state": WrongState}


def _refusal(problem: Problem, figure: Figure | None) -> FigureError:
    """The workflow error a problem of ``check_draft`` raises (its HTTP status follows: 403, 409, 400)."""
    if problem.code == "stale":
        return Stale(figure)
    return _REFUSALS.get(problem.code, Invalid)(problem.message, [problem])


@transaction.atomic
def save_draft(user, county: County, indicator: Indicator, year: int, *, value=None, numerator=None,
               denominator=None, done_on: date | None = None, evidence: str | None = None, note: str | None = None,
               expected_version: int | None = None, reason: str = "", must_be_new: bool = False) -> SaveResult:
    """Create or update a county's figure as a draft (or keep it returned). Refuses stale versions.

    The workflow rules are ``check_draft``'s; ``expected_version`` is the version the user's edit started from
    (0 for "I saw no figure"), judged by ``is_stale``. ``must_be_new`` (the API's create) refuses a figure that
    exists, whoever made it, with the current one (409). Unchanged values make no new version.
    """
    figure = Figure.objects.select_for_update().filter(county=county, indicator=indicator, year=year).first()
    problems = check_draft(user, county, indicator, year, figure, expected_version=expected_version)
    if problems:
        raise _refusal(problems[0], figure)
    if must_be_new and figure is not None:
        raise Stale(figure)
    created = figure is None
    if created:
        figure = Figure(county=county, indicator=indicator, year=year, version=0)
    checked = check_values(indicator_rule(indicator), value=value, numerator=numerator, denominator=denominator,
                           done_on=done_on, year=year)
    problems = checked.problems + [p for p in (check_text("evidence", evidence), check_text("note", note)) if p]
    if problems:
        raise Invalid("；".join(p.message for p in problems), problems)
    new = {"value": checked.value, "numerator": checked.numerator, "denominator": checked.denominator,
           # A completion date belongs to a done milestone only.
           "done_on": done_on if indicator.kind == Kind.MILESTONE and checked.value == 1 else None}
    if evidence is not None:
        new["evidence"] = evidence
    if note is not None:
        new["note"] = note
    changed = created or any(getattr(figure, k) != v for k, v in new.items())
    if changed:
        for k, v in new.items():
            setattr(figure, k, v)
        figure.version += 1
        figure.is_demo = False
        _record(figure, user, reason or recorded(N_("新建") if created else N_("修改")))
        figure.save()
    return SaveResult(figure, created, changed, warnings_for(figure))


def _transition_guard(user, figure: Figure, expected_version: int | None) -> None:
    if is_stale(user, figure, expected_version):
        raise Stale(figure)


@transaction.atomic
def submit(user, figure: Figure, *, expected_version: int | None = None) -> Figure:
    """A clerk submits a complete figure for review; a plausibility warning needs a note first."""
    # of=self: lock only the figure; PostgreSQL refuses FOR UPDATE on the nullable side of the county join.
    figure = (Figure.objects.select_for_update(of=("self",)).select_related("indicator__unit", "county")
              .get(pk=figure.pk))
    if not is_clerk_of(user, figure.county_id):
        raise NotAllowed(_("只能提交本县（市）的数据。"))
    _transition_guard(user, figure, expected_version)
    if figure.status not in EDITABLE:
        raise WrongState(_("只有草稿或被退回的数据可以提交（当前：%(status)s）。") % {"status": figure.get_status_display()})
    if not year_is_open(figure.year, figure.county):
        raise Locked(_("%(year)s年度已锁定。") % {"year": figure.year})
    if figure.value is None:
        raise Invalid(_("%(code)s尚未填写，不能提交。") % {"code": figure.indicator.code})
    warnings = warnings_for(figure)
    if warnings and not figure.note.strip():
        raise Invalid(_("%(code)s：%(w)s 提交前请在备注中说明。") % {
            "code": figure.indicator.code, "w": "；".join(w.message for w in warnings)}, warnings)
    figure.status = FigureStatus.SUBMITTED
    figure.submitted_at = timezone.now()
    figure.version += 1
    _record(figure, user, recorded(N_("提交")))
    figure.save()
    return figure


@transaction.atomic
def approve(user, figure: Figure, *, expected_version: int | None = None) -> Figure:
    """An official approves a submitted figure; it is announced once the approval commits (progress follows)."""
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以审核。"))
    figure = Figure.objects.select_for_update().get(pk=figure.pk)
    _transition_guard(user, figure, expected_version)
    if figure.status != FigureStatus.SUBMITTED:
        raise WrongState(_("只有已提交的数据可以审核通过（当前：%(status)s）。") % {"status": figure.get_status_display()})
    figure.status = FigureStatus.APPROVED
    figure.approved_at = timezone.now()
    figure.approved_by = user
    figure.return_reason = ""
    figure.version += 1
    _record(figure, user, recorded(N_("审核通过")))
    figure.save()
    _announce_after_commit(figure)
    return figure


@transaction.atomic
def return_figure(user, figure: Figure, reason: str, *, expected_version: int | None = None) -> Figure:
    """An official returns a submitted figure to the county with a reason the clerk will see."""
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以退回。"))
    if not (reason or "").strip():
        raise Invalid(_("退回时必须填写原因。"), [Problem("reason", _("退回时必须填写原因。"), "required")])
    figure = Figure.objects.select_for_update().get(pk=figure.pk)
    _transition_guard(user, figure, expected_version)
    if figure.status != FigureStatus.SUBMITTED:
        raise WrongState(_("只有已提交的数据可以退回（当前：%(status)s）。") % {"status": figure.get_status_display()})
    figure.status = FigureStatus.RETURNED
    figure.return_reason = reason.strip()
    figure.version += 1
    _record(figure, user, recorded(N_("退回：")) + reason.strip())
    figure.save()
    _announce_return(figure, reopened=False)
    return figure


@transaction.atomic
def reopen(user, figure: Figure, reason: str, *, expected_version: int | None = None) -> Figure:
    """An official reopens an approved figure for correction (it stops counting until approved again)."""
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以重新开放已审核的数据。"))
    if not (reason or "").strip():
        raise Invalid(_("重新开放时必须填写原因。"), [Problem("reason", _("重新开放时必须填写原因。"), "required")])
    figure = Figure.objects.select_for_update().get(pk=figure.pk)
    _transition_guard(user, figure, expected_version)
    if figure.status != FigureStatus.APPROVED:
        raise WrongState(_("只有已审核的数据可以重新开放。"))
    figure.status = FigureStatus.RETURNED
    figure.return_reason = reason.strip()
    figure.version += 1
    _record(figure, user, recorded(N_("重新开放：")) + reason.strip())
    figure.save()
    _announce_after_commit(figure)
    _announce_return(figure, reopened=True)
    return figure


# Set by ``quiet_approvals()``: approvals and reopenings are then not announced one by one.
_quiet: ContextVar[bool] = ContextVar("quiet_approvals", default=False)


@contextmanager
def quiet_approvals():
    """Within this block, approvals and reopenings do not announce themselves (``approved_figures_changed``).

    For bulk loads through these functions (the demo data, ``counties.demo``): thousands of approvals would each
    make the apps above recompute what one figure affects. The caller owns the consequence and must have
    everything recomputed once afterwards, as ``manage.py bootstrap --demo`` does.
    """
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _announce_after_commit(figure: Figure) -> None:
    """Tell the apps above, once this transaction commits, that the approved figures changed (progress is
    recomputed by ``assessment``, which listens)."""
    if _quiet.get():
        return
    indicator_id, county_id, year = figure.indicator_id, figure.county_id, figure.year
    transaction.on_commit(lambda: approved_figures_changed.send(
        sender=Figure, indicator_id=indicator_id, county_id=county_id, year=year))


def _announce_return(figure: Figure, *, reopened: bool) -> None:
    """Tell the apps above, once this transaction commits, that a figure went back to its county."""
    if figure.county_id is None:
        return
    kwargs = {"figure_id": figure.pk, "county_id": figure.county_id, "indicator_id": figure.indicator_id,
              "year": figure.year, "reason": figure.return_reason, "reopened": reopened}
    transaction.on_commit(lambda: figure_returned.send(sender=Figure, **kwargs))


@dataclass
class BulkResult:
    done: list[Figure] = field(default_factory=list)
    refused: list[tuple[Figure, str]] = field(default_factory=list)
    # The error behind each refusal, in the same order (the API answers with its status and problems).
    errors: list = field(default_factory=list)


def bulk(action, user, figures: Iterable[Figure], *, expected_versions: Mapping[int, int] | None = None,
         **kwargs) -> BulkResult:
    """Apply one transition to many figures; each succeeds or is refused with its own reason.

    ``expected_versions`` (figure id → the version the user saw) makes each transition refuse a figure that
    changed since the page was loaded, as a single transition with ``expected_version`` does.
    """
    from counties.errors import FigureError

    result = BulkResult()
    for figure in figures:
        extra = {}
        if expected_versions is not None and figure.pk in expected_versions:
            extra["expected_version"] = expected_versions[figure.pk]
        try:
            result.done.append(action(user, figure, **kwargs, **extra))
        except FigureError as exc:
            result.refused.append((figure, exc.message))
            result.errors.append(exc)
    return result


def lock_year(user, year: int, *, deadline: date | None = None) -> ReportingYear:
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以锁定年度。"))
    ry, _created = ReportingYear.objects.get_or_create(year=year)
    ry.locked, ry.locked_at, ry.locked_by = True, timezone.now(), user
    # Locking (again) ends every earlier reopening: a county is open only if reopened after this lock.
    for reopening in ry.reopenings.filter(active=True):
        reopening.active = False
        reopening._history_user = user
        reopening.save()
    if deadline:
        ry.deadline = deadline
    ry._history_user = user
    ry.save()
    return ry


def unlock_year(user, year: int) -> ReportingYear:
    """An official unlocks a locked year for every county (recorded in the year's history)."""
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以解除锁定。"))
    ry, _created = ReportingYear.objects.get_or_create(year=year)
    ry.locked, ry.locked_at, ry.locked_by = False, None, None
    ry._history_user = user
    ry.save()
    return ry


def reopen_year_for_county(user, year: int, county: County, reason: str) -> CountyReopening:
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以重新开放。"))
    if not (reason or "").strip():
        raise Invalid(_("重新开放时必须填写原因。"), [Problem("reason", _("重新开放时必须填写原因。"), "required")])
    ry = ReportingYear.objects.filter(year=year, locked=True).first()
    if ry is None:
        raise WrongState(_("%(year)s年度未锁定，无需重新开放。") % {"year": year})
    reopening = CountyReopening(reporting_year=ry, county=county, reason=reason.strip(), created_by=user)
    reopening._history_user = user
    reopening.save()
    return reopening


def close_year_for_county(user, year: int, county: County) -> int:
    """An official ends the reopenings of a locked year for one county; returns how many were active."""
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以结束重新开放。"))
    closed = 0
    for reopening in CountyReopening.objects.filter(reporting_year__year=year, county=county, active=True):
        reopening.active = False
        reopening._history_user = user
        reopening.save()
        closed += 1
    return closed


def set_deadline(user, year: int, deadline: date) -> ReportingYear:
    if not can_review(user):
        raise NotAllowed(_("只有州级管理员可以设置截止日期。"))
    ry, _created = ReportingYear.objects.get_or_create(year=year)
    ry.deadline = deadline
    ry._history_user = user
    ry.save()
    return ry


def approved_value(county: County, indicator: Indicator, year: int) -> Decimal | None:
    return (Figure.objects.filter(county=county, indicator=indicator, year=year, status=FigureStatus.APPROVED)
            .values_list("value", flat=True).first())
