"""E-mail: new notices, 催办, yellow and red escalations and appeal decisions reach, by Django's mail backend, the
people concerned who have an address and chose e-mail (the alarms' per-user setting), each once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from alarms.models import Notification, NotificationSetting
from places.models import County
from redblack import appeals, lists, supervision
from tests.redblack_data import YEAR, ZHAOJUE, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = pytest.mark.django_db


def _wants_mail(user, address: str, wants: bool = True) -> None:
    user.email = address
    user.save(update_fields=["email"])
    NotificationSetting.objects.create(user=user, email=wants)


@pytest.fixture
def addresses(users):
    """昭觉's clerk, its leader and the official want mail; 西昌's clerk has an address and wants it too (another county);
    the auditor has an address but did not choose e-mail."""
    _wants_mail(users["clerk_zhaojue"], "zhaojue@example.invalid")
    _wants_mail(users["official"], "official@example.invalid")
    _wants_mail(users["clerk_xichang"], "xichang@example.invalid")
    _wants_mail(users["leader_zhaojue"], "leader.zhaojue@example.invalid")
    _wants_mail(users["auditor"], "auditor@example.invalid", wants=False)
    return users


@pytest.fixture
def notice(official, addresses, django_capture_on_commit_callbacks):
    lagging_zhaojue()
    draft = supervision.draft(official, County.objects.get(code=ZHAOJUE))
    with django_capture_on_commit_callbacks(execute=True):
        return supervision.create(official, draft.county, indicators=draft.indicators, deadline=draft.deadline,
                                  message=draft.message)


def _to() -> list[str]:
    return sorted(a for m in mail.outbox for a in m.to)


def test_a_new_notice_is_mailed_to_the_county_clerk_who_wants_it(notice):
    assert _to() == ["zhaojue@example.invalid"]
    assert "新督导通知" in mail.outbox[0].subject and f"/supervision/{notice.pk}/" in mail.outbox[0].body
    assert Notification.objects.filter(user__username="clerk_zhaojue", link=f"/supervision/{notice.pk}/").exists()


def test_no_address_or_no_wish_means_no_mail(official, users, django_capture_on_commit_callbacks):
    _wants_mail(users["clerk_zhaojue"], "", wants=True)  # wants mail, has no address
    lagging_zhaojue()
    draft = supervision.draft(official, County.objects.get(code=ZHAOJUE))
    with django_capture_on_commit_callbacks(execute=True):
        supervision.create(official, draft.county, indicators=draft.indicators, deadline=draft.deadline,
                           message=draft.message)
    assert mail.outbox == [] and Notification.objects.filter(user=users["clerk_zhaojue"]).count() == 1


def test_reminder_yellow_and_red_each_mailed_once_red_reaching_the_officials(notice,
                                                                            django_capture_on_commit_callbacks):
    mail.outbox.clear()
    deadline = notice.deadline
    steps = [(deadline - timedelta(days=3), ["zhaojue@example.invalid"], "催办"),
             # past the deadline the notice reaches the next person up: the county's responsible leader (yellow),
             # then the prefecture officials (red); those told before stay told
             (deadline + timedelta(days=1), ["leader.zhaojue@example.invalid", "zhaojue@example.invalid"], "黄牌"),
             (deadline + timedelta(days=8), ["leader.zhaojue@example.invalid", "official@example.invalid",
                                             "zhaojue@example.invalid"], "红牌")]
    for day, to, word in steps:
        with django_capture_on_commit_callbacks(execute=True):
            supervision.escalate(day)
            supervision.escalate(day)  # the beat may run twice: nothing more is sent
        assert _to() == to and all(word in m.subject for m in mail.outbox), word
        mail.outbox.clear()


def test_a_replied_notice_sends_nothing_more(notice, users, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    supervision.reply(users["clerk_zhaojue"], notice, text="方案")
    with django_capture_on_commit_callbacks(execute=True):
        supervision.escalate(notice.deadline + timedelta(days=30))
    assert mail.outbox == []


@pytest.mark.parametrize("uphold, word", [(True, "申诉成立"), (False, "申诉驳回")])
def test_an_appeal_decision_is_mailed_to_the_county(official, addresses, django_capture_on_commit_callbacks,
                                                    uphold, word):
    lagging_zhaojue()
    entry = lists.publish(official, "2026-Q3", YEAR).entries.get(list="black")
    appeal = appeals.file(addresses["clerk_zhaojue"], entry, reason="数据已更正")
    with django_capture_on_commit_callbacks(execute=True):
        appeals.decide(official, appeal, uphold=uphold, decision="经核实")
    assert _to() == ["zhaojue@example.invalid"]
    assert word in mail.outbox[0].subject and "经核实" in mail.outbox[0].subject and "CMP-01" in mail.outbox[0].subject
