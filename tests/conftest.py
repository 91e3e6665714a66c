"""Shared test fixtures: the real catalogue and counties, and one user per role (named after roles).

The catalogue is loaded once per session into the test database; each test runs in a transaction that is
rolled back. Tests that need real commits (``transactional_db``) reload it afterwards, because the flush at
their end empties every table.
"""
from __future__ import annotations

import os

import pytest
from django.conf import settings


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"


def load_base_data() -> None:
    from counties import demo
    from indicators import catalogue
    from liangshan_edu.loading import load_catalogue

    load_catalogue(catalogue.read_files())
    demo.create_users()


def install_published_row_triggers() -> list[str]:
    """On PostgreSQL, the triggers the migrations install to refuse changes to published rows
    (``liangshan_edu.immutable.refuse_changes``): the test database is built without migrations, so without this
    the suite would never run with them. Every migration that calls ``refuse_changes`` names its tables in
    ``PUBLISHED_TABLES``. Returns the tables."""
    from importlib import import_module
    from pathlib import Path

    from django.db import connection

    from liangshan_edu import immutable

    root = Path(settings.BASE_DIR)
    tables = []
    for path in sorted(root.glob("*/migrations/0*.py")):
        if "refuse_changes(" in path.read_text(encoding="utf-8"):
            tables += import_module(f"{path.parent.parent.name}.migrations.{path.stem}").PUBLISHED_TABLES
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(immutable.install_sql(table))
    return tables


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_base_data()
        install_published_row_triggers()


@pytest.fixture(autouse=True)
def _base_data_for_transactional_tests(request):
    """Tests with real commits end with a flush that empties every table: the next one reloads at its start."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if transactional:
        request.getfixturevalue("transactional_db")
        from places.models import County

        if not County.objects.exists():
            load_base_data()
    yield


@pytest.fixture(autouse=True)
def _project_language():
    """Every test starts in the project's language (zh-hans). A request with ``Accept-Language: en`` activates
    English in the thread (LocaleMiddleware) and nothing puts it back, so a later test in the same process read
    English messages where it expected Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Django's cache (local memory in tests) outlives each test's rolled-back transaction: start every test with
    an empty one, so no list cached by an earlier test is served from data that is gone."""
    from django.core.cache import cache

    cache.clear()
    yield


def require_service(reason: str):
    """Skip locally when a service is missing, but fail in CI (env CI set), where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {u.username: u for u in User.objects.filter(
        username__in=["admin", "official", "auditor", "clerk_xichang", "clerk_zhaojue", "leader_xichang",
                      "leader_zhaojue"])}


@pytest.fixture
def official(users):
    return users["official"]


@pytest.fixture
def auditor(users):
    return users["auditor"]


@pytest.fixture
def clerk_xichang(users):
    return users["clerk_xichang"]


@pytest.fixture
def colleague_xichang(clerk_xichang):
    """A second clerk of 西昌市: their changes make another clerk's older edit stale (``services.is_stale``)."""
    from django.contrib.auth.models import Group, User

    from places.models import Profile

    colleague = User.objects.create(username="clerk_xichang_2")
    colleague.groups.add(Group.objects.get(name="clerk"))
    Profile.objects.create(user=colleague, county=clerk_xichang.profile.county)
    return colleague


@pytest.fixture
def clerk_zhaojue(users):
    return users["clerk_zhaojue"]


@pytest.fixture
def admin_user(users):
    return users["admin"]


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _celery_may_join_results():
    """A worker started inside the test process (the health tests) marks the process as "inside a task", and Celery
    then refuses ``result.get()`` in later eager tests; every test starts outside a task."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
