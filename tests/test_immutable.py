"""Published rows are refused by PostgreSQL itself (``liangshan_edu.immutable``): ``QuerySet.update()``,
``delete()`` and raw SQL fail on the tables the migrations protect, other rows change as usual, and the
migration is a no-op elsewhere. The test database is built without migrations, so each test installs the
trigger the migration installs (DDL in PostgreSQL is transactional: the test's rollback removes it)."""
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from liangshan_edu import immutable

pytestmark = pytest.mark.django_db


def _migration_tables() -> list[str]:
    from importlib import import_module

    return list(import_module("scoring.migrations.0004_published_rows_refused_by_the_database").PUBLISHED_TABLES)


def test_the_scoring_migration_protects_every_published_table():
    from scoring.models import Assessment, AssessmentRow, PublishedSchoolRow

    assert set(_migration_tables()) == {m._meta.db_table for m in (Assessment, AssessmentRow, PublishedSchoolRow)}


def test_only_plain_table_names_are_accepted():
    with pytest.raises(ValueError):
        immutable.install_sql("x; DROP TABLE y")
    assert "DROP TRIGGER IF EXISTS scoring_assessment_refuse_changes" in immutable.remove_sql("scoring_assessment")


@pytest.fixture
def published_year(official):
    from places.models import County
    from scoring import services
    from tests.test_scoring_services import one_item_scheme, progress

    _, _, _, inds = one_item_scheme()
    progress(inds, {c: ("achieved", "off_track") for c in County.objects.values_list("code", flat=True)})
    return services.publish(official, 2024)


def _refused(action) -> None:
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        action()


def test_postgresql_refuses_update_and_delete_of_published_rows(published_year):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (set DATABASE_URL=postgres://…)")
    from scoring.models import Assessment, AssessmentRow

    with connection.cursor() as cursor:
        for table in _migration_tables():
            cursor.execute(immutable.install_sql(table))
    rows = AssessmentRow.objects.filter(assessment=published_year)
    _refused(lambda: rows.update(score=D(99)))
    _refused(lambda: Assessment.objects.filter(pk=published_year.pk).update(note="changed"))
    _refused(lambda: rows.filter(rank=1).delete())

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [published_year.pk])

    _refused(lambda: raw("UPDATE scoring_assessmentrow SET rank = 1 WHERE assessment_id = %s"))
    _refused(lambda: raw("DELETE FROM scoring_assessment WHERE id = %s"))
    assert {r.score for r in rows} == {D(40)}


def test_a_condition_leaves_unpublished_rows_free(official):
    """The generic form (table, condition), as the red/black lists and bulletins will use it: here on the school
    scores, refusing only approved ones."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (set DATABASE_URL=postgres://…)")
    from places.models import County
    from scoring.models import School, SchoolScore

    school = School.objects.create(code="T1", name="测试小学", county=County.objects.get(code="513401"),
                                   stage="primary")
    approved = SchoolScore.objects.create(school=school, year=2024, score=D(80), status="approved",
                                          entered_by=official)
    pending = SchoolScore.objects.create(school=school, year=2025, score=D(70), entered_by=official)
    with connection.cursor() as cursor:
        cursor.execute(immutable.install_sql("scoring_schoolscore", "OLD.status = 'approved'"))
    _refused(lambda: SchoolScore.objects.filter(pk=approved.pk).update(score=D(1)))
    assert SchoolScore.objects.filter(pk=pending.pk).update(score=D(71)) == 1
    with connection.cursor() as cursor:
        cursor.execute(immutable.remove_sql("scoring_schoolscore"))
    assert SchoolScore.objects.filter(pk=approved.pk).update(score=D(81)) == 1


def test_the_operation_runs_its_sql_on_postgresql_only():
    from types import SimpleNamespace

    operation = immutable.refuse_changes("scoring_assessmentrow", "OLD.published")
    ran = []
    for vendor in ("sqlite", "postgresql"):
        editor = SimpleNamespace(connection=SimpleNamespace(vendor=vendor), execute=lambda sql, params=(): ran.append(sql))
        operation.code(None, editor)
        operation.reverse_code(None, editor)
    assert len(ran) == 2 and "IF OLD.published THEN" in ran[0] and ran[1].startswith("DROP TRIGGER")


def test_postgresql_refuses_changes_to_a_published_bulletin(official):
    """月通报/季挂榜 (alarms): the model refuses a second save; the database refuses the rest."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (set DATABASE_URL=postgres://…)")
    from importlib import import_module

    from alarms.models import Publication

    tables = import_module("alarms.migrations.0003_published_rows_refused_by_the_database").PUBLISHED_TABLES
    assert tables == [Publication._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(immutable.install_sql(table))
    pub = Publication.objects.create(kind="bulletin", period="2026-11", content={"headline": 1},
                                     published_by=official)
    _refused(lambda: Publication.objects.filter(pk=pub.pk).update(content={"headline": 2}))
    _refused(lambda: Publication.objects.filter(pk=pub.pk).delete())
    assert Publication.objects.get(pk=pub.pk).content == {"headline": 1}


def test_who_published_a_bulletin_cannot_be_deleted(official):
    """Forgetting the publisher would change the published row: the user is protected instead (deactivate them)."""
    from django.db.models import ProtectedError

    from alarms.models import Publication

    Publication.objects.create(kind="bulletin", period="2026-11", content={}, published_by=official)
    with pytest.raises(ProtectedError):
        official.delete()


def test_postgresql_refuses_changes_to_published_red_black_lists(official):
    """红黑榜 (redblack): the model and its queryset refuse already; the database refuses raw SQL too."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (set DATABASE_URL=postgres://…)")
    from importlib import import_module

    from redblack import lists
    from redblack.defaults import ensure_defaults
    from redblack.models import Entry, ListRule, Publication
    from tests.redblack_data import YEAR, lagging_zhaojue

    tables = import_module("redblack.migrations.0004_published_rows_refused_by_the_database").PUBLISHED_TABLES
    assert set(tables) == {Publication._meta.db_table, Entry._meta.db_table}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(immutable.install_sql(table))
    ensure_defaults(ListRule)
    lagging_zhaojue()
    publication = lists.publish(official, "2026-Q3", YEAR)
    assert publication.entries.exists()

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [publication.pk])

    _refused(lambda: raw("UPDATE redblack_entry SET reason = 'x' WHERE publication_id = %s"))
    _refused(lambda: raw("DELETE FROM redblack_entry WHERE publication_id = %s"))
    _refused(lambda: raw("UPDATE redblack_publication SET period = '2026-Q4' WHERE id = %s"))


def test_the_suite_runs_with_every_published_table_protected():
    """The triggers are installed in the test database once per session (``tests.conftest``), so every test on
    PostgreSQL shows that no flow changes a published row; here: the list covers the three apps that publish."""
    from tests.conftest import install_published_row_triggers

    tables = set(install_published_row_triggers())
    assert {"scoring_assessment", "scoring_assessmentrow", "scoring_publishedschoolrow", "alarms_publication",
            "redblack_publication", "redblack_entry"} <= tables
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT event_object_table) FROM information_schema.triggers "
                           "WHERE trigger_name LIKE %s", ["%_refuse_changes"])
            assert cursor.fetchone()[0] == len(tables)
