"""Rows/s and memory of the streaming CSV export of the progress report at national scale (3,000 counties).

    python manage.py bench_reports [--counties 3000] [--refill] [--profile]

Uses the progress benchmark's separate PostgreSQL database (env BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/liangshan_bench) as ``bench_pages`` does: fills it with
``benchmarks.progress.fill`` when it does not hold that many counties (or with --refill) and recomputes progress
when it has none. Then, with the ORM routed to that database, an official streams the prefecture progress CSV
through the production path — ``reports.exports.serve(user, scope, "csv")``: the service's line iterator, the
CSV chunks generator, the SHA-256 and the export record — for the latest year and for every year, counting rows
and bytes, timing it and sampling the process's RSS at every chunk. The baseline in the same run is the bare
``values_list(...).iterator()`` over the same rows (``reports.services.progress_queryset``: same scope, same
order), so the result is also a ratio. --profile prints cProfile's top entries of one latest-year stream.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import threading
import resource
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from assessment import services as engine
from assessment.choices import PREFECTURE
from assessment.queries import default_year
from benchmarks import progress as bench
from benchmarks.management.commands.bench_pages import _official
from reports import exports, services
from reports.scope import HISTORY, PROGRESS, Scope


class Command(BaseCommand):
    help = "Rows/s and peak memory of the streaming progress CSV at national scale, against a bare iterator."

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, default=3000)
        parser.add_argument("--refill", action="store_true")
        parser.add_argument("--latest-only", action="store_true", help="skip the all-years runs")
        parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced (slower) stream")
        parser.add_argument("--profile", action="store_true", help="cProfile one latest-year stream (top 10)")
        parser.add_argument("--history", type=int, default=0, metavar="N",
                            help="only the change history: give the bench database N history records (first N "
                                 "figures, once) and export them whole as CSV and xlsx")

    def handle(self, *args, counties: int, refill: bool, latest_only: bool, no_tracemalloc: bool, profile: bool,
               history: int, **options):
        alias = bench.open_filled(counties, refill, out=self.stdout.write)
        if history:
            return self.history(alias, history)
        with connections[alias].cursor() as cur:
            cur.execute("SELECT count(*) FROM assessment_progress")
            stored = cur.fetchone()[0]
        if not stored:
            t0 = time.perf_counter()
            stored = engine.recompute_all(using=alias, evaluate=False)
            self.stdout.write(f"progress: {stored} rows in {time.perf_counter() - t0:.1f} s")
        with connections[alias].cursor() as cur:  # the statistics autovacuum would gather in use
            cur.execute("ANALYZE assessment_progress; ANALYZE counties_figure; ANALYZE counties_historicalfigure")
        with connections[alias].cursor() as cur:
            cur.execute("SELECT DISTINCT year FROM assessment_progress ORDER BY year")
            years = [y for (y,) in cur.fetchall()]

        with bench.routed_to(alias):
            user = _official()
            latest = default_year(user)
            if latest is None:
                raise CommandError("the bench database has no year with approved figures to export; "
                                   "refill it (--refill) with more counties")
            self.stdout.write(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                              f"{counties} counties, "
                              f"{stored} progress rows, years {years}, latest {latest}")
            stream(user, latest, "513431")  # warm-up (one county): catalogue, connections, translations
            self.compare(alias, user, latest, years, latest_only)
            self.inspect(user, latest, tracemalloc_on=not no_tracemalloc, profile=profile)
            self.stdout.write(f"peak RSS of the process (ru_maxrss): "
                              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB; "
                              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def compare(self, alias: str, user, latest: int, years: list[int], latest_only: bool) -> None:
        """The CSV stream against the bare ORM iterator and a raw COPY of the same rows, latest year (and all)."""
        header = (f"{'run':32} {'rows':>9} {'MB':>7} {'s':>7} {'rows/s':>9} {'MB/s':>6} "
                  f"{'RSS rise MB':>11} {'vs bare':>7}")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        runs = [(f"latest year {latest}", [latest])]
        if not latest_only:  # one file per year: the report has no all-years scope
            runs.append((f"all {len(years)} years", years))
        for label, run_years in runs:
            base = _total([bare(user, y) for y in run_years])
            floor = _total([raw_copy(alias, user, y) for y in run_years])
            csv = _total([stream(user, y) for y in run_years])
            for name, m in (("bare iterator", base), ("raw COPY", floor), ("CSV stream", csv)):
                ratio = f"{m['rows_s'] / base['rows_s']:.2f}x" if base["rows_s"] else "–"
                self.stdout.write(f"{label + ' ' + name:32.32} {m['rows']:9d} {m['bytes'] / 1e6:7.1f} "
                                  f"{m['s']:7.2f} {m['rows_s']:9.0f} {m['bytes'] / 1e6 / m['s']:6.1f} "
                                  f"{m['rss_rise']:11.1f} {ratio:>7}")
            if floor["rows_s"]:
                self.stdout.write(f"{label}: CSV stream / raw COPY = {csv['rows_s'] / floor['rows_s']:.2f}x")

    def inspect(self, user, latest: int, *, tracemalloc_on: bool, profile: bool) -> None:
        """Python allocations of one latest-year stream (tracemalloc) and, asked for, its cProfile."""
        if tracemalloc_on:
            tracemalloc.start()
            stream(user, latest)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"tracemalloc peak of one latest-year stream (Python allocations): "
                              f"{peak / 1e6:.1f} MB")
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            stream(user, latest)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
            self.stdout.write(out.getvalue())
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(10)
            self.stdout.write(out.getvalue())

    def history(self, alias: str, wanted: int) -> None:
        """The change history of ``wanted`` records exported whole, CSV then xlsx: time and peak memory."""
        have = _history_records(alias, wanted)
        with bench.routed_to(alias):
            user = _official()
            self.stdout.write(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {have} history "
                              f"records; RSS before {bench._rss_mb():.1f} MB")
            for fmt in ("csv", "xlsx"):
                with _RssPeak() as peak:
                    t0 = time.perf_counter()
                    response = exports.serve(user, Scope(HISTORY, PREFECTURE), fmt)
                    size = sum(len(c) for c in response.streaming_content) if response.streaming else len(
                        response.content)
                    elapsed = time.perf_counter() - t0
                self.stdout.write(f"history {fmt}: {size / 1e6:.1f} MB in {elapsed:.1f} s "
                                  f"({have / elapsed:.0f} records/s); RSS rise {peak.rise:.1f} MB "
                                  f"(peak {peak.peak:.1f} MB)")
            self.stdout.write(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


class _RssPeak:
    """The highest VmRSS of the process while the block runs, sampled every 20 ms by a thread."""

    def __enter__(self) -> _RssPeak:
        self.before = self.peak = bench._rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, bench._rss_mb())

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, bench._rss_mb())
        self.rise = self.peak - self.before


def _history_records(alias: str, wanted: int) -> int:
    """Give the bench database ``wanted`` history records ("created", one per figure) if it has fewer."""
    from counties.models import Figure

    History = Figure.history.model
    with connections[alias].cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {History._meta.db_table}")
        have = cur.fetchone()[0]
        if have < wanted:
            columns = [f.column for f in Figure._meta.concrete_fields]
            cur.execute(f"INSERT INTO {History._meta.db_table} ({', '.join(columns)}, history_date, "
                        f"history_change_reason, history_type) SELECT {', '.join(columns)}, now(), 'bench', '+' "
                        f"FROM {Figure._meta.db_table} ORDER BY id LIMIT %s", [wanted - have])
            cur.execute(f"ANALYZE {History._meta.db_table}")
            cur.execute(f"SELECT count(*) FROM {History._meta.db_table}")
            have = cur.fetchone()[0]
    return have


def stream(user, year: int, area: str = PREFECTURE) -> dict:
    """Stream the progress CSV of ``year`` (the prefecture and every county) through the production path, as the
    response would."""
    scope = Scope(PROGRESS, area, year)
    before = peak = bench._rss_mb()
    t0 = time.perf_counter()
    response = exports.serve(user, scope, "csv")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
        peak = max(peak, bench._rss_mb())
    elapsed = time.perf_counter() - t0
    return {"rows": lines - 1, "bytes": size, "s": elapsed, "rss_rise": peak - before}


def bare(user, year: int) -> dict:
    """The same rows through a bare ``values_list(...).iterator()``: the floor of any streaming export."""
    scope = Scope(PROGRESS, PREFECTURE, year)
    before = peak = bench._rss_mb()
    t0 = time.perf_counter()
    rows = 0
    qs = services.progress_queryset(user, scope).values_list(*services.PROGRESS_VALUES)
    for _ in qs.iterator(chunk_size=services.CHUNK):
        rows += 1
        if rows % services.CHUNK == 0:
            peak = max(peak, bench._rss_mb())
    elapsed = time.perf_counter() - t0
    return {"rows": rows, "bytes": 0, "s": elapsed, "rss_rise": peak - before}


class _Count:
    """A sink for COPY: counts rows and bytes, keeps nothing."""

    def __init__(self) -> None:
        self.rows = self.bytes = 0

    def write(self, data: bytes) -> None:
        self.rows += 1
        self.bytes += len(data)


def raw_copy(alias: str, user, year: int) -> dict:
    """The floor of a CSV written by PostgreSQL: the same rows' stored columns, sorted as the report sorts them,
    through ``COPY … TO STDOUT WITH CSV`` into a sink (no labels, no provenance, no formatting)."""
    scope = Scope(PROGRESS, PREFECTURE, year)
    sql, params = services.progress_queryset(user, scope).values_list(*services.PROGRESS_VALUES).query.sql_with_params()
    before = bench._rss_mb()
    t0 = time.perf_counter()
    sink = _Count()
    with connections[alias].cursor() as cur:
        raw = cur.cursor
        raw.copy_expert(f"COPY ({raw.mogrify(sql, params).decode()}) TO STDOUT WITH (FORMAT csv)", sink)
    elapsed = time.perf_counter() - t0
    return {"rows": sink.rows, "bytes": sink.bytes, "s": elapsed, "rss_rise": bench._rss_mb() - before}


def _total(runs: list[dict]) -> dict:
    total = {k: sum(r[k] for r in runs) for k in ("rows", "bytes", "s")}
    total["rss_rise"] = max(r["rss_rise"] for r in runs)
    total["rows_s"] = total["rows"] / total["s"] if total["s"] else 0.0
    return total
