"""Demo data (``bootstrap --demo``): a history for every figure, 2025 under way, idempotent, nobody logged out.

The demo load is expensive, so it runs once for the module (twice, to check idempotency), inside a transaction
rolled back at the end so the other test modules never see it.
"""
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from assessment.models import Progress
from counties import demo
from counties.models import Figure
from counties.validation import rate_percent
from liangshan_edu.roles import county_of, role_of
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

History = Figure.history.model


def _state():
    return {
        "figures": sorted(Figure.objects.values_list("id", "version", "status", "value", "updated_at")),
        "history": History.objects.count(),
        "last_history_id": History.objects.order_by("-history_id").values_list("history_id", flat=True).first(),
        "passwords": dict(get_user_model().objects.values_list("username", "password")),
    }


# These first tests run before the module's demo load is set up (it is made when a test first asks for it).

def test_every_county_has_a_demo_clerk():
    users = {u.username: u for u in get_user_model().objects.all()}
    for code, username in demo.COUNTY_CLERKS.items():
        assert role_of(users[username]) == "clerk" and county_of(users[username]).code == code
    assert users["clerk_leibo"].check_password(demo.DEMO_PASSWORD)


def test_create_figures_alone_gives_approved_2021_to_2024_with_history():
    # The helper other tests use for approved data (no 2025, no recompute), and idempotent by itself.
    n = demo.create_figures()
    assert n and Figure.objects.count() == n
    assert set(Figure.objects.values_list("year", flat=True)) == set(demo.DEMO_YEARS)
    assert History.objects.count() == 3 * n
    assert demo.create_figures() == 0 and History.objects.count() == 3 * n


def test_load_adds_no_demo_figures_to_real_ones(clerk_xichang):
    from counties import services
    from places.models import County
    from indicators.models import Indicator

    indicator = Indicator.objects.filter(kind="count", level="county", retired=False).first()
    services.save_draft(clerk_xichang, County.objects.get(code="513401"), indicator, 2025, value=3,
                        expected_version=0)
    assert demo.load() == 0 and Figure.objects.count() == 1


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("bootstrap", "--demo", stdout=out)
        first = _state()
        clerk = get_user_model().objects.get(username="clerk_huili")
        client = client_for(clerk)   # a session made before the second run
        again = StringIO()
        call_command("bootstrap", "--demo", stdout=again)
        yield {"first": first, "second": _state(), "out": out.getvalue(), "again": again.getvalue(),
               "client": client}
        transaction.set_rollback(True)


def test_the_demo_figures_are_labelled_and_span_2021_to_2025(demo_db):
    figures = Figure.objects.all()
    assert figures.exists() and not figures.filter(is_demo=False).exists()
    assert not History.objects.filter(is_demo=False).exists()
    assert sorted(set(figures.values_list("year", flat=True))) == [2021, 2022, 2023, 2024, 2025]
    assert not figures.exclude(note__startswith="演示数据").exists()
    assert not figures.filter(year__lt=2025).exclude(status="approved").exists()
    assert figures.filter(year=2024).values("county").distinct().count() == 17
    assert figures.filter(county__isnull=True).count() == 0
    rate = figures.filter(indicator__kind="rate").first()
    assert rate.numerator is not None and rate.denominator and rate.value == rate_percent(
        rate.numerator, rate.denominator)
    done = figures.filter(indicator__kind="milestone", value=1)
    assert done.exists() and not done.filter(done_on__isnull=True).exists()
    assert "演示数据" in demo_db["out"] and "progress recomputed" in demo_db["out"]


def test_history_names_the_clerk_and_the_official(demo_db):
    for year in (2021, 2024, 2025):
        figure = Figure.objects.filter(year=year, status="approved").select_related("county").first()
        rows = list(figure.history.order_by("history_id").values_list(
            "history_type", "status", "version", "history_user__username", "history_change_reason"))
        clerk = demo.COUNTY_CLERKS[figure.county.code]
        assert rows[0][:4] == ("+", "draft", 1, clerk) and rows[0][4] == "新建"
        assert ("submitted", clerk, "提交") in [(r[1], r[3], r[4]) for r in rows]
        assert rows[-1][1:] == ("approved", figure.version, "official", "审核通过")
        assert figure.approved_by.username == "official"
    assert not History.objects.filter(history_user__isnull=True).exists()


