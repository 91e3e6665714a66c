"""Every model of ours has an admin page that loads, with search; only administrators reach it."""
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OURS = sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry
              if m._meta.app_label in ("indicators", "counties", "assessment", "scoring"))


def test_every_model_of_ours_is_registered():
    from django.apps import apps

    models = {(m._meta.app_label, m._meta.model_name) for app in ("indicators", "counties", "assessment", "scoring")
              for m in apps.get_app_config(app).get_models() if not m.__name__.startswith("Historical")}
    assert models <= set(OURS)


@pytest.mark.parametrize(("app", "model"), OURS)
def test_changelist_loads_and_searches(admin_user, app, model):
    client = client_for(admin_user)
    url = reverse(f"admin:{app}_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "西昌"}).status_code == 200


@pytest.mark.parametrize("role", ["official", "auditor", "clerk_xichang"])
def test_other_roles_do_not_reach_the_admin(users, role):
    response = client_for(users[role]).get(reverse("admin:indicators_indicator_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_figures_are_read_in_the_admin_but_never_written_there(admin_user):
    """A figure changed in the admin would skip the workflow: no version check, no reason, no recompute."""
    from places.models import County
    from counties.models import Figure
    from indicators.models import Indicator

    figure = Figure.objects.create(county=County.objects.get(code="513401"),
                                   indicator=Indicator.objects.get(code="PRE-01"), year=2024, value=90,
                                   numerator=900, denominator=1000, status="approved")
    client = client_for(admin_user)
    change = reverse("admin:counties_figure_change", args=[figure.pk])
    assert client.get(change).status_code == 200  # readable
    response = client.post(change, {"county": figure.county_id, "indicator": figure.indicator_id, "year": 2024,
                                    "value": "10", "status": "approved"})
    assert response.status_code == 403
    assert client.get(reverse("admin:counties_figure_add")).status_code == 403
    assert client.post(reverse("admin:counties_figure_delete", args=[figure.pk]), {"post": "yes"}).status_code == 403
    figure.refresh_from_db()
    assert (figure.value, figure.version) == (90, 1)
