"""Schools and their yearly quality scores: loading the reviewable file, entry (form or .xlsx/.csv upload,
all-or-nothing) by the county, approval by the prefecture, and the prefecture-wide rankings by stage with the
bottom lists, deductions and commendations of the plan (``scoring.rules.school_results``)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Mapping

import openpyxl
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from counties.errors import FigureError
from counties.spreadsheet.parse import MAX_BYTES, MAX_ROWS, check_zip
from liangshan_edu.roles import can_read_all, can_review, county_of, is_clerk_of
from places.models import County
from scoring import rules as R
from scoring.choices import ScoreStatus, Stage
from scoring.models import Disqualification, PublishedSchoolRow, School, SchoolScore
from scoring.rulesets import rules_for

SCHOOLS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "schools" / "schools.yaml"
FIELDS = ("code", "name", "county", "stage", "ownership", "active")


# ── the reviewable file ─────────────────────────────────────────────────────────────────────────────────────

def load_schools(path: Path | str = SCHOOLS_FILE, *, demo: bool = False) -> int:
    """Create or update the schools of a YAML file (a list of {code, name, county (code), stage, ownership,
    active}); schools not in the file are left alone (closing one is ``active: false``). Returns how many
    were created or changed; idempotent."""
    with open(path, encoding="utf-8") as f:
        entries = yaml.safe_load(f) or []
    return upsert_schools(entries, demo=demo)


def upsert_schools(entries: list[Mapping], *, demo: bool = False) -> int:
    counties = {c.code: c for c in County.objects.all()}
    existing = {s.code: s for s in School.objects.all()}
    problems, changed = [], 0
    for n, e in enumerate(entries, start=1):
        if str(e.get("county")) not in counties or e.get("stage") not in Stage.values or not e.get("code"):
            problems.append(f"{n}: {e}")
    if problems:
        raise ValidationError(_("学校清单有误：%(rows)s") % {"rows": "; ".join(problems[:10])})
    with transaction.atomic():
        for e in entries:
            values = {"name": str(e["name"]), "county": counties[str(e["county"])], "stage": e["stage"],
                      "ownership": e.get("ownership", "public"), "active": bool(e.get("active", True)), "demo": demo}
            school = existing.get(str(e["code"]))
            if school is None:
                School.objects.create(code=str(e["code"]), **values)
                changed += 1
            elif any(getattr(school, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(school, k, v)
                school.save()
                changed += 1
    return changed


# ── entry and approval ──────────────────────────────────────────────────────────────────────────────────────

class ScoreUploadError(ValidationError):
    """The scores were refused; ``errors`` lists each row's problem (nothing was saved)."""


def submit_scores(user, county: County, year: int, scores: Mapping[str, object]) -> int:
    """Save a county's quality scores for a year (school code → score), all or nothing: every row is checked
    first and any problem refuses them all. Only the county's clerk; approved scores are not changed."""
    if not is_clerk_of(user, county):
        raise PermissionDenied(_("只有本县填报员可以填报本县学校的质量得分。"))
    schools = {s.code: s for s in School.objects.filter(county=county, active=True)}
    current = {s.school.code: s for s in SchoolScore.objects.filter(school__county=county, year=year)
               .select_related("school")}
    errors, clean = [], {}
    for code, raw in scores.items():
        code = str(code).strip()
        if raw is None or str(raw).strip() == "":
            continue
        if code not in schools:
            errors.append(_("%(code)s：不是本县在办学校的代码。") % {"code": code})
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors.append(_("%(code)s：得分须为数字。") % {"code": code})
            continue
        if not value.is_finite() or value < 0 or value > 100:
            errors.append(_("%(code)s：得分须在 0 至 100 之间。") % {"code": code})
            continue
        if code in current and current[code].status == ScoreStatus.APPROVED and current[code].score != value:
            errors.append(_("%(code)s：已审核的得分不能修改。") % {"code": code})
            continue
        clean[code] = value.quantize(Decimal("0.01"))
    if errors:
        raise ScoreUploadError(errors)
    saved = 0
    with transaction.atomic():
        for code, value in clean.items():
            score = current.get(code)
            if score is None:
                SchoolScore.objects.create(school=schools[code], year=year, score=value, entered_by=user)
            elif score.status != ScoreStatus.APPROVED and (score.score != value or score.status == ScoreStatus.RETURNED):
                score.score, score.status, score.entered_by, score.reason = value, ScoreStatus.SUBMITTED, user, ""
                score.save()
            else:
                continue
            saved += 1
    return saved