def test_2025_is_under_way(demo_db):
    current = Figure.objects.filter(year=2025)
    statuses = Counter(current.values_list("status", flat=True))
    assert statuses["approved"] > statuses["submitted"] > statuses["returned"] > 0 and statuses["draft"] > 0
    # 西昌 and 昭觉 have nothing yet; at least one other county has not started either.
    counties = set(current.values_list("county__code", flat=True))
    assert not counties & {"513401", "513431"}
    assert len(counties) < 15
    # Most counties are through; within a started county some indicators are still missing.
    by_county = Counter(current.filter(status="approved").values_list("county__code", flat=True))
    assert sum(1 for n in by_county.values() if n > 150) >= 8
    expected = Figure.objects.filter(year=2024, county__code="513401").count()
    assert any(current.filter(county__code=c).count() < expected for c in counties)


def test_returned_figures_carry_a_reason_and_some_were_corrected(demo_db):
    returned = Figure.objects.filter(year=2025, status="returned")
    assert returned.exists() and not returned.filter(return_reason="").exists()
    assert "与上年相比变化过大，请核实分子分母口径" in set(returned.values_list("return_reason", flat=True)) | set(
        History.objects.values_list("return_reason", flat=True))
    reason = History.objects.filter(history_change_reason__startswith="退回：").first()
    assert reason.history_user.username == "official"
    # A corrected figure: returned, edited by the clerk, submitted again and approved.
    corrected = (History.objects.filter(history_change_reason="修改", year=2025)
                 .values_list("id", flat=True).first())
    steps = list(History.objects.filter(id=corrected).order_by("history_id")
                 .values_list("history_change_reason", flat=True))
    assert steps[0] == "新建" and steps[1] == "提交" and steps[2].startswith("退回：")
    assert steps[3:] == ["修改", "提交", "审核通过"]


def test_progress_is_computed_and_counties_differ(demo_db):
    statuses = Counter(Progress.objects.filter(year=2024).exclude(area="prefecture").values_list("status", flat=True))
    assert statuses["achieved"] and statuses["off_track"] and statuses["lagging"]
    shares = {}
    for area in Progress.objects.filter(year=2024).exclude(area="prefecture").values_list("area", flat=True).distinct():
        rows = Progress.objects.filter(year=2024, area=area)
        shares[area] = rows.filter(status="achieved").count() / rows.count()
    assert max(shares.values()) - min(shares.values()) > 0.1
    assert Progress.objects.filter(year=2025, area="prefecture").exists()


def test_running_again_changes_nothing_and_logs_nobody_out(demo_db):
    first, second = demo_db["first"], demo_db["second"]
    assert second["figures"] == first["figures"]
    assert second["history"] == first["history"] and second["last_history_id"] == first["last_history_id"]
    assert second["passwords"] == first["passwords"]
    assert "already present" in demo_db["again"]
    assert not History.objects.filter(history_type="-").exists()
    # The session made before the second run is still valid.
    response = demo_db["client"].get("/figures/entry/2025/")
    assert response.status_code == 200 and response.wsgi_request.user.username == "clerk_huili"


def test_the_review_queue_and_the_audit_log_have_something_to_show(demo_db, official, auditor):
    assert client_for(official).get("/figures/review/").status_code == 200
    response = client_for(auditor).get("/figures/audit/", {"q": "退回"})
    assert response.status_code == 200 and "与上年相比变化过大" in response.content.decode()


def test_the_clerks_of_xichang_and_zhaojue_have_2025_to_fill_in(demo_db):
    for username, code in (("clerk_xichang", "513401"), ("clerk_zhaojue", "513431")):
        user = get_user_model().objects.get(username=username)
        assert county_of(user).code == code
        assert not Figure.objects.filter(county__code=code, year=2025).exists()
        assert Figure.objects.filter(county__code=code, year=2024, status="approved").exists()
