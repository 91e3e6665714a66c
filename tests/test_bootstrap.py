"""bootstrap: safe to run again; --demo creates the role users and labelled synthetic figures."""
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessment.models import Progress
from counties.models import Figure
from indicators.models import Indicator, Target
from liangshan_edu.roles import county_of, role_of

pytestmark = pytest.mark.django_db


def test_bootstrap_twice_changes_nothing():
    call_command("bootstrap", stdout=open("/dev/null", "w"))
    before = (Indicator.objects.count(), Target.objects.count(), Indicator.history.count(),
              Target.history.count())
    call_command("bootstrap", stdout=open("/dev/null", "w"))
    assert (Indicator.objects.count(), Target.objects.count(), Indicator.history.count(),
            Target.history.count()) == before


def test_demo_users_have_their_roles_and_counties():
    call_command("bootstrap", "--demo", stdout=open("/dev/null", "w"))
    users = {u.username: u for u in get_user_model().objects.all()}
    assert role_of(users["official"]) == "official"
    assert role_of(users["auditor"]) == "auditor"
    assert role_of(users["admin"]) == "administrator" and users["admin"].is_staff
    assert county_of(users["clerk_xichang"]).name == "西昌市"
    assert county_of(users["clerk_zhaojue"]).name == "昭觉县"
    assert users["clerk_zhaojue"].check_password("liangshan2025")


def test_demo_figures_are_labelled_span_2021_to_2024_and_some_counties_lag():
    call_command("bootstrap", "--demo", stdout=open("/dev/null", "w"))
    figures = Figure.objects.all()
    assert figures.exists() and not figures.filter(is_demo=False).exists()
    assert sorted(set(figures.values_list("year", flat=True))) == [2021, 2022, 2023, 2024]
    assert figures.filter(county__isnull=True).count() == 0
    assert not figures.exclude(status="approved").exists()
    assert figures.values("county").distinct().count() == 17
    rate = figures.filter(indicator__kind="rate").first()
    assert rate.numerator is not None and rate.denominator and rate.value == Figure.rate_value(
        rate.numerator, rate.denominator)
    statuses = Counter(Progress.objects.filter(year=2024).exclude(area="prefecture").values_list("status", flat=True))
    assert statuses["achieved"] and statuses["off_track"] and statuses["lagging"]
    # Counties differ: the share of achieved indicators is not the same everywhere.
    shares = {}
    for area in Progress.objects.filter(year=2024).exclude(area="prefecture").values_list("area", flat=True).distinct():
        rows = Progress.objects.filter(year=2024, area=area)
        shares[area] = rows.filter(status="achieved").count() / rows.count()
    assert max(shares.values()) - min(shares.values()) > 0.1


def test_demo_twice_gives_the_same_figures():
    call_command("bootstrap", "--demo", stdout=open("/dev/null", "w"))
    first = sorted(Figure.objects.values_list("county__code", "indicator__code", "year", "value"))
    call_command("bootstrap", "--demo", stdout=open("/dev/null", "w"))
    assert sorted(Figure.objects.values_list("county__code", "indicator__code", "year", "value")) == first
