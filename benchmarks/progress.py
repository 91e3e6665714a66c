"""National-scale benchmark of the progress engine (``manage.py bench_progress``).

Everything here runs against a SEPARATE PostgreSQL database (env ``BENCH_DATABASE_URL``), registered at runtime
as an extra Django database alias; the engine and services are called with ``using=<alias>``. Nothing here
touches the project's own database.

* :func:`prepare` creates the bench database if missing, migrates it and loads the real catalogue into it.
* :func:`fill` replaces its counties and figures with N counties (the 17 real ones plus N − 17 synthetic
  ones, tiers 1/2/3) × the full catalogue × 2021–2025, all approved, in set-based SQL (no ORM row by row).
* :func:`measure` times the full recompute of our engine, the *floor* (the same rows computed and written by
  ONE set-based SQL statement), compares both row by row, times incremental recomputes and reads peak RSS.
"""
from __future__ import annotations

import gc
import os
import random
import resource
import statistics
import time
from contextlib import contextmanager
from decimal import Decimal
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.db import connections, router
from indicators.choices import Kind, Level, Rollup

from benchmarks.floor import ALIAS, FLOOR_TABLE, compare, run_floor

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liangshan_bench"
YEARS = (2021, 2025)
# Synthetic data shape: a few series start late (no 2021 figure, so the baseline is the first approved one)
# and a few have no 2025 figure yet (no_data), so every branch of the rule is exercised.
NO_BASE_YEAR_SHARE = 0.02
NO_LAST_YEAR_SHARE = 0.01


# ----------------------------------------------------------------------------------------------- setup --


def bench_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def ensure_database(url: str) -> bool:
    """Create the bench database if it does not exist; True when it was created."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError(f"BENCH_DATABASE_URL has no database name: {url}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(maintenance)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone():
                return False
            cur.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        conn.close()


def register(url: str, alias: str = ALIAS) -> str:
    """Register ``url`` as the Django database ``alias`` (an extra connection next to ``default``)."""
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("the benchmark needs PostgreSQL (BENCH_DATABASE_URL=postgres://…)")
    if alias in connections.databases:
        return alias
    configured = connections.configure_settings({"default": dict(config), alias: dict(config)})
    connections.databases[alias] = configured[alias]
    return alias


# Held for the whole run (session advisory lock): two runs filling one bench database would spoil each other.
LOCK_KEY = 0x6C73_6265_6E63  # "lsbenc"


def lock(alias: str = ALIAS) -> bool:
    """Take the bench database's run lock for this session; False if another run holds it."""
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        return cur.fetchone()[0]


