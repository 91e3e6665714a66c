"""Published assessments, their county rows and their frozen school rankings are refused UPDATE and DELETE by
PostgreSQL itself (``liangshan_edu.immutable``): every row of these tables is published."""
from django.db import migrations

from liangshan_edu.immutable import refuse_changes

PUBLISHED_TABLES = ("scoring_assessment", "scoring_assessmentrow", "scoring_publishedschoolrow")


class Migration(migrations.Migration):

    dependencies = [("scoring", "0003_published_schools_staff_departments")]

    operations = [refuse_changes(table) for table in PUBLISHED_TABLES]
