"""The prefecture departments (州级部门) in the annual assessment, as the plan words it (三、结果运用（一）4.):

    “表扬州级部门。按当年州级部门履行教育职责工作目标考核细则进行考核，同时结合县（市）推进本系统工作的实绩进行捆绑评价。”

Two parts, shown side by side and never merged into one number (the plan gives no weights):

- the department's own assessment by that year's rules (履行教育职责工作目标考核细则, issued outside this system):
  an official enters its score and a reason (``DepartmentAssessment``);
- the bundled part (捆绑评价): the counties' record on the department's work, computed here — every county-level
  indicator of a task the department leads or co-operates in (its 责任单位), each county's progress that year
  scored by the default method (``Method.EXPECTED_PATH``), averaged.

The plan names no number, share or threshold of commended departments, so 通报表扬 is the official's decision,
recorded with the score. 州级部门 are the responsible units whose name begins with 州 (州教育体育局, 州财政局 …).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from assessment.choices import ProgressStatus
from assessment.models import Progress
from indicators.choices import Level
from indicators.models import Indicator, ResponsibleUnit
from liangshan_edu.roles import can_review
from scoring.choices import Method
from scoring.methods import progress_credit
from scoring.models import DepartmentAssessment

NOT_JUDGED = {ProgressStatus.NOT_DETERMINED, ProgressStatus.NOT_DUE}


def prefecture_units() -> list[ResponsibleUnit]:
    return list(ResponsibleUnit.objects.filter(name__startswith="州").order_by("name"))


def bundled(year: int, units: list[ResponsibleUnit]) -> dict[int, tuple[Decimal | None, int]]:
    """Unit id → (the counties' mean credit 0–1 on the unit's indicators in ``year``, how many county ×
    indicator results it averages); (None, 0) when nothing of the unit's work was judged."""
    ids = [u.pk for u in units]
    units_of: dict[int, set[int]] = defaultdict(set)          # indicator → the units it counts for
    for ind_id, lead, coop in Indicator.objects.filter(level=Level.COUNTY, retired=False).filter(
            Q(task__lead_units__in=ids) | Q(task__cooperating_units__in=ids)).values_list(
            "pk", "task__lead_units", "task__cooperating_units"):
        units_of[ind_id].update(u for u in (lead, coop) if u in ids)
    credit: dict[int, Decimal] = defaultdict(Decimal)
    count: dict[int, int] = defaultdict(int)
    for ind_id, status, value, baseline, expected in Progress.objects.filter(
            year=year, indicator_id__in=list(units_of), target__isnull=False).exclude(area="prefecture").values_list(
            "indicator_id", "status", "value", "baseline", "expected"):
        if status in NOT_JUDGED:
            continue
        c = progress_credit(Method.EXPECTED_PATH, status, value, baseline, expected)
        for unit_id in units_of[ind_id]:
            credit[unit_id] += c
            count[unit_id] += 1
    return {u: ((credit[u] / count[u]).quantize(Decimal("0.0001")) if count[u] else None, count[u]) for u in ids}


def department_rows(year: int) -> list[dict]:
    """Every prefecture department with a record or some bundled work, as plain data (what a version freezes)."""
    units = prefecture_units()
    entered = {d.unit_id: d for d in DepartmentAssessment.objects.filter(year=year)}
    shares = bundled(year, units)
    rows = [_row(unit, entered.get(unit.pk), *shares.get(unit.pk, (None, 0))) for unit in units]
    return [r for r in rows if r["score"] is not None or r["bundled_results"]]


def _row(unit: ResponsibleUnit, d: DepartmentAssessment | None, share: Decimal | None, n: int) -> dict:
    return {"unit": unit.name, "score": str(d.score) if d else None, "reason": d.reason if d else "",
            "commended": bool(d and d.commended),
            "bundled_pct": str((share * 100).quantize(Decimal("0.01"))) if share is not None else None,
            "bundled_results": n}


def set_department_assessment(user, year: int, unit: ResponsibleUnit, score: Decimal, reason: str,
                              commended: bool) -> DepartmentAssessment:
    """An official records a prefecture department's score by its yearly rules, the reason, and whether it is
    commended (通报表扬)."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以填写州级部门考核。"))
    if not unit.name.startswith("州"):
        raise ValidationError({"unit": [_("只能填写州级部门。")]})
    score = Decimal(score)
    if not score.is_finite() or score < 0 or score > 100:
        raise ValidationError({"score": [_("得分须在 0 至 100 之间。")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("请写明考核说明。")]})
    record, _created = DepartmentAssessment.objects.update_or_create(
        year=year, unit=unit, defaults={"score": score, "reason": reason.strip(), "commended": commended,
                                        "entered_by": user})
    return record