class _OnlyTo:
    """A database router sending every read and write to one alias (used to load the catalogue)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias

    def allow_relation(self, *args, **hints):
        return True


@contextmanager
def routed_to(alias: str) -> Iterator[None]:
    """Temporarily route the ORM's default reads and writes to ``alias``.

    ``indicators.catalogue.load`` uses the default manager; routing lets it load the bench database
    unchanged. Its outer ``transaction.atomic()`` still opens (and commits, empty) one on ``default``.
    """
    had = "routers" in router.__dict__
    old = router.__dict__.get("routers")
    router.__dict__["routers"] = [_OnlyTo(alias)]
    try:
        yield
    finally:
        if had:
            router.__dict__["routers"] = old
        else:
            router.__dict__.pop("routers", None)


def prepare(alias: str = ALIAS, out: Callable[[str], None] = print,
            progress: Callable[[int, int], None] | None = None) -> None:
    """Migrate the bench database and load the real catalogue into it with ``indicators.catalogue.load``
    (both idempotent)."""
    from django.core.management import call_command

    from indicators import catalogue

    call_command("migrate", database=alias, interactive=False, verbosity=0)
    out(f"bench database migrated ({connections[alias].settings_dict['NAME']})")
    # Idempotent: rows are matched by their codes and updated in place, so edits to the catalogue carry over.
    from assessment import rulesets

    with routed_to(alias):
        files = catalogue.read_files()
        stats = catalogue.load(files, progress=progress)
        rulesets.load_plan_rules(files)
    out("catalogue loaded into the bench database: " + ", ".join(f"{k} {v}" for k, v in stats.items()))


def open_filled(counties: int, refill: bool = False, out: Callable[[str], None] = print) -> str:
    """The bench database, created, migrated and registered, holding ``counties`` counties (filled when it holds
    another number, or with ``refill``): the start of the commands that measure on it. Returns its alias."""
    url = bench_url()
    ensure_database(url)
    alias = register(url)
    prepare(alias, out=out)
    with connections[alias].cursor() as cur:
        cur.execute("SELECT count(*) FROM places_county")
        have = cur.fetchone()[0]
    if refill or have != counties:
        t0 = time.perf_counter()
        filled = fill(counties, alias)
        out(f"filled {filled['counties']} counties, {filled['figures']} figures in {time.perf_counter() - t0:.1f} s")
    return alias


# ------------------------------------------------------------------------------------------------ fill --

# Per-indicator generation parameters, computed in Python from the catalogue (a few hundred rows).
_PARAMS_SQL = """
CREATE TEMP TABLE bench_params (
    indicator_id bigint PRIMARY KEY, kind text, direction text, level text, rollup text,
    may_exceed boolean, ref numeric, ref_year int, county_figures boolean, own_figures boolean
) ON COMMIT DROP
"""

# u(key, seed): a deterministic uniform number in [0, 1) (PostgreSQL's own integer hash).
_U = "((hashint8extended({key}, {seed}) & 1048575)::float8 / 1048576.0)"


def _u(key: str, seed: int) -> str:
    return _U.format(key=key, seed=seed)


_FILL_SQL = """
INSERT INTO counties_figure (county_id, indicator_id, year, value, numerator, denominator, evidence, note,
                             status, return_reason, version, is_demo, created_at, updated_at, submitted_at,
                             approved_at)
SELECT CASE WHEN g.area_id = 0 THEN NULL ELSE g.area_id END, g.indicator_id, g.year, g.value, g.num, g.den,
       '', '', 'approved', '', 1, false, now(), now(), now(), now()
