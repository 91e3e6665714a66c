"""What a published version freezes besides the counties' rows (issue 11, second round): the school rankings of
every stage, the consequences for the education workers of the last three counties, and the prefecture
departments' record (表扬州级部门). Hand-worked data."""
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import Progress
from indicators.models import Indicator, Plan, ResponsibleUnit, Task
from places.models import County
from scoring import departments, services
from scoring.models import DepartmentAssessment, FrozenError, PublishedSchoolRow, School, SchoolScore
from tests.conftest import api_for, client_for
from tests.test_scoring_services import YEAR, one_item_scheme, progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme_and_scores(official):
    """The 17 counties ranked by code (20 − i hand points, 80 computed points each); three junior schools."""
    _, _, hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved") for c in codes})
    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(codes):
        services.set_hand_score(official, hand, counties[code], D(20) - D(i), "过程考核")
    xichang = counties["513401"]
    for i, score in enumerate((D(90), D(80), D(70)), start=1):
        school = School.objects.create(code=f"J{i}", name=f"初中{i}", county=xichang, stage="junior")
        SchoolScore.objects.create(school=school, year=YEAR, score=score, status="approved", entered_by=official)
    return codes


def _schools(user, **params):
    return api_for(user).get("/api/v1/assessments/schools/", {"year": YEAR, "stage": "junior", **params}).json()


def test_published_school_rankings_never_change_and_a_correction_is_a_new_version(official, auditor,
                                                                                 scheme_and_scores):
    services.publish(official, YEAR)
    v1 = _schools(auditor)
    assert [(r["school"], r["rank"], r["bottom_listed"], r["deduction"], r["commendation"]) for r in v1] == [
        ("J1", 1, True, 10, ""), ("J2", 2, True, 20, ""), ("J3", 3, True, 30, "")]   # 5 listed of 3
    # A later approved score and a disqualification change the preview, not what was published.
    later = School.objects.create(code="J4", name="初中4", county=County.objects.get(code="513431"), stage="junior")
    SchoolScore.objects.create(school=later, year=YEAR, score=D(95), status="approved", entered_by=official)
    services.disqualify(official, YEAR, "fraud", "弄虚作假", "通报", school=School.objects.get(code="J1"))
    assert _schools(auditor) == v1
    assert [r["school"] for r in _schools(official, preview="true")] == ["J4", "J1", "J2", "J3"]
    # The frozen rows refuse the model's save and delete.
    row = PublishedSchoolRow.objects.get(school__code="J1")
    row.rank = 9
    with pytest.raises(FrozenError):
        row.save()
    with pytest.raises(FrozenError):
        row.delete()
    # A correction freezes the ranking as it is now; version 1 stays readable.
    services.publish(official, YEAR, note="更正：补录一所初中")
    v2 = _schools(auditor)
    assert [(r["school"], r["rank"], r["version"], r["disqualified"]) for r in v2] == [
        ("J4", 1, 2, False), ("J1", 2, 2, True), ("J2", 3, 2, False), ("J3", 4, 2, False)]
    assert _schools(auditor, version=1) == v1
    # The published list reads a fixed number of queries, whatever the versions and schools.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_stage:
        _schools(auditor)
    assert len(one_stage) <= 4
    html = client_for(auditor).get("/assessments/schools/", {"year": YEAR, "stage": "junior", "version": 1})
    assert "初中4" not in html.content.decode() and "第1版" in html.content.decode()


