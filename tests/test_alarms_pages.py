"""The alarm centre, the API, the bell, silences and the rhythm's pages: who sees and does what (every role), and
fixed query counts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alarms import judging, rhythm
from alarms.choices import Kind, Status
from alarms.defaults import load_default_rules
from alarms.models import Alarm, Digest, Dispatch, Notification, NotificationSetting, Publication, Silence
from alarms.services import Finding, apply
from counties.models import Figure
from indicators.models import Indicator
from places.models import County
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alarms(db):
    load_default_rules()
    xichang, zhaojue = County.objects.get(code="513401"), County.objects.get(code="513431")
    ind = Indicator.objects.get(code="PRE-01")
    apply([Finding(Kind.OFF_TRACK, xichang.pk, ind.pk, "", judging.RAISE, "西昌严重滞后"),
           Finding(Kind.OVERDUE, zhaojue.pk, ind.pk, "", judging.RAISE, "昭觉逾期")])
    return {"xichang": Alarm.objects.get(county=xichang), "zhaojue": Alarm.objects.get(county=zhaojue)}


# ── API ─────────────────────────────────────────────────────────────────────────────────────────────────────

def test_api_lists_alarms_in_scope(alarms, users):
    for role in ("official", "auditor", "admin"):
        body = api_for(users[role]).get("/api/v1/alarms/").json()
        assert {a["county"] for a in body["results"]} == {"513401", "513431"}
    body = api_for(users["clerk_xichang"]).get("/api/v1/alarms/").json()
    assert [(a["county"], a["indicator"], a["kind"], a["severity"], a["status"]) for a in body["results"]] == [
        ("513401", "PRE-01", "off_track", "yellow", "open")]
    assert {"id", "raised_at", "resolved_at"} <= set(body["results"][0])
    assert api_for(users["clerk_xichang"]).get(f"/api/v1/alarms/{alarms['zhaojue'].pk}/").status_code == 404


def test_api_filters(alarms, official):
    api = api_for(official)
    assert [a["county"] for a in api.get("/api/v1/alarms/?county=513431").json()["results"]] == ["513431"]
    assert [a["kind"] for a in api.get("/api/v1/alarms/?kind=overdue").json()["results"]] == ["overdue"]
    assert api.get("/api/v1/alarms/?status=resolved").json()["count"] == 0
    assert api.get("/api/v1/alarms/?indicator=PRE-01").json()["count"] == 2
    bad = api.get("/api/v1/alarms/?status=closed")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_api_acknowledge_is_for_officials(alarms, users):
    url = f"/api/v1/alarms/{alarms['xichang'].pk}/acknowledge/"
    for role in ("clerk_xichang", "auditor", "admin"):
        r = api_for(users[role]).post(url, {"comment": "收到"}, format="json")
        assert r.status_code == 403 and r.json()["message"]
        assert api_for(users[role]).post(url, {"comment": ""}, format="json").status_code == 403  # before the body
    api = api_for(users["official"])
    r = api.post(url, {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()["errors"]
    r = api.post(url, {"comment": "已督促"}, format="json")
    assert r.status_code == 200 and (r.json()["status"], r.json()["comment"]) == ("acknowledged", "已督促")
    assert r.json()["acknowledged_by"] == "official"
    again = api.post(url, {"comment": "再次"}, format="json")
    assert again.status_code == 409 and set(again.json()) == {"message", "errors"}


# ── pages ─────────────────────────────────────────────────────────────────────────────────────────────────

def test_the_clerk_sees_its_county_only(alarms, clerk_xichang):
    html = client_for(clerk_xichang).get("/alarms/").content.decode()
    assert "西昌严重滞后" in html and "昭觉逾期" not in html
    assert 'name="comment"' not in html  # no acknowledge form
    assert client_for(clerk_xichang).get(f"/alarms/{alarms['zhaojue'].pk}/").status_code == 404


def test_officials_and_auditors_see_all_only_officials_acknowledge(alarms, official, auditor):
    html = client_for(auditor).get("/alarms/").content.decode()
    assert "西昌严重滞后" in html and "昭觉逾期" in html and 'name="comment"' not in html
    for comment in ("x", ""):
        assert client_for(auditor).post(f"/alarms/{alarms['xichang'].pk}/acknowledge/",
                                        {"comment": comment}).status_code == 403
    html = client_for(official).get("/alarms/").content.decode()
    assert 'name="comment"' in html
    r = client_for(official).post(f"/alarms/{alarms['xichang'].pk}/acknowledge/", {"comment": "已约谈"})
    assert r.status_code == 302
    alarms["xichang"].refresh_from_db()
    assert (alarms["xichang"].status, alarms["xichang"].comment) == (Status.ACKNOWLEDGED, "已约谈")


def test_filters_on_the_page(alarms, official):
    c = client_for(official)
    assert "昭觉逾期" not in c.get("/alarms/?county=513401").content.decode()
    assert "西昌严重滞后" not in c.get("/alarms/?severity=red").content.decode()
    assert "西昌严重滞后" not in c.get("/alarms/?kind=overdue&plan=preschool").content.decode()
    assert "西昌严重滞后" not in c.get("/alarms/?status=resolved").content.decode()


def _queries(user, url) -> int:
    c = client_for(user)
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["official", "clerk_xichang"])
def test_the_centre_runs_a_fixed_number_of_queries(alarms, users, role):
    small = _queries(users[role], "/alarms/")
    xichang = County.objects.get(code="513401")
    apply([Finding(Kind.OFF_TRACK, xichang.pk, i.pk, "", judging.RAISE, "m")
           for i in Indicator.objects.filter(plan__code="compulsory")[:8]])
    assert _queries(users[role], "/alarms/") == small


def test_counts_by_colour_on_the_dashboard_and_the_county_page(alarms, official, clerk_xichang):
    html = client_for(official).get("/").content.decode()
    assert "sev-yellow" in html and "黄色预警 1" in html and "红色报警 1" in html
    page = client_for(clerk_xichang).get("/counties/513401/").content.decode()
    assert "西昌严重滞后" in page and "黄色预警 1" in page and "红色报警 0" in page


def test_the_bell_counts_unread_and_marks_read(alarms, clerk_xichang, official):
    c = client_for(clerk_xichang)
    assert c.get("/alarms/notifications/unread/").json()["unread"] == 1
    assert "新报警" in c.get("/alarms/notifications/").content.decode()
    c.post("/alarms/notifications/", {})
    assert c.get("/alarms/notifications/unread/").json()["unread"] == 0
    assert client_for(official).get("/alarms/notifications/unread/").json()["unread"] == 1  # the red overdue one


def test_a_returned_figure_is_in_its_clerks_bell(users, django_capture_on_commit_callbacks):
    """Issue 9 item 5: returned figures are bell items — of the county's clerks (who correct them), no one else's;
    counties announces the return (``counties.signals.figure_returned``), it never imports alarms."""
    from counties import services as workflow

    clerk, official = users["clerk_xichang"], users["official"]
    xichang = County.objects.get(code="513401")
    figure = workflow.save_draft(clerk, xichang, Indicator.objects.get(code="PRE-02"), 2025,
                                 numerator=90, denominator=100).figure
    figure = workflow.submit(clerk, figure)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_figure(official, figure, "分母与学籍系统不一致")
    item = Notification.objects.get(user=clerk)
    assert "西昌市 2025 PRE-02" in item.text and "分母与学籍系统不一致" in item.text
    assert item.link == "/figures/entry/2025/#row-PRE-02" and item.alarm is None
    assert client_for(clerk).get("/alarms/notifications/unread/").json()["unread"] == 1
    assert "分母与学籍系统不一致" in client_for(clerk).get("/alarms/notifications/").content.decode()
    others = ("clerk_zhaojue", "leader_xichang", "official", "auditor")
    assert not Notification.objects.filter(user__username__in=others).exists()
    figure = workflow.submit(clerk, Figure.objects.get(pk=figure.pk))
    figure = workflow.approve(official, figure)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen(official, figure, "发现录入错误")
    assert Notification.objects.filter(user=clerk, text__contains="重新开放").count() == 1


def test_email_is_a_per_user_choice(alarms, clerk_xichang, mailoutbox, django_capture_on_commit_callbacks):
    clerk_xichang.email = "xichang@example.org"
    clerk_xichang.save()
    client_for(clerk_xichang).post("/alarms/notifications/", {"email": "1"})
    assert NotificationSetting.objects.get(user=clerk_xichang).email is True
    xichang = County.objects.get(code="513401")
    with django_capture_on_commit_callbacks(execute=True):  # submission late is sent at once
        apply([Finding(Kind.SUBMISSION_LATE, xichang.pk, None, "2025", judging.RAISE, "逾期未报")])
    assert [m.to for m in mailoutbox] == [["xichang@example.org"]]
    client_for(clerk_xichang).post("/alarms/notifications/", {"email": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        apply([Finding(Kind.SUBMISSION_LATE, xichang.pk, None, "2026", judging.RAISE, "逾期未报")])
    assert len(mailoutbox) == 1


def test_silences_are_added_by_officials_only(alarms, official, clerk_xichang, clerk_zhaojue, auditor):
    data = {"rule": alarms["xichang"].rule_id, "county": alarms["xichang"].county_id,
            "until": (timezone.localdate() + timedelta(days=30)).isoformat(), "reason": "撤并学校，批准豁免"}
    for user in (clerk_xichang, auditor):
        assert client_for(user).post("/alarms/silences/", data).status_code == 403
        assert client_for(user).post("/alarms/silences/", {}).status_code == 403  # refused before the form
    assert client_for(official).post("/alarms/silences/", data).status_code == 302
    assert "撤并学校" in client_for(clerk_xichang).get("/alarms/silences/").content.decode()
    assert "撤并学校" not in client_for(clerk_zhaojue).get("/alarms/silences/").content.decode()
    assert Silence.objects.get().created_by == official


# ── the rhythm ────────────────────────────────────────────────────────────────────────────────────────────

def test_each_job_publishes_once_per_period(alarms, users, mailoutbox):
    day = date(2026, 12, 1)
    users["clerk_xichang"].email = "x@example.org"
    users["clerk_xichang"].save()
    for kind in rhythm.KINDS:
        assert rhythm.run(kind, day) > 0, kind
        assert rhythm.run(kind, day) == 0, kind  # running it twice changes nothing
    assert Digest.objects.filter(day=date(2026, 11, 30)).count() >= 5
    assert Dispatch.objects.filter(week="2026-W49").count() == 17
    assert [m.to for m in mailoutbox] == [["x@example.org"]]  # the dispatch to 西昌's clerk
    assert "西昌严重滞后" in mailoutbox[0].body
    mine = Dispatch.objects.get(week="2026-W49", county__code="513401")
    assert "西昌严重滞后" in client_for(users["clerk_xichang"]).get(f"/alarms/rhythm/dispatches/{mine.pk}/").content.decode()
    assert client_for(users["clerk_zhaojue"]).get(f"/alarms/rhythm/dispatches/{mine.pk}/").status_code == 404
    assert set(Publication.objects.values_list("kind", "period", "version")) == {
        ("bulletin", "2026-11", 1), ("ranking", "2026-Q3", 1)}


def test_a_publication_never_changes_a_correction_is_a_new_version(alarms, official):
    pub, _ = rhythm.publish(Publication.Kind.BULLETIN, "2026-11", official)
    pub.content = {"tampered": True}
    with pytest.raises(ValueError):
        pub.save()
    v2 = rhythm.correct(Publication.Kind.BULLETIN, "2026-11", official, "补录西昌数据后更正")
    assert v2.version == 2
    html = client_for(official).get(f"/alarms/rhythm/publications/{pub.pk}/").content.decode()
    assert "v1" in html and "补录西昌数据后更正" in html


def test_ranking_movement_and_trend_arrows():
    from collections import Counter

    load_default_rules()
    first = {"rows": [{"code": "513401", "rank": 3, "share": 50.0}, {"code": "513431", "rank": 1, "share": 80.0}]}
    Publication.objects.create(kind="ranking", period="2026-Q2", content=first)
    from unittest import mock

    statuses = {"513401": Counter(achieved=9, off_track=1), "513431": Counter(on_track=79, off_track=21)}
    with mock.patch("alarms.rhythm._statuses_by_county", return_value=statuses), \
            mock.patch("alarms.rhythm._judged_year", return_value=2025):
        content = rhythm.ranking_content("2026-Q3")
    rows = {r["code"]: r for r in content["rows"]}
    assert content["against"] == "2026-Q2"
    assert (rows["513401"]["rank"], rows["513401"]["movement"], rows["513401"]["trend"]) == (1, 2, "up")
    assert (rows["513431"]["rank"], rows["513431"]["movement"], rows["513431"]["trend"]) == (2, -1, "flat")


def test_only_officials_run_the_rhythm_by_hand(alarms, users):
    for role in ("clerk_xichang", "auditor", "admin"):
        assert client_for(users[role]).post("/alarms/rhythm/run/", {"kind": "monthly"}).status_code == 403
    assert not Publication.objects.exists()
    assert client_for(users["official"]).post("/alarms/rhythm/run/", {"kind": "monthly"}).status_code == 302
    assert Publication.objects.count() == 1
    page = client_for(users["official"]).get("/alarms/rhythm/").content.decode()
    assert "alarms.tasks" not in page and "月通报" in page and "立即生成" in page
    audited = client_for(users["auditor"]).get("/alarms/rhythm/").content.decode()
    assert "立即生成" not in audited and "crontab" not in page and "0 4 1 * *" in audited  # the schedule, readable