FROM (
    SELECT s.area_id, s.indicator_id, s.year,
           CASE WHEN s.kind = 'rate' THEN round(r.num * 100 / r.den, 4)
                WHEN s.kind = 'milestone' THEN (s.year >= s.done_year)::int::numeric
                WHEN s.kind = 'count' THEN round(s.v)::numeric
                ELSE round(s.v::numeric, 2) END AS value,
           CASE WHEN s.kind = 'rate' THEN r.num END AS num,
           CASE WHEN s.kind = 'rate' THEN r.den END AS den
    FROM (
        SELECT b.*,
               CASE
                 WHEN b.kind = 'milestone' THEN NULL
                 WHEN b.direction = 'at_least' THEN b.start + (b.goal - b.start) * b.share
                 ELSE greatest(b.start - (b.start - b.goal) * b.share, 0)
               END AS v
        FROM (
            SELECT a.*,
                   least((a.year - 2021)::float8 / greatest(a.ref_year - 2021, 1) * a.pace
                         * (0.9 + 0.2 * a.u_year), 1.2) AS share,
                   CASE
                     WHEN a.kind = 'rate' AND a.direction = 'at_least' THEN a.goal * (0.8 + 0.15 * a.u_start)
                     WHEN a.direction = 'at_least' THEN a.goal * (0.55 + 0.3 * a.u_start)
                     WHEN a.goal > 0 THEN least(a.goal * 1.6 + 5, CASE WHEN a.kind = 'rate' THEN 100 ELSE 1e12 END)
                     ELSE 3 + 22 * a.u_start
                   END AS start,
                   2021 + floor((1.3 - a.pace) * 5 + a.u_start * 2)::int AS done_year
            FROM (
                SELECT c.area_id, c.tier, p.*, y.year,
                       greatest(0.35, least(1.3, 0.35 + 0.95 * {u_pace}
                                            + CASE c.tier WHEN 1 THEN 0.15 WHEN 3 THEN -0.15 ELSE 0 END)) AS pace,
                       {u_start} AS u_start, {u_size} AS u_size, {u_gap} AS u_gap, {u_year} AS u_year,
                       -- a prefecture-wide total: each county builds its share of it (stochastic rounding)
                       CASE WHEN p.level = 'prefecture' AND p.rollup = 'sum'
                            THEN p.ref / %(ncounties)s ELSE p.ref END::float8 AS goal
                FROM (SELECT id AS area_id, tier FROM places_county WHERE id BETWEEN %(lo)s AND %(hi)s
                      UNION ALL SELECT 0, 0 WHERE %(own)s) c
                JOIN bench_params p ON (c.area_id > 0 AND p.county_figures) OR (c.area_id = 0 AND p.own_figures)
                CROSS JOIN generate_series(2021, 2025) y(year)
            ) a
            WHERE NOT (a.year = 2021 AND a.u_gap < {no_base})
              AND NOT (a.year = 2025 AND a.u_gap > 1 - {no_last})
        ) b
    ) s
    CROSS JOIN LATERAL (
        SELECT den, CASE WHEN s.may_exceed THEN round(den * least(s.v, 130) / 100)
                         ELSE least(round(den * least(s.v, 100) / 100), den) END::numeric AS num
        FROM (SELECT (50 + floor(2000 * (0.3 + 2.7 * s.u_size) * (0.9 + 0.2 * s.u_year)))::numeric AS den) d
    ) r
) g
""".format(
    u_pace=_u("c.area_id::bigint * 100000 + p.indicator_id", 1),
    u_start=_u("c.area_id::bigint * 100000 + p.indicator_id", 2),
    u_size=_u("c.area_id::bigint * 100000 + p.indicator_id", 3),
    u_gap=_u("c.area_id::bigint * 100000 + p.indicator_id", 4),
    u_year=_u("(c.area_id::bigint * 100000 + p.indicator_id) * 10 + (y.year - 2021)", 5),
    no_base=NO_BASE_YEAR_SHARE, no_last=NO_LAST_YEAR_SHARE,
)


def _params(cur) -> None:
    """Per-indicator generation parameters: the reference target each county's series heads for."""
    cur.execute(_PARAMS_SQL)
    cur.execute("""
        SELECT i.id, i.kind, i.direction, i.level, i.rollup, i.may_exceed_100,
               array_agg(t.value ORDER BY (t.tier IS NULL AND NOT EXISTS (
                   SELECT 1 FROM indicators_target_counties tc WHERE tc.target_id = t.id)) DESC,
                   t.year DESC NULLS LAST),
               array_agg(t.year ORDER BY (t.tier IS NULL AND NOT EXISTS (
                   SELECT 1 FROM indicators_target_counties tc WHERE tc.target_id = t.id)) DESC,
                   t.year DESC NULLS LAST)
        FROM indicators_indicator i LEFT JOIN indicators_target t ON t.indicator_id = i.id
        WHERE NOT i.retired GROUP BY i.id ORDER BY i.id
    """)
    rows = []
    for ind_id, kind, direction, level, rollup, may_exceed, values, years in cur.fetchall():
        ref = values[0] if values and values[0] is not None else Decimal(1)
        ref_year = years[0] if years and years[0] is not None else YEARS[1]
        if kind == Kind.RATE and ref == 0:
            ref = Decimal(5)
        county_figures = rollup != Rollup.NONE or level == Level.COUNTY
        rows.append((ind_id, kind, direction, level, rollup, may_exceed, ref, ref_year, county_figures,
                     rollup == Rollup.NONE))
    cur.executemany("INSERT INTO bench_params VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)


def fill(n: int, alias: str = ALIAS, progress: Callable[[int, int], None] | None = None) -> dict:
    """Replace the bench data with ``n`` counties × the catalogue × 2021–2025, all approved.

    The 17 real counties stay (named-county targets refer to them); N − 17 synthetic ones are added with
    codes 9xxxxx and tiers cycling 1/2/3. Figures are generated by INSERT … SELECT over generate_series, in
    chunks of counties so a progress bar can follow.
    """
    from django.db import transaction

    conn = connections[alias]
    with transaction.atomic(using=alias), conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM places_county WHERE code NOT LIKE %s", ["9%"])
        real = cur.fetchone()[0]
        if n < real:
            raise ValueError(f"--counties must be at least {real} (the real counties)")
        cur.execute("TRUNCATE assessment_progress, counties_figure")
        # Alarms (issue 9) raised by an earlier run refer to the bench counties about to be replaced; CASCADE: so
        # do the rows that refer to them (supervision notices made from an alarm, issue 10).
        cur.execute("TRUNCATE alarms_notification, alarms_alarm, alarms_historicalalarm, alarms_silence, "
                    "alarms_historicalsilence, alarms_dispatch CASCADE")
        cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cur.execute("DELETE FROM indicators_target_counties tc USING places_county c "
                    "WHERE c.id = tc.county_id AND c.code LIKE %s", ["9%"])
        cur.execute("DELETE FROM places_county WHERE code LIKE %s", ["9%"])
        cur.execute("""
            INSERT INTO places_county (code, name, short_name, name_en, tier, key_assisted)
            SELECT (900000 + k)::text, 'Bench county ' || k, 'B' || k, 'Bench ' || k, 1 + k %% 3, k %% 3 <> 0
            FROM generate_series(1, %s) k
        """, [n - real])
        cur.execute("SELECT min(id), max(id), count(*) FROM places_county")
        lo, hi, total = cur.fetchone()
        _params(cur)
        # Synthetic data consistent by construction: skip the per-row foreign-key triggers while filling.
        cur.execute("SET LOCAL session_replication_role = replica")
        chunk = max(1, total // 40)
        ids = list(range(lo, hi + 1, chunk))
        for i, start in enumerate(ids, 1):
            cur.execute(_FILL_SQL, {"lo": start, "hi": min(start + chunk - 1, hi), "ncounties": total,
                                    "own": i == 1})
            if progress:
                progress(i, len(ids))
        cur.execute("SET LOCAL session_replication_role = DEFAULT")
        cur.execute("SELECT count(*), count(*) FILTER (WHERE county_id IS NULL) FROM counties_figure")
        figures, own = cur.fetchone()
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE counties_figure")
        cur.execute("VACUUM ANALYZE places_county")
        cur.execute("VACUUM ANALYZE assessment_progress")
    return {"counties": total, "figures": figures, "prefecture_figures": own}


# --------------------------------------------------------------------------------------------- measure --


class ServerCpu:
    """CPU seconds spent by the PostgreSQL processes serving one database, sampled from /proc (Linux only).

    The machine this runs on may be shared, so wall time alone can mislead; CPU time of our process plus the
    server processes working for it does not depend on what else is running. Backends are sampled every
    ``interval`` seconds (one that exits loses at most its last interval). Autovacuum is not counted.
    """

    def __init__(self, dbname: str, interval: float = 0.2) -> None:
        self.marker = f" {dbname} ".encode()
        self.interval = interval
        self.tick = os.sysconf("SC_CLK_TCK")
        self.available = os.path.isdir("/proc/self")
        self._stop = None

    def _sample(self) -> dict[int, int]:
        out = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ")
                if not cmd.startswith(b"postgres: ") or b"autovacuum" in cmd or (
                        self.marker not in cmd and b"parallel worker" not in cmd):
                    continue
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                out[int(entry)] = int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, ValueError, IndexError):
                continue
        return out

    def __enter__(self) -> "ServerCpu":
        import threading

        self.seconds = None
        self.python_seconds = None
        if not self.available:
            return self
        self.base = self._sample()
        self.seen = dict(self.base)
        self._stop = threading.Event()
        self._rusage = resource.getrusage(resource.RUSAGE_SELF)

        def run():
            while not self._stop.wait(self.interval):
                self._merge(self._sample())

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def _merge(self, sample: dict[int, int]) -> None:
        for pid, ticks in sample.items():
            if ticks > self.seen.get(pid, 0):
                self.seen[pid] = ticks

    def __exit__(self, *exc) -> None:
        if not self.available:
            return
        self._stop.set()
        self._thread.join()
        self._merge(self._sample())
        ticks = sum(t - self.base.get(pid, 0) for pid, t in self.seen.items())
        self.seconds = ticks / self.tick
        now = resource.getrusage(resource.RUSAGE_SELF)
        self.python_seconds = (now.ru_utime - self._rusage.ru_utime) + (now.ru_stime - self._rusage.ru_stime)


def _round(x: float | None, places: int = 2) -> float | None:
    return None if x is None else round(x, places)


def write_only(alias: str = ALIAS) -> float:
    """Seconds to merely store our rows: COPY of the same rows into the emptied progress table, one
    transaction, from a file written beforehand by the engine (so no computing is timed)."""
    import tempfile

    from django.db import transaction
    from django.utils import timezone

    from assessment import engine

    conn = connections[alias]
    tail = f"\t{timezone.now().isoformat()}\n"
    with tempfile.TemporaryFile() as fh:
        with transaction.atomic(using=alias):
            for _, text in engine._compute(alias, lambda raws: (len(raws), engine._as_lines(raws, tail)),
                                           lambda rows: (len(rows), "".join(engine._line(r) for r in rows)),
                                           None):
                fh.write(text.encode())
        fh.seek(0)
        with conn.cursor() as cur:
            cur.execute("TRUNCATE assessment_progress")
            cur.execute("CHECKPOINT")
        t0 = time.perf_counter()
        with transaction.atomic(using=alias), conn.cursor() as cur:
            cur.cursor.copy_expert(f"COPY assessment_progress ({', '.join(engine.COLUMNS)}) FROM STDIN", fh,
                                   size=1 << 16)
        return time.perf_counter() - t0


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _approve_change(alias: str, rng: random.Random) -> tuple[int, int | None, int]:
    """Simulate the approval of a changed figure: change one random approved county figure in place."""
    conn = connections[alias]
    with conn.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM counties_figure")
        lo, hi = cur.fetchone()
        while True:
            cur.execute("""
                SELECT f.id, f.indicator_id, f.county_id, f.year, i.kind FROM counties_figure f
                JOIN indicators_indicator i ON i.id = f.indicator_id
                WHERE f.id >= %s AND f.county_id IS NOT NULL ORDER BY f.id LIMIT 1
            """, [rng.randint(lo, hi)])
            row = cur.fetchone()
            if row:
                break
        fid, indicator_id, county_id, year, kind = row
        if kind == Kind.RATE:
            cur.execute("""UPDATE counties_figure SET numerator = least(numerator + 7, denominator),
                           value = round(least(numerator + 7, denominator) * 100 / denominator, 4),
                           approved_at = now(), updated_at = now() WHERE id = %s""", [fid])
        elif kind == Kind.MILESTONE:
            cur.execute("UPDATE counties_figure SET value = 1 - value, approved_at = now() WHERE id = %s", [fid])
        else:
            cur.execute("UPDATE counties_figure SET value = value + 1, approved_at = now() WHERE id = %s", [fid])
    return indicator_id, county_id, year


@contextmanager
def _alarms(on: bool) -> Iterator[None]:
    """The alarms' receivers of the recompute's signals (the tap and the judging) connected, as in production,
    or not."""
    from alarms.receivers import judge_progress, watch_full_recompute
    from assessment.signals import progress_recompute_starting, progress_recomputed

    if on:
        yield
        return
    progress_recomputed.disconnect(dispatch_uid="alarms.judge_progress")
    progress_recompute_starting.disconnect(dispatch_uid="alarms.watch_full_recompute")
    try:
        yield
    finally:
        progress_recomputed.connect(judge_progress, dispatch_uid="alarms.judge_progress")
        progress_recompute_starting.connect(watch_full_recompute, dispatch_uid="alarms.watch_full_recompute")


def _with_and_without_alarms(alias: str, runs: int, rng: random.Random,
                             out: Callable[[str], None]) -> dict[str, list[float]]:
    """(g) alarms (issue 9) are judged inside the recompute: the nightly full run with and without their
    receiver (best of two each, alternated), then (d) the incremental recompute of one approved changed figure,
    ``runs`` times with and ``runs`` times without, alternated run by run (so that the machine's load drifts
    alike for both), each after a checkpoint of the rows just replaced."""
    from alarms.defaults import load_default_rules
    from assessment import services

    conn = connections[alias]
    with routed_to(alias):   # the rules' history rows (django-simple-history) follow the router, not ``using``
        load_default_rules(using=alias)
    full: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(2):
        for on in (True, False):
            with _alarms(on), conn.cursor() as cur:
                cur.execute("CHECKPOINT")
                t0 = time.perf_counter()
                services.recompute_all(using=alias, evaluate=False)
                full[on].append(time.perf_counter() - t0)
    out(f"  full recompute with alarms {min(full[True]):.2f} s, without {min(full[False]):.2f} s")
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    incremental: dict[bool, list[float]] = {True: [], False: []}
    for i in range(2 * runs):
        on = i % 2 == 0
        indicator_id, county_id, year = _approve_change(alias, rng)
        with _alarms(on):
            t0 = time.perf_counter()
            services.recompute_for_figure(indicator_id, county_id, year, using=alias)
            incremental[on].append((time.perf_counter() - t0) * 1000)
    out(f"  incremental: median {statistics.median(incremental[True]):.1f} ms with alarms, "
        f"{statistics.median(incremental[False]):.1f} ms without, over {runs} runs each (alternated)")
    return {"incremental": incremental[True], "bare": incremental[False], "full": full[True],
            "full_bare": full[False]}


def measure(alias: str = ALIAS, *, incremental_runs: int = 50, seed: int = 2025,
            out: Callable[[str], None] = print,
            progress: Callable[[int, int], None] | None = None) -> dict:
    """Measure one size on the data already in the bench database (run it in a fresh process)."""
    conn = connections[alias]
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM places_county")
        counties = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM counties_figure WHERE status = 'approved'")
        figures = cur.fetchone()[0]
        cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cur.execute("TRUNCATE assessment_progress")
        cur.execute("CHECKPOINT")
    gc.collect()
    rss_before = _rss_mb()
    load_before = os.getloadavg()[0]
    found = {"counties": counties, "figures": figures, **_against_the_floor(alias, progress, out),
             **_storing(alias, out)}
    timed = _with_and_without_alarms(alias, incremental_runs, random.Random(seed), out)
    # After the incremental runs the stored rows must still equal a full set-based recompute.
    run_floor(alias, shaped=False)
    after = compare(alias)
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    return _result(found, timed, after, load_before, rss_before)


def _against_the_floor(alias: str, progress, out: Callable[[str], None]) -> dict:
    """(a) our full recompute into an empty progress table, (b) the floor — the same rows by one INSERT … SELECT
    into a table shaped like assessment_progress — and the two compared row by row, then the floor into a bare
    table (no indexes, no foreign key), for reference. Alarms are off: the floor computes progress alone (their
    share is measured with and without them, ``_with_and_without_alarms``)."""
    from assessment import services

    conn, dbname = connections[alias], connections[alias].settings_dict["NAME"]
    with ServerCpu(dbname) as cpu_full, _alarms(False):
        t0 = time.perf_counter()
        rows = services.recompute_all(progress=progress, using=alias, evaluate=False)
        full_s = time.perf_counter() - t0
    peak_after_full = _peak_rss_mb()
    out(f"  full recompute: {rows} rows in {full_s:.2f} s")
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    with ServerCpu(dbname) as cpu_floor:
        floor_s, floor_rows = run_floor(alias)
    out(f"  floor: {floor_rows} rows in {floor_s:.2f} s")
    check = compare(alias)
    out(f"  compared {check['rows_compared']} rows: status mismatches {check['status_mismatches']}, "
        f"other column mismatches {check['value_mismatches']}, projection {check['projection_mismatches']}, "
        f"missing {check['only_floor']}/{check['only_engine']}")
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    floor_bare_s, _ = run_floor(alias, shaped=False)
    out(f"  floor into a bare table: {floor_bare_s:.2f} s")
    return {"rows": rows, "full_s": full_s, "floor_s": floor_s, "floor_rows": floor_rows,
            "floor_bare_s": floor_bare_s, "cpu_full": cpu_full, "cpu_floor": cpu_floor, "check": check,
            "peak_after_full": peak_after_full}


def _storing(alias: str, out: Callable[[str], None]) -> dict:
    """(f) what merely storing these rows costs (COPY of the same rows, computed beforehand into a file), and a
    second full run replacing existing rows (the nightly case: DELETE then write, one transaction; alarms off)."""
    from assessment import services

    conn = connections[alias]
    write_s = write_only(alias)
    out(f"  COPY of the same rows, precomputed: {write_s:.2f} s")
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    with _alarms(False):
        t0 = time.perf_counter()
        services.recompute_all(using=alias, evaluate=False)
        replace_s = time.perf_counter() - t0
    out(f"  full recompute replacing existing rows: {replace_s:.2f} s")
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE assessment_progress")
    return {"write_s": write_s, "replace_s": replace_s}


def _result(found: dict, timed: dict, after: dict, load_before: float, rss_before: float) -> dict:
    """One size's numbers, as ``bench_progress --json`` writes them."""
    rows, full_s, floor_s, floor_bare_s = (found[k] for k in ("rows", "full_s", "floor_s", "floor_bare_s"))
    cpu_full, cpu_floor, check = found["cpu_full"], found["cpu_floor"], found["check"]
    times, bare, with_alarms, without_alarms = (timed[k] for k in ("incremental", "bare", "full", "full_bare"))
    return {
        "counties": found["counties"], "figures": found["figures"], "rows": rows,
        "full_s": round(full_s, 3), "rows_per_s": round(rows / full_s) if full_s else None,
        "floor_s": round(floor_s, 3), "floor_rows": found["floor_rows"],
        "ratio": round(full_s / floor_s, 2) if floor_s else None,
        "floor_bare_s": round(floor_bare_s, 3), "ratio_bare": round(full_s / floor_bare_s, 2) if floor_bare_s else None,
        "full_cpu_python_s": _round(cpu_full.python_seconds), "full_cpu_server_s": _round(cpu_full.seconds),
        "floor_cpu_server_s": _round(cpu_floor.seconds),
        "cpu_ratio": round((cpu_full.python_seconds + cpu_full.seconds) / cpu_floor.seconds, 2)
        if cpu_full.seconds is not None and cpu_floor.seconds else None,
        "load_average_before": round(load_before, 2),
        "write_only_s": round(found["write_s"], 3), "full_replace_s": round(found["replace_s"], 3),
        "incremental_ms_median": round(statistics.median(times), 2),
        "incremental_ms_p90": round(sorted(times)[int(len(times) * 0.9) - 1], 2) if times else None,
        "incremental_runs": len(times),
        "full_with_alarms_s": round(min(with_alarms), 3), "full_without_alarms_s": round(min(without_alarms), 3),
        "alarms_full_ratio": round(min(with_alarms) / min(without_alarms), 3),
        "incremental_without_alarms_ms_median": round(statistics.median(bare), 2),
        "alarms_incremental_ratio": round(statistics.median(times) / statistics.median(bare), 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1), "peak_rss_after_full_mb": round(found["peak_after_full"], 1),
        "rss_before_full_mb": round(rss_before, 1),
        "statuses_match": check["status_counts_match"] and check["status_mismatches"] == 0
        and check["only_floor"] == check["only_engine"] == 0,
        "rows_match": check["rows_match"], "incremental_rows_match": after["rows_match"],
        "comparison": check, "comparison_after_incremental": after,
    }
