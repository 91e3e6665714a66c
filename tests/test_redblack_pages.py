"""The red/black list and supervision pages: who may open what, what they show, fixed query counts."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from places.models import County
from redblack import lists, supervision
from redblack.models import Publication, SupervisionNotice
from tests.conftest import client_for
from tests.redblack_data import HUILI, XICHANG, YEAR, ZHAOJUE, default_rules, lagging_zhaojue, progress  # noqa: F401

pytestmark = pytest.mark.django_db
ROLES = ["clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin"]


@pytest.fixture
def published(official):
    lagging_zhaojue()
    return lists.publish(official, "2026-Q3", YEAR)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_current_lists(users, published, role):
    html = client_for(users[role]).get(reverse("redblack-lists")).content.decode()
    assert "2026-Q3" in html and "昭觉县" in html and "西昌市" in html and "严重滞后" in html
    assert ("一键督导" in html) is (role == "official")
    assert ('href="/redblack/entries/' in html) is (role == "clerk_zhaojue")  # 申诉: only on its own entry


def test_the_meeting_screen_mode_and_an_unpublished_period(official, published):
    client = client_for(official)
    assert 'class="meeting"' in client.get(reverse("redblack-lists"), {"screen": "1"}).content.decode()
    assert "尚未发布" in client.get(reverse("redblack-lists"), {"period": "2030-01"}).content.decode()


@pytest.mark.parametrize("role, code", [("clerk_xichang", 403), ("auditor", 403), ("admin", 403), ("official", 200)])
def test_only_officials_preview(users, role, code):
    lagging_zhaojue()
    response = client_for(users[role]).get(reverse("redblack-preview"), {"period": "2026-Q3", "year": YEAR})
    assert response.status_code == code
    if code == 200:
        assert "红榜 1 条，黑榜 1 条" in response.content.decode()


@pytest.mark.parametrize("role, code", [("clerk_xichang", 403), ("auditor", 403), ("admin", 403), ("official", 302)])
def test_only_officials_publish_from_the_page(users, role, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the request commits
        response = client_for(users[role]).post(reverse("redblack-preview"), {"period": "2026-11", "year": YEAR})
    assert response.status_code == code
    assert Publication.objects.filter(period="2026-11").exists() is (code == 302)


def test_publishing_twice_from_the_page_says_why(official, published):
    response = client_for(official).post(reverse("redblack-preview"), {"period": "2026-Q3", "year": YEAR})
    assert response.status_code == 409 and "不能再次发布" in response.content.decode()
    assert client_for(official).get(reverse("redblack-preview"), {"period": "2026-13", "year": YEAR}).status_code == 400


@pytest.mark.parametrize("role, code", [("clerk_zhaojue", 403), ("auditor", 403), ("admin", 403), ("official", 302)])
def test_only_officials_correct(users, published, role, code, django_capture_on_commit_callbacks):
    black = published.entries.get(list="black")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users[role]).post(reverse("redblack-correct", args=[published.pk]),
                                                {"remove": [black.pk], "reason": "数据口径有误"})
    assert response.status_code == code
    assert Publication.objects.filter(period="2026-Q3").count() == (2 if code == 302 else 1)


def test_a_corrected_list_shows_the_correction_and_keeps_the_original(official, auditor, published):
    lists.correct(official, published, remove=[published.entries.get(list="black").pk], reason="数据口径有误")
    html = client_for(auditor).get(reverse("redblack-lists")).content.decode()
    assert "第2版" in html and "数据口径有误" in html and "查看第1版" in html
    old = client_for(auditor).get(reverse("redblack-publication", args=[published.pk])).content.decode()
    assert "此版本已被更正" in old and "昭觉县" in old
    new = Publication.objects.get(period="2026-Q3", version=2)
    page = client_for(auditor).get(reverse("redblack-publication", args=[new.pk])).content.decode()
    black = published.entries.get(list="black")
    assert "与第1版相比" in page and f'id="withdrawn-{black.pk}"' in page


def test_history_shows_movement(official, auditor, published):
    progress(HUILI, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    lists.publish(official, "2026-Q4", YEAR)
    html = client_for(auditor).get(reverse("redblack-history")).content.decode()
    assert "会理市（1）" in html and "昭觉县（2）" in html


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_page_runs_a_fixed_number_of_queries(official, published):
    client = client_for(official)
    small = _queries(client, reverse("redblack-lists"))
    for county in County.objects.exclude(code__in=[ZHAOJUE, XICHANG]):
        progress(county.code, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    lists.publish(official, "2026-Q4", YEAR)
    assert _queries(client, reverse("redblack-lists")) == small
    assert _queries(client, reverse("redblack-history")) == _queries(client, reverse("redblack-history"))


def _black(html: str) -> str:
    return html.split('id="black-list"')[1].split("</table>")[0]


def test_the_lists_page_shows_a_page_of_each_list_and_one_countys_lines(official, clerk_zhaojue, published, settings):
    """A national list has two hundred thousand lines: the page shows ``REDBLACK_PAGE_SIZE`` of each, with a
    pager, and clicking a county shows its lines only; the query count stays fixed."""
    settings.REDBLACK_PAGE_SIZE = 1
    client = client_for(official)
    small = _queries(client, reverse("redblack-lists"))
    for county in County.objects.exclude(code__in=[ZHAOJUE, XICHANG]):
        progress(county.code, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    lists.publish(official, "2026-Q4", YEAR)
    assert _queries(client, reverse("redblack-lists")) == small
    black = Publication.objects.get(period="2026-Q4").entries.filter(list="black").order_by("position")
    first, second = (e.county.name for e in black[:2])
    html = client.get(reverse("redblack-lists")).content.decode()
    assert 'id="black-pager"' in html and "black_page=2" in html and "共 %s 条" % black.count() in html
    assert first in _black(html) and second not in _black(html)
    html = client.get(reverse("redblack-lists"), {"period": "2026-Q4", "black_page": 2}).content.decode()
    assert second in _black(html) and first not in _black(html)
    html = client.get(reverse("redblack-lists"), {"period": "2026-Q4", "county": HUILI}).content.decode()
    assert "会理市" in _black(html) and "昭觉县" not in _black(html) and 'id="black-pager"' not in html
    mine = client_for(clerk_zhaojue).get(reverse("redblack-lists"), {"period": "2026-Q4"}).content.decode()
    assert f'id="own-county" href="?period=2026-Q4&amp;county={ZHAOJUE}"' in mine


# supervision pages ---------------------------------------------------------------------------------------------

def test_one_click_from_a_black_entry_prefills_the_form(official, published):
    entry = published.entries.get(list="black")
    html = client_for(official).get(reverse("supervision-new"), {"entry": entry.pk}).content.decode()
    assert "昭觉县" in html and "CMP-01" in html and "90.04" not in html and "90" in html
    assert "checked" in html
    # A date input takes ISO dates only: the prefilled deadline must be one, whatever the language's format.
    from redblack.conf import reply_days
    from django.utils import timezone
    from datetime import timedelta
    due = (timezone.localdate() + timedelta(days=reply_days())).isoformat()
    assert f'type="date" name="deadline" value="{due}"' in html


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_only_officials_open_the_notice_form(users, role):
    assert client_for(users[role]).get(reverse("supervision-new"), {"county": ZHAOJUE}).status_code == 403
    assert client_for(users[role]).post(reverse("supervision-new"), {"county": ZHAOJUE}).status_code == 403


@pytest.fixture
def notice(official):
    lagging_zhaojue()
    county = County.objects.get(code=ZHAOJUE)
    d = supervision.draft(official, county)
    return supervision.create(official, county, indicators=d.indicators, deadline=d.deadline, message=d.message,
                              title=d.title)


def test_the_notice_reaches_the_clerk_home_page(clerk_zhaojue, clerk_xichang, notice):
    html = client_for(clerk_zhaojue).get(reverse("county-page", args=[ZHAOJUE])).content.decode()
    assert notice.title in html and "待整改" in html
    assert notice.title not in client_for(clerk_xichang).get(reverse("county-page", args=[XICHANG])).content.decode()


@pytest.mark.parametrize("role, code", [("clerk_zhaojue", 200), ("clerk_xichang", 404), ("official", 200),
                                        ("auditor", 200), ("admin", 200)])
def test_who_opens_a_notice(users, notice, role, code):
    response = client_for(users[role]).get(reverse("supervision-notice", args=[notice.pk]))
    assert response.status_code == code
    if code == 200:
        html = response.content.decode()
        assert notice.title in html and users[role].username in html  # the viewer is listed
        assert ('id="reply-form"' in html) is (role == "clerk_zhaojue")


def test_the_page_lifecycle(official, clerk_zhaojue, notice):
    url = reverse("supervision-notice", args=[notice.pk])
    ind = notice.indicators.get()
    plan = {f"i{ind.pk}-cause": "辍学反弹", f"i{ind.pk}-measures": "控辍保学", f"i{ind.pk}-responsible": "张三",
            f"i{ind.pk}-start": "2026-01-01", f"i{ind.pk}-due": "2026-06-30", "reply": "方案如下", "action": "reply"}
    clerk, boss = client_for(clerk_zhaojue), client_for(official)
    assert boss.post(url, plan).status_code == 403  # an official does not answer for the county
    assert clerk.post(url, {**plan, f"i{ind.pk}-due": "2025-01-01"}).status_code == 409  # ends before it starts
    assert clerk.post(url, plan).status_code == 302
    assert clerk.post(url, {"action": "close"}).status_code == 403
    assert boss.post(url, {"action": "send_back", "comment": "措施不具体"}).status_code == 302
    assert "措施不具体" in clerk.get(url).content.decode()
    assert clerk.post(url, plan).status_code == 302
    assert boss.post(url, {"action": "close", "comment": "核查属实"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "closed" and notice.closed_by == official
    html = boss.get(url).content.decode()
    assert "核查销号" in html and "退回重改" in html and "控辍保学" in html


def test_the_notices_page_runs_a_fixed_number_of_queries(official, notice):
    client = client_for(official)
    small = _queries(client, reverse("supervision-list"))
    for code in (XICHANG, HUILI):
        county = County.objects.get(code=code)
        supervision.create(official, county, indicators=list(notice.indicators.all()), deadline=notice.deadline,
                           message="m")
    assert _queries(client, reverse("supervision-list")) == small
    assert SupervisionNotice.objects.count() == 3


@pytest.mark.parametrize("role", ["official", "auditor", "admin"])
def test_one_click_from_the_county_page_for_officials_only(users, role):
    lagging_zhaojue()
    html = client_for(users[role]).get(reverse("county-page", args=[ZHAOJUE])).content.decode()
    assert 'id="county-record"' in html
    assert (f'href="/supervision/new/?county={ZHAOJUE}"' in html) is (role == "official")
    if role == "official":
        form = client_for(users[role]).get(reverse("supervision-new"), {"county": ZHAOJUE}).content.decode()
        assert "一键督导：昭觉县" in form and "CMP-01" in form


def test_the_lists_page_in_english(official, published):
    html = client_for(official).get(reverse("redblack-lists"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Red list" in html and "Black list" in html and "Supervise" in html


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_non_officials_are_refused_before_the_form_is_read(users, published, role):
    client = client_for(users[role])
    assert client.post(reverse("redblack-correct", args=[published.pk]), {}).status_code == 403
    assert client.get(reverse("redblack-preview")).status_code == 403


def test_an_appeal_decision_is_refused_to_non_officials_before_the_form_is_read(users, published):
    from redblack import appeals
    appeal = appeals.file(users["clerk_zhaojue"], published.entries.get(list="black"), reason="不服")
    for role in ("clerk_zhaojue", "auditor", "admin"):
        assert client_for(users[role]).post(reverse("redblack-appeal-decide", args=[appeal.pk]), {}).status_code == 403


# a national list on the pages of one version, the preview and the correction --------------------------------

def _national(official):
    """Every county on the black list of 2026-Q4 (the published fixture has 2026-Q3)."""
    for county in County.objects.exclude(code__in=[ZHAOJUE, XICHANG]):
        progress(county.code, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    return lists.publish(official, "2026-Q4", YEAR)


def test_a_versions_page_shows_a_page_of_each_list_with_a_fixed_number_of_queries(official, auditor, published,
                                                                                  settings):
    settings.REDBLACK_PAGE_SIZE = 1
    url = reverse("redblack-publication", args=[published.pk])
    small = _queries(client_for(auditor), url)
    big = _national(official)
    black = big.entries.filter(list="black").order_by("position")
    first, second = (e.county.name for e in black[:2])
    big_url = reverse("redblack-publication", args=[big.pk])
    assert _queries(client_for(auditor), big_url) == small
    html = client_for(auditor).get(big_url).content.decode()
    assert 'id="black-pager"' in html and "共 %s 条" % black.count() in html
    assert first in _black(html) and second not in _black(html)
    assert second in _black(client_for(auditor).get(big_url, {"black_page": 2}).content.decode())
    one = client_for(auditor).get(big_url, {"county": HUILI}).content.decode()
    assert "会理市" in _black(one) and "昭觉县" not in _black(one)


@pytest.mark.parametrize("role", ["official", "auditor"])
def test_lines_to_withdraw_are_ticked_in_the_lists_by_officials_only(users, published, role):
    html = client_for(users[role]).get(reverse("redblack-publication", args=[published.pk])).content.decode()
    black = published.entries.get(list="black")
    assert (f'id="remove-{black.pk}"' in html) is (role == "official")
    assert ('id="correction-form"' in html) is (role == "official")


def test_a_correction_from_ticked_lines_and_its_refusals(official, published, django_capture_on_commit_callbacks):
    client, black = client_for(official), published.entries.get(list="black")
    url = reverse("redblack-correct", args=[published.pk])
    for bad in ("abc", str(10 ** 9)):  # not a number; not a line of this version
        response = client.post(url, {"remove": [bad], "reason": "数据口径有误"}, follow=True)
        assert "所选条目不在此版本中" in response.content.decode()
    assert "请填写更正原因" in client.post(url, {"remove": [black.pk]}, follow=True).content.decode()
    assert Publication.objects.filter(period="2026-Q3").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"remove": [black.pk], "reason": "数据口径有误"})
    new = Publication.objects.get(period="2026-Q3", version=2)
    job = response["Location"]
    assert response.status_code == 302 and job.startswith("/redblack/jobs/")
    assert client.get(job)["Location"] == reverse("redblack-publication", args=[new.pk])  # done: to the version
    assert not new.entries.filter(list="black").exists()
    old = client.get(reverse("redblack-publication", args=[published.pk])).content.decode()
    assert 'id="correction-form"' not in old and f'id="remove-{black.pk}"' not in old  # only the current version


def test_a_corrections_changes_are_counted_in_full_and_listed_in_part(official, auditor, published, settings):
    settings.REDBLACK_PAGE_SIZE = 1
    big = _national(official)
    from assessment.models import Progress
    Progress.objects.filter(year=YEAR).exclude(area__in=[ZHAOJUE, XICHANG]).update(status="achieved", value=97)
    new = lists.correct(official, big, remove=[], reason="补录")
    gone = lists.changes_of(new).removed
    assert len(gone) == County.objects.count() - 2
    html = client_for(auditor).get(reverse("redblack-publication", args=[new.pk])).content.decode()
    assert f"按现有数据不再列入 {len(gone)} 条" in html and "每类仅列出前 1 条" in html
    assert html.count('id="removed-') == 1


def test_the_preview_lists_the_first_lines_and_one_countys_lines(official, settings):
    settings.REDBLACK_PAGE_SIZE = 1
    lagging_zhaojue()
    for county in County.objects.exclude(code__in=[ZHAOJUE, XICHANG]):
        progress(county.code, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    client, n = client_for(official), County.objects.count() - 1
    html = client.get(reverse("redblack-preview"), {"period": "2026-Q3", "year": YEAR}).content.decode()
    black = html.split('id="preview-black"')[1].split("</table>")[0]
    assert f"黑榜 {n} 条" in html and f"列出 1 条，共 {n} 条" in html and black.count("<tr>") == 2  # head + 1
    one = client.get(reverse("redblack-preview"), {"period": "2026-Q3", "year": YEAR, "county": HUILI}).content.decode()
    black = one.split('id="preview-black"')[1].split("</table>")[0]
    assert "会理市" in black and "昭觉县" not in black and f"黑榜 {n} 条" in one


def _corrected(official, published):
    from assessment.models import Progress
    Progress.objects.filter(area=XICHANG, year=YEAR).update(value=97.04)  # 西昌's reason changes
    return lists.correct(official, published, remove=[published.entries.get(list="black").pk], reason="申诉成立")


def test_a_correction_keeps_what_it_changed(official, published):
    new = _corrected(official, published)
    found = lists.changes_of(new)
    assert new.changes["counts"] == {"withdrawn": len(found.withdrawn), "removed": len(found.removed),
                                     "added": len(found.added), "changed": len(found.changed)}
    assert new.changes["counts"]["withdrawn"] == 1 and new.changes["counts"]["changed"] == 1
    assert {lists.key(e): e.change for e in new.entries.select_related("county", "indicator") if e.change} == found.keys


def test_a_corrections_page_reads_what_was_kept_not_both_versions(official, auditor, published):
    new = _corrected(official, published)
    client = client_for(auditor)
    _queries(client, reverse("redblack-publication", args=[published.pk]))  # the first request of a session costs more
    original = _queries(client, reverse("redblack-publication", args=[published.pk]))
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("redblack-publication", args=[new.pk])).content.decode()
    assert len(ctx.captured_queries) <= original  # (an empty list costs no page query)
    assert not [q for q in ctx.captured_queries if f"publication_id\" = {published.pk}" in q["sql"]]
    assert "撤下 1 条" in html and "理由或数据有变化 1 条" in html and "本版有变化" in html


def test_a_correction_published_before_its_changes_were_kept_is_compared_on_the_page(official, auditor, published,
                                                                                    monkeypatch):
    monkeypatch.setattr(lists, "summary", lambda found, limit=None: None)
    monkeypatch.setattr(lists.Changes, "keys", property(lambda self: {}))
    new = _corrected(official, published)
    monkeypatch.undo()
    assert new.changes is None and not new.entries.exclude(change="").exists()
    html = client_for(auditor).get(reverse("redblack-publication", args=[new.pk])).content.decode()
    assert "撤下 1 条" in html and "理由或数据有变化 1 条" in html and "本版有变化" in html
