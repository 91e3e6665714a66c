"""Every model of ours has an admin page that loads, with search; only administrators reach it."""
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

OURS = sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry
              if m._meta.app_label in ("indicators", "counties", "assessment"))


def test_every_model_of_ours_is_registered():
    from django.apps import apps

    models = {(m._meta.app_label, m._meta.model_name) for app in ("indicators", "counties", "assessment")
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