def review_scores(user, county: County, year: int, *, approve: bool, reason: str = "") -> int:
    """The prefecture approves (or returns, with a reason) a county's submitted scores of a year."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以审核学校质量得分。"))
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("退回须写明原因。")]})
    pending = SchoolScore.objects.filter(school__county=county, year=year, status=ScoreStatus.SUBMITTED)
    n = 0
    for score in pending:
        score.status = ScoreStatus.APPROVED if approve else ScoreStatus.RETURNED
        score.reason = "" if approve else reason.strip()
        score.reviewed_by = user
        score.save()
        n += 1
    return n


def read_score_file(fileobj: IO[bytes], filename: str) -> dict[str, object]:
    """School code → score from an uploaded .xlsx or .csv (columns 学校代码/code and 质量得分/score), under the
    figure uploads' limits (size, rows, and the zip-bomb checks of ``counties.spreadsheet``)."""
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ScoreUploadError([_("文件过大（超过%(mb)sMB）。") % {"mb": MAX_BYTES // (1024 * 1024)}])
    name = (filename or "").lower()
    try:
        if data[:2] == b"PK" or name.endswith(".xlsx"):
            check_zip(data)
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
            try:
                rows = [list(r) for _, r in zip(range(MAX_ROWS + 2), wb.worksheets[0].iter_rows(max_col=20,
                                                                                                 values_only=True))]
            finally:
                wb.close()
        elif name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[: MAX_ROWS + 2]
        else:
            raise ScoreUploadError([_("只支持 .xlsx 和 .csv 文件。")])
    except FigureError as e:
        raise ScoreUploadError([str(e)]) from None
    except ScoreUploadError:
        raise
    except Exception:  # noqa: BLE001 — a broken upload can fail in any way the readers complain about
        raise ScoreUploadError([_("无法读取该文件。")]) from None
    if len(rows) > MAX_ROWS + 1:
        raise ScoreUploadError([_("文件行数过多（超过%(n)s行）。") % {"n": MAX_ROWS}])
    if not rows:
        raise ScoreUploadError([_("文件为空。")])
    header = [str(h or "").strip().lower() for h in rows[0]]
    try:
        code_col = next(i for i, h in enumerate(header) if h in ("学校代码", "code"))
        score_col = next(i for i, h in enumerate(header) if h in ("质量得分", "score"))
    except StopIteration:
        raise ScoreUploadError([_("第一行须有“学校代码”和“质量得分”两列。")]) from None
    out: dict[str, object] = {}
    for n, row in enumerate(rows[1:], start=2):
        code = str(row[code_col] or "").strip() if code_col < len(row) else ""
        if not code:
            continue
        if code in out:
            raise ScoreUploadError([_("第%(n)s行：学校代码 %(code)s 重复。") % {"n": n, "code": code}])
        out[code] = row[score_col] if score_col < len(row) else None
    return out


def scores_visible_to(user):
    """Scores as the user may see them: every school for readers of everything, a clerk their county's."""
    qs = SchoolScore.objects.select_related("school__county")
    if can_read_all(user):
        return qs
    county = county_of(user)
    return qs.filter(school__county=county) if county else qs.none()


# ── rankings ────────────────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class SchoolRow:
    school: School
    score: Decimal
    result: R.SchoolResult
    disqualified: bool
    county: County          # the school's county (as published, for a published row)


def stage_ranking(year: int, stage: str) -> list[SchoolRow]:
    """Every school of a stage with an approved score for the year, ranked prefecture-wide, with its listing,
    deduction and commendation. Progress awards compare with last year's ranks; kindergartens' counts are the
    primary counts scaled to the number of kindergartens against primary schools ranked that year."""
    approved = SchoolScore.objects.filter(status=ScoreStatus.APPROVED, school__stage=stage, year__in=[year, year - 1])
    scores, previous, schools = {}, {}, {}
    for s in approved.select_related("school__county"):
        if s.year == year:
            scores[s.school.code] = s.score
            schools[s.school.code] = s.school
        else:
            previous[s.school.code] = s.score
    n_primary = SchoolScore.objects.filter(status=ScoreStatus.APPROVED, school__stage=Stage.PRIMARY,
                                           year=year).count() if stage == Stage.KINDERGARTEN else 0
    disqualified = set(Disqualification.objects.filter(year=year, school__isnull=False, withdrawn=False,
                                                       school__stage=stage).values_list("school__code", flat=True))
    results = R.school_results(stage, scores, R.rank(previous), disqualified,
                               R.SchoolRules.from_rules(rules_for(year)), n_primary)
    return [SchoolRow(schools[r.code], scores[r.code], r, r.code in disqualified, schools[r.code].county)
            for r in results]


def published_stage_ranking(assessment, stage: str) -> list[SchoolRow]:
    """A stage's ranking exactly as frozen with a published version (``PublishedSchoolRow``)."""
    rows = PublishedSchoolRow.objects.filter(assessment=assessment, stage=stage).select_related("school", "county")
    return [SchoolRow(p.school, p.score, R.SchoolResult(p.school.code, p.rank, p.commendation, p.bottom_listed,
                                                        p.bottom_position, p.deduction_pct), p.disqualified, p.county)
            for p in rows.order_by("rank", "school__code")]


def last_place_actions(stage: str, rules: Mapping) -> list[str]:
    """The plan's consequences for a listed school of a stage (免职 / 诫勉谈话 / 取消评优评先)."""
    return [a["label"] for a in rules.get("school_last_place_actions", []) if stage in a.get("stages", [])]


def latest_scored_year() -> int | None:
    from django.db.models import Max

    return SchoolScore.objects.filter(status=ScoreStatus.APPROVED).aggregate(y=Max("year"))["y"]
