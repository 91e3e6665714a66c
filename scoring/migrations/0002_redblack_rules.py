from django.db import migrations


def add_rules(apps, schema_editor):
    from scoring.redblack_rules import ensure_rules

    ensure_rules(apps.get_model("redblack", "ListRule"), schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial"), ("redblack", "0002_default_rules")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
