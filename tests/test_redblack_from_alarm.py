"""一键督导 from an alarm (issue 10 item 4): offered to officials on the alarm centre and an alarm's page, the
notice form prefilled from the alarm, the notice recording it; refused to every other role."""
from __future__ import annotations

import pytest
from django.urls import reverse

from alarms import judging
from alarms.choices import Kind
from alarms.defaults import load_default_rules
from alarms.models import Alarm
from alarms.services import Finding, apply
from indicators.models import Indicator
from places.models import County
from redblack.models import SupervisionNotice
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ZHAOJUE = "513431"


@pytest.fixture
def alarm(db):
    load_default_rules()
    county, ind = County.objects.get(code=ZHAOJUE), Indicator.objects.get(code="PRE-01")
    apply([Finding(Kind.OVERDUE, county.pk, ind.pk, "", judging.RAISE, "昭觉逾期未达标")])
    return Alarm.objects.get(county=county)


@pytest.mark.parametrize("role", ["official", "auditor", "clerk_zhaojue", "admin"])
def test_the_link_is_offered_to_officials_only(users, alarm, role):
    link = f'id="supervise-{alarm.pk}" href="/supervision/new/?alarm={alarm.pk}"'
    for url in ("/alarms/", reverse("alarm-detail", args=[alarm.pk])):
        assert (link in client_for(users[role]).get(url).content.decode()) is (role == "official")


@pytest.mark.parametrize("role", ["auditor", "clerk_zhaojue", "admin"])
def test_only_officials_open_the_form_from_an_alarm(users, alarm, role):
    client = client_for(users[role])
    assert client.get(reverse("supervision-new"), {"alarm": alarm.pk}).status_code == 403
    assert client.post(reverse("supervision-new"), {"alarm": alarm.pk}).status_code == 403


def test_one_click_from_an_alarm_prefills_and_records_it(official, alarm):
    client = client_for(official)
    html = client.get(reverse("supervision-new"), {"alarm": alarm.pk}).content.decode()
    assert "昭觉县" in html and "PRE-01" in html and "依据智能报警" in html and "昭觉逾期未达标" in html
    assert 'id="from-alarm"' in html and f'name="alarm" value="{alarm.pk}"' in html
    assert client.get(reverse("supervision-new"), {"alarm": 10 ** 9}).status_code == 404
    ind = Indicator.objects.get(code="PRE-01")
    response = client.post(reverse("supervision-new"), {
        "alarm": alarm.pk, "indicators": [ind.pk], "title": "督导", "message": "请整改",
        "deadline": "2099-01-01"})
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and notice.alarm == alarm and notice.county.code == ZHAOJUE
    page = client.get(reverse("supervision-notice", args=[notice.pk])).content.decode()
    assert f'id="source-alarm" href="/alarms/{alarm.pk}/"' in page


def test_a_notice_from_another_countys_alarm_is_refused(official, alarm):
    from redblack import supervision

    xichang = County.objects.get(code="513401")
    with pytest.raises(supervision.NoticeError):
        supervision.create(official, xichang, indicators=[alarm.indicator], deadline=alarm.raised_at.date().replace(
            year=2099), message="m", alarm=alarm)
