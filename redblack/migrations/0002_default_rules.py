"""The default list rules (``redblack.defaults``), as data administrators may edit."""
from django.db import migrations


def add(apps, schema_editor):
    from redblack.defaults import ensure_defaults

    ensure_defaults(apps.get_model("redblack", "ListRule"), schema_editor.connection.alias)


def remove(apps, schema_editor):
    from redblack.defaults import DEFAULTS

    apps.get_model("redblack", "ListRule").objects.using(schema_editor.connection.alias).filter(code__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("redblack", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
