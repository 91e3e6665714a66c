"""Published rows refused by the database itself, not only by the model's ``save``/``delete``.

A published thing never changes after publication (DESIGN; corrections are new versions). Models refuse it in
Python, but ``QuerySet.update()``, ``bulk_update`` or raw SQL go around the model. ``refuse_changes`` returns a
migration operation that installs a PostgreSQL trigger on one table: ``BEFORE UPDATE OR DELETE … FOR EACH ROW``,
raising when the row as it is (``OLD``) meets ``condition``, an SQL boolean over ``OLD``'s columns —
``"TRUE"`` for a table whose every row is published, ``"OLD.published"`` or ``"OLD.status = 'published'"`` for a
table with a flag or a state. Rows not meeting it change as usual. The reverse drops the trigger and its
function. On any other database (SQLite, the embedded default) the operation does nothing.

Usage, in a migration of the app owning the table::

    from liangshan_edu.immutable import refuse_changes

    operations = [refuse_changes("scoring_assessmentrow"), refuse_changes("redblack_entry", "OLD.published")]

A table that must still be emptied in bulk (a test's flush) is truncated: ``TRUNCATE`` fires no row triggers.
"""
from __future__ import annotations

import re

from django.db import migrations

# The SQLSTATE the trigger raises: 'integrity_constraint_violation' (23000), so Django raises IntegrityError.
SQLSTATE = "23000"
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def _names(table: str) -> tuple[str, str]:
    if not NAME.match(table):
        raise ValueError(f"not a plain table name: {table!r}")
    return f"{table}_refuse_changes", f"{table}_refuse_changes_fn"


def install_sql(table: str, condition: str = "TRUE") -> str:
    """The SQL that installs the trigger (PostgreSQL)."""
    trigger, function = _names(table)
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {condition} THEN
        RAISE EXCEPTION 'published rows of {table} never change (%), publish a new version instead', TG_OP
            USING ERRCODE = '{SQLSTATE}';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS {trigger} ON {table};
CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
"""


def remove_sql(table: str) -> str:
    trigger, function = _names(table)
    return f"DROP TRIGGER IF EXISTS {trigger} ON {table};\nDROP FUNCTION IF EXISTS {function}();"


def _run_on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds a literal % (RAISE): no interpolation

    return run


def refuse_changes(table: str, condition: str = "TRUE") -> migrations.RunPython:
    """A reversible migration operation: on PostgreSQL, refuse UPDATE and DELETE of ``table``'s rows meeting
    ``condition`` (SQL over ``OLD``); elsewhere nothing. (RunPython rather than RunSQL so that the vendor is
    checked when the migration runs.)"""
    return migrations.RunPython(_run_on_postgresql(install_sql(table, condition)),
                                _run_on_postgresql(remove_sql(table)), elidable=False)
