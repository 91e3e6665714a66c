"""bootstrap: safe to run again. Its --demo data (users, labelled synthetic figures) is tested in test_demo.py,
which runs the expensive demo load once for all its checks."""
import pytest
from django.core.management import call_command, get_commands

from indicators.models import Indicator, Target

pytestmark = pytest.mark.django_db


def test_bootstrap_twice_changes_nothing():
    call_command("bootstrap", stdout=open("/dev/null", "w"))
    before = (Indicator.objects.count(), Target.objects.count(), Indicator.history.count(),
              Target.history.count())
    call_command("bootstrap", stdout=open("/dev/null", "w"))
    assert (Indicator.objects.count(), Target.objects.count(), Indicator.history.count(),
            Target.history.count()) == before


def test_bootstrap_belongs_to_the_project_package():
    # It orchestrates every app, so it lives above them.
    from liangshan_edu.management.commands.bootstrap import Command

    assert get_commands()["bootstrap"] == "liangshan_edu"
    assert "--demo" in Command().create_parser("manage.py", "bootstrap").format_help()
