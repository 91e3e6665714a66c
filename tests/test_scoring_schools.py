"""Schools: the reviewable file, scores entered by the county all-or-nothing (form or upload, under the figure
uploads' limits), approved by the prefecture, ranked by stage with the bottom lists and commendations."""
import io
import zipfile
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from places.models import County
from scoring import schools, services
from scoring.models import School, SchoolScore

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def xichang_schools():
    entries = [{"code": f"XC-P{i:02d}", "name": f"西昌小学{i}", "county": "513401", "stage": "primary"}
               for i in range(1, 4)]
    entries.append({"code": "XC-S01", "name": "西昌高中", "county": "513401", "stage": "senior"})
    entries.append({"code": "ZJ-P01", "name": "昭觉小学", "county": "513431", "stage": "primary"})
    assert schools.upsert_schools(entries) == 5 and schools.upsert_schools(entries) == 0   # idempotent
    return County.objects.get(code="513401")


def test_the_reviewable_file_loads_and_refuses_a_wrong_row(tmp_path):
    path = tmp_path / "schools.yaml"
    path.write_text("- {code: A1, name: 甲小学, county: '513401', stage: primary}\n"
                    "- {code: A2, name: 乙幼儿园, county: '513402', stage: kindergarten, ownership: private}\n",
                    encoding="utf-8")
    assert schools.load_schools(path) == 2 and School.objects.get(code="A2").ownership == "private"
    path.write_text("- {code: A3, name: 丙, county: '999999', stage: primary}\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        schools.load_schools(path)


def test_scores_are_all_or_nothing_and_only_for_the_countys_own_schools(xichang_schools, clerk_xichang,
                                                                       clerk_zhaojue):
    with pytest.raises(PermissionDenied):
        schools.submit_scores(clerk_zhaojue, xichang_schools, YEAR, {"XC-P01": 80})
    with pytest.raises(schools.ScoreUploadError) as refused:
        schools.submit_scores(clerk_xichang, xichang_schools, YEAR, {"XC-P01": 80, "XC-P02": 101, "ZJ-P01": 70})
    assert len(refused.value.messages) == 2 and not SchoolScore.objects.exists()
    assert schools.submit_scores(clerk_xichang, xichang_schools, YEAR, {"XC-P01": 80, "XC-P02": "75.5"}) == 2


def test_the_prefecture_approves_or_returns_and_approved_scores_stay(xichang_schools, clerk_xichang, official):
    schools.submit_scores(clerk_xichang, xichang_schools, YEAR, {"XC-P01": 80, "XC-P02": 70})
    with pytest.raises(PermissionDenied):
        schools.review_scores(clerk_xichang, xichang_schools, YEAR, approve=True)
    with pytest.raises(ValidationError):
        schools.review_scores(official, xichang_schools, YEAR, approve=False)
    assert schools.review_scores(official, xichang_schools, YEAR, approve=True) == 2
    with pytest.raises(schools.ScoreUploadError):
        schools.submit_scores(clerk_xichang, xichang_schools, YEAR, {"XC-P01": 90})
    assert SchoolScore.objects.get(school__code="XC-P01").history.count() == 2


def _xlsx(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_an_xlsx_upload_is_read_and_a_zip_bomb_refused(xichang_schools, clerk_xichang):
    scores = schools.read_score_file(_xlsx([["学校代码", "质量得分"], ["XC-P01", 88], ["XC-S01", 77.5]]), "s.xlsx")
    assert scores == {"XC-P01": 88, "XC-S01": 77.5}
    assert schools.submit_scores(clerk_xichang, xichang_schools, YEAR, scores) == 2
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"\0" * (3 * 1024 * 1024))
    bomb.seek(0)
    with pytest.raises(schools.ScoreUploadError):
        schools.read_score_file(bomb, "bomb.xlsx")
    with pytest.raises(schools.ScoreUploadError):
        schools.read_score_file(_xlsx([["name", "x"]]), "s.xlsx")


def test_the_stage_ranking_lists_the_last_and_gives_awards(official):
    county = County.objects.get(code="513401")
    School.objects.bulk_create([School(code=f"S{i}", name=f"高中{i}", county=county, stage="senior")
                                for i in range(1, 6)])
    for year, order in ((YEAR - 1, [5, 4, 3, 2, 1]), (YEAR, [1, 2, 3, 4, 5])):
        for rank, i in enumerate(order):
            SchoolScore.objects.create(school=School.objects.get(code=f"S{i}"), year=year, score=D(90 - rank * 5),
                                       status="approved", entered_by=official)
    rows = {r.school.code: r for r in schools.stage_ranking(YEAR, "senior")}
    assert rows["S5"].result.bottom_listed and rows["S5"].result.deduction_pct == 30
    assert [rows[f"S{i}"].result.commendation for i in range(1, 5)] == ["first", "first", "first", "second"]
    assert schools.last_place_actions("senior", {"school_last_place_actions": [
        {"stages": ["senior"], "label": "对高中校长做诫勉谈话处理"}]}) == ["对高中校长做诫勉谈话处理"]


def test_school_pages_and_api(xichang_schools, clerk_xichang, clerk_zhaojue, official, auditor):
    from tests.conftest import api_for, client_for

    clerk = client_for(clerk_xichang)
    response = clerk.post(f"/assessments/schools/{YEAR}/entry/", {"score-XC-P01": "80", "score-XC-P02": "abc"})
    assert "得分须为数字" in response.content.decode() and not SchoolScore.objects.exists()
    clerk.post(f"/assessments/schools/{YEAR}/entry/", {"score-XC-P01": "80", "score-XC-P02": "60",
                                                       "score-XC-P03": "70", "score-XC-S01": "50"})
    assert SchoolScore.objects.filter(status="submitted").count() == 4
    assert client_for(clerk_xichang).post(f"/assessments/schools/{YEAR}/review/",
                                          {"county": "513401", "action": "approve"}).status_code == 403
    assert client_for(auditor).get(f"/assessments/schools/{YEAR}/entry/").status_code == 403
    assert client_for(clerk_xichang).get(f"/assessments/schools/{YEAR}/review/").status_code == 403
    client_for(official).post(f"/assessments/schools/{YEAR}/review/", {"county": "513401", "action": "approve"})
    assert SchoolScore.objects.filter(status="approved").count() == 4
    # Nothing published yet: the page says so, the API is a 404; an official previews.
    html = client_for(clerk_zhaojue).get("/assessments/schools/", {"year": YEAR, "stage": "primary"}).content.decode()
    assert 'id="not-published"' in html and "西昌小学1" not in html
    assert api_for(auditor).get("/api/v1/assessments/schools/", {"year": YEAR}).status_code == 404
    assert api_for(auditor).get("/api/v1/assessments/schools/", {"year": YEAR, "preview": "true"}).status_code == 403
    preview = api_for(official).get("/api/v1/assessments/schools/", {"year": YEAR, "preview": "true"}).json()
    assert len(preview) == 4 and preview[0]["version"] is None
    services.publish(official, YEAR)
    html = client_for(clerk_zhaojue).get("/assessments/schools/", {"year": YEAR, "stage": "primary"}).content.decode()
    assert "西昌小学1" in html and "末位名单" in html and "对义务教育阶段校长作免职处理" in html and "第1版" in html
    rows = api_for(auditor).get("/api/v1/assessments/schools/", {"year": YEAR, "stage": "primary"}).json()
    assert [(r["school"], r["rank"], r["bottom_listed"], r["deduction"], r["version"]) for r in rows] == [
        ("XC-P01", 1, True, 10, 1), ("XC-P03", 2, True, 20, 1), ("XC-P02", 3, True, 30, 1)]   # 3 schools, 20 listed
    assert api_for(auditor).get("/api/v1/assessments/schools/", {"stage": "x"}).status_code == 400
    senior = api_for(auditor).get("/api/v1/assessments/schools/", {"year": YEAR, "stage": "senior"}).json()
    assert senior[0]["deduction"] == 30 and senior[0]["commendation"] == ""
    # An official disqualifies a school from the ranking page: the preview shows it at once, the published
    # ranking only in a new version.
    data = {"school": "XC-P01", "situation": "fraud", "reason": "弄虚作假", "evidence": "县教体局通报"}
    client_for(official).post(f"/assessments/{YEAR}/disqualifications/", data)
    assert api_for(auditor).get("/api/v1/assessments/schools/", {"year": YEAR, "stage": "primary"}).json() == rows
    preview = api_for(official).get("/api/v1/assessments/schools/", {"year": YEAR, "stage": "primary",
                                                                    "preview": "1"}).json()
    assert preview[0]["school"] == "XC-P01" and preview[0]["disqualified"]
