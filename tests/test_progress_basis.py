"""A change to what progress depends on (targets, indicators, tiers) recomputes it, not only the nightly run."""
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessment import basis
from assessment.models import Progress, RecomputeJob
from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from indicators.models import Indicator, Plan, Target
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pre01_2024():
    """西昌 at 90 % on PRE-01 (学前三年毛入园率, ≥ 92 % by 2025) in 2024, progress computed."""
    indicator = Indicator.objects.get(code="PRE-01")
    Figure.objects.create(county=County.objects.get(code="513401"), indicator=indicator, year=2024,
                          value=D(90), numerator=D(900), denominator=D(1000), status="approved")
    recompute_all()
    return indicator


def row(indicator):
    return Progress.objects.get(area="513401", indicator=indicator, year=2024)


def test_the_digest_moves_with_targets_and_tiers_only():
    before = basis.digest()
    Plan.objects.filter(code="preschool").update(name="改名")
    assert basis.digest() == before
    target = Target.objects.filter(indicator__code="PRE-01").get()
    Target.objects.filter(pk=target.pk).update(value=D(95))
    changed = basis.digest()
    assert changed != before
    County.objects.filter(code="513401").update(tier=3)
    assert basis.digest() != changed


def test_reloading_an_unchanged_catalogue_keeps_progress(pre01_2024):
    ids = list(Progress.objects.values_list("id", flat=True))
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert "targets unchanged" in out.getvalue()
    assert list(Progress.objects.values_list("id", flat=True)) == ids


def test_loading_a_catalogue_that_changes_a_target_recomputes(pre01_2024):
    Target.objects.filter(indicator=pre01_2024).update(value=D(80))  # a wrong value in the database …
    recompute_all()
    assert (row(pre01_2024).target, row(pre01_2024).status) == (D(80), "achieved")
    out = StringIO()
    call_command("load_catalogue", stdout=out)  # … corrected by the catalogue: progress follows at once
    assert "progress recomputed" in out.getvalue()
    assert (row(pre01_2024).target, row(pre01_2024).status) == (D(92), "on_track")


def test_an_administrator_correcting_a_target_in_the_admin_recomputes(pre01_2024, admin_user,
                                                                       django_capture_on_commit_callbacks):
    target = Target.objects.get(indicator=pre01_2024)
    url = reverse("admin:indicators_target_change", args=[target.pk])
    data = {"indicator": target.indicator_id, "year": target.year, "value": "88", "tier": "", "note": target.note}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, data, follow=True)
    assert response.status_code == 200
    assert "进度将重新计算" in response.content.decode()
    assert (row(pre01_2024).target, row(pre01_2024).status) == (D(88), "achieved")
    assert RecomputeJob.objects.get().state == "success"


def test_an_admin_edit_that_changes_no_target_starts_no_recompute(pre01_2024, admin_user,
                                                                   django_capture_on_commit_callbacks):
    plan = Plan.objects.get(code="preschool")
    url = reverse("admin:indicators_plan_change", args=[plan.pk])
    data = {f: "" if getattr(plan, f) is None else getattr(plan, f) for f in ("code", "name", "short_name", "name_en", "cycle", "document",
                                                 "goals", "order")}
    data["issued"] = plan.issued.isoformat() if plan.issued else ""
    data["name"] = plan.name + "（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, data, follow=True)
    assert response.status_code == 200
    errors = response.context.get("errors") if response.context else None
    assert not errors, errors
    Plan.objects.get(code="preschool", name__endswith="（修订）")
    assert not RecomputeJob.objects.exists()


def test_reverting_a_target_to_an_earlier_version_in_the_admin_recomputes(pre01_2024, admin_user,
                                                                           django_capture_on_commit_callbacks):
    """django-simple-history's revert saves the target without the change form's hooks: it must count too."""
    target = Target.objects.get(indicator=pre01_2024)
    original = target.history.earliest()
    target.value = D(80)
    target.save()
    recompute_all()
    assert row(pre01_2024).target == D(80)
    url = reverse("admin:indicators_target_simple_history", args=[target.pk, original.history_id])
    data = {"indicator": target.indicator_id, "year": original.year, "value": str(original.value), "tier": "",
            "note": original.note}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, data, follow=True)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.value == D(92)
    assert row(pre01_2024).target == D(92)