def test_the_last_three_counties_education_workers_lose_30_20_10_percent_of_their_award(official, clerk_xichang,
                                                                                        scheme_and_scores):
    codes = scheme_and_scores
    services.publish(official, YEAR)
    rows = {r["county"]: r for r in api_for(clerk_xichang).get("/api/v1/assessments/", {"year": YEAR}).json()}
    assert [rows[c]["staff_deduction"] for c in codes[13:]] == [0, 10, 20, 30]
    assert rows[codes[16]]["staff_consequences"] == [
        "本县（市）教育工作者个人年终目标绩效考核与本县（市）教学质量、过程考核（红黑榜）挂钩，以本县（市）教育系统"
        "年终目标绩效奖平均数为基数，扣减 30% 的目标绩效奖励金", "本县（市）教育工作者均取消当年评优评先资格"]
    assert rows[codes[13]]["staff_consequences"] == []
    html = client_for(clerk_xichang).get("/assessments/", {"year": YEAR}).content.decode()
    assert html.count("均取消当年评优评先资格") == 3 and "扣减 20% 的目标绩效奖励金" in html
    page = client_for(official).get(f"/assessments/{YEAR}/counties/{codes[16]}/").content.decode()
    assert "扣减 30% 的目标绩效奖励金" in page
    english = client_for(official).get(f"/assessments/{YEAR}/counties/{codes[16]}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "30% of the performance award is deducted" in english.content.decode()


@pytest.fixture
def testing_bureau():
    """A prefecture department leading one task with two county-level indicators."""
    unit = ResponsibleUnit.objects.create(name="州测试局")
    task = Task.objects.create(plan=Plan.objects.order_by("order").first(), number=99, title="测试任务")
    task.lead_units.add(unit)
    inds = list(Indicator.objects.filter(level="county", retired=False).order_by("code")[2:4])
    Indicator.objects.filter(pk__in=[i.pk for i in inds]).update(task=task)
    return unit, inds


def test_prefecture_departments_their_own_score_and_the_counties_bundled_record(official, clerk_xichang, auditor,
                                                                               testing_bureau):
    unit, (a, b) = testing_bureau
    row = dict(year=YEAR, target=D(60), target_year=2025)
    Progress.objects.bulk_create([
        Progress(area="513401", indicator=a, status="achieved", **row),                                   # 1
        Progress(area="513402", indicator=a, status="off_track", value=D(55), baseline=D(50), expected=D(60),
                 **row),                                                                                  # 0.5
        Progress(area="513401", indicator=b, status="no_data", **row),                                    # 0
        Progress(area="513402", indicator=b, status="not_due", **row),                                    # left out
        Progress(area="prefecture", indicator=a, status="achieved", **row)])                              # not a county
    assert departments.bundled(YEAR, [unit]) == {unit.pk: (D("0.5000"), 3)}
    with pytest.raises(PermissionDenied):
        departments.set_department_assessment(clerk_xichang, YEAR, unit, D(90), "x", True)
    with pytest.raises(ValidationError):
        departments.set_department_assessment(official, YEAR, unit, D(101), "x", True)
    with pytest.raises(ValidationError):
        departments.set_department_assessment(official, YEAR, unit, D(90), " ", True)
    county_unit = ResponsibleUnit.objects.create(name="各县（市）测试单位")
    with pytest.raises(ValidationError):
        departments.set_department_assessment(official, YEAR, county_unit, D(90), "x", True)
    departments.set_department_assessment(official, YEAR, unit, D("88.5"), "按2024年细则考核", True)
    mine = next(d for d in services.compute(YEAR).departments if d["unit"] == "州测试局")
    assert mine == {"unit": "州测试局", "score": "88.50", "reason": "按2024年细则考核", "commended": True,
                    "bundled_pct": "50.00", "bundled_results": 3}
    services.publish(official, YEAR)
    DepartmentAssessment.objects.filter(unit=unit).update(commended=False, score=D(10))
    listed = api_for(auditor).get("/api/v1/assessments/departments/", {"year": YEAR}).json()
    mine = next(d for d in listed if d["unit"] == "州测试局")
    assert (mine["score"], mine["commended"], mine["bundled_pct"], mine["version"]) == (88.5, True, 50, 1)
    preview = api_for(official).get("/api/v1/assessments/departments/", {"year": YEAR, "preview": "1"}).json()
    assert next(d for d in preview if d["unit"] == "州测试局")["commended"] is False
    assert api_for(clerk_xichang).get("/api/v1/assessments/departments/", {"year": YEAR, "preview": "1"}).status_code \
        == 403
    html = client_for(clerk_xichang).get("/assessments/", {"year": YEAR}).content.decode()
    assert 'id="departments"' in html and "州测试局" in html and "按2024年细则考核" in html


def test_officials_record_a_department_on_the_ranking_page(official, clerk_xichang, testing_bureau):
    unit, _ = testing_bureau
    data = {"unit": unit.pk, "score": "91", "reason": "按细则考核", "commended": "on"}
    assert client_for(clerk_xichang).post(f"/assessments/{YEAR}/departments/", data).status_code == 403
    assert not DepartmentAssessment.objects.exists()
    assert 'id="department-form"' in client_for(official).get("/assessments/", {"year": YEAR}).content.decode()
    client_for(official).post(f"/assessments/{YEAR}/departments/", data)
    record = DepartmentAssessment.objects.get()
    assert (record.score, record.commended, record.entered_by) == (D(91), True, official)


def test_with_nothing_published_or_scored_a_clerks_preview_is_still_refused(clerk_xichang, official):
    api = api_for(clerk_xichang)
    assert api.get("/api/v1/assessments/schools/").status_code == 404
    assert api.get("/api/v1/assessments/schools/", {"preview": "true"}).status_code == 403
    assert api_for(official).get("/api/v1/assessments/schools/", {"preview": "true"}).json() == []
