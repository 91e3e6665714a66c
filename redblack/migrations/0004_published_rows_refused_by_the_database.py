"""Published red/black lists refused by the database itself (``liangshan_edu.immutable``): every row of a
publication and of its entries, never changed or removed — a correction is a new version (issue 10)."""
from django.db import migrations

from liangshan_edu.immutable import refuse_changes

PUBLISHED_TABLES = ["redblack_publication", "redblack_entry"]


class Migration(migrations.Migration):
    dependencies = [("redblack", "0003_publication_withdrawn")]
    operations = [refuse_changes(table) for table in PUBLISHED_TABLES]
