"""Building, publishing and correcting the red/black lists (红黑榜) at national scale (3,000 counties by default).

    python manage.py bench_redblack [--counties 3000] [--runs 3] [--year 2025] [--refill] [--skip-recompute]
                                    [--skip-page]

Uses the benchmark's separate PostgreSQL database (env BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/liangshan_bench), filled by ``benchmarks.progress.fill`` when it does not hold
that many counties (or with --refill); recomputes progress there unless --skip-recompute (the lists read the
engine's statuses), gives the year a reporting deadline so the timeliness rule has work, then, with the ORM routed
to that database: builds the lists (median of --runs after one warm-up), publishes a period, corrects it (the
rules re-run, one entry withdrawn) and renders the lists page, each with its query count and the entries it
gave. Prints the load average before and after (the machine may be shared: read times with it). The project's
own database is never touched.
"""
from __future__ import annotations

import os
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from benchmarks import progress as bench
from benchmarks.management.commands.bench_pages import _official

PERIOD = "2026-Q3"


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _clear_lists() -> None:
    """No lists of an earlier run in the bench database: they would hold the synthetic counties a refill replaces
    and the period would be published already. Published rows cannot be deleted through the ORM (by design)."""
    bench.ensure_database(bench.bench_url())
    alias = bench.register(bench.bench_url())
    with connections[alias].cursor() as cur:
        cur.execute("SELECT to_regclass('redblack_entry')")
        if cur.fetchone()[0]:
            cur.execute("TRUNCATE redblack_entry, redblack_publication, redblack_appeal, redblack_historicalappeal, "
                        "redblack_supervisionnotice CASCADE")


class Command(BaseCommand):
    help = "Time and query counts of building, publishing and correcting the red/black lists at national scale."

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, default=3000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--refill", action="store_true")
        parser.add_argument("--skip-recompute", action="store_true",
                            help="keep the progress rows already in the bench database")
        parser.add_argument("--skip-page", action="store_true", help="do not render the lists page")

    def handle(self, *args, counties: int, runs: int, year: int, refill: bool, skip_recompute: bool,
               skip_page: bool, **options):
        from assessment import services

        self.stdout.write(f"start: {_load()}")
        _clear_lists()
        alias = bench.open_filled(counties, refill, out=self.stdout.write)
        if not skip_recompute:
            t0 = time.perf_counter()
            rows = services.recompute_all(using=alias, evaluate=False)
            self.stdout.write(f"progress recomputed: {rows} rows in {time.perf_counter() - t0:.1f} s ({_load()})")
        with bench.routed_to(alias):
            self._prepare(alias, year)
            user = _official()
            self._build(alias, user, year, runs)
            publication = self._timed(alias, "publish " + PERIOD, lambda: self._publish(alias, user, year))
            self.stdout.write(f"  published {publication.entries.count()} entries")
            fixed = self._timed(alias, "correct (rules re-run, one entry withdrawn)",
                                lambda: self._correct(alias, user, publication))
            self.stdout.write(f"  version {fixed.version}: {fixed.entries.count()} entries")
            if not skip_page:
                self._page(alias, user, "/redblack/", {"period": PERIOD}, "lists page " + PERIOD)
                self._page(alias, user, f"/redblack/publications/{fixed.pk}/", {},
                           f"version page {PERIOD} v{fixed.version} (with its changes and the correction form)")
                self._page(alias, user, "/redblack/preview/", {"period": "2026-Q4", "year": year},
                           "preview page 2026-Q4 (builds the lists)")
        self.stdout.write(f"end: {_load()}")

    def _prepare(self, alias: str, year: int) -> None:
        """A reporting deadline for the year (the timeliness rule needs one) and the default rules."""
        from counties.models import ReportingYear
        from redblack.defaults import ensure_defaults
        from redblack.models import ListRule

        ReportingYear.objects.update_or_create(year=year, defaults={"deadline": date(year + 1, 3, 31)})
        ensure_defaults(ListRule, alias)

    def _build(self, alias: str, user, year: int, runs: int) -> None:
        from redblack import lists

        times, queries, preview = [], 0, None
        for i in range(runs + 1):
            with CaptureQueriesContext(connections[alias]) as ctx:
                t0 = time.perf_counter()
                preview = lists.build(user, PERIOD, year)
                elapsed = time.perf_counter() - t0
            if i:
                times.append(elapsed)
            queries = len(ctx.captured_queries)
        self.stdout.write(f"build {PERIOD} from {year}: median {statistics.median(times):.2f} s "
                          f"(max {max(times):.2f}) over {runs} runs, {queries} queries, "
                          f"{len(preview.red)} red + {len(preview.black)} black entries ({_load()})")

    def _timed(self, alias: str, label: str, step):
        with CaptureQueriesContext(connections[alias]) as ctx:
            t0 = time.perf_counter()
            result = step()
            elapsed = time.perf_counter() - t0
        self.stdout.write(f"{label}: {elapsed:.2f} s, {len(ctx.captured_queries)} queries ({_load()})")
        return result

    @staticmethod
    def _publish(alias: str, user, year: int):
        from redblack import lists

        with transaction.atomic(using=alias):
            return lists.publish(user, PERIOD, year)

    @staticmethod
    def _correct(alias: str, user, publication):
        from redblack import lists

        first = publication.entries.order_by("position").first()
        with transaction.atomic(using=alias):
            return lists.correct(user, publication, remove=[first.pk] if first else [], reason="benchmark")

    def _page(self, alias: str, user, path: str, params: dict, label: str) -> None:
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.urls import resolve

        request = RequestFactory().get(path, params)
        request.user, request.session, request.LANGUAGE_CODE = user, {}, "zh-hans"
        request._messages = FallbackStorage(request)
        match = resolve(path)
        with CaptureQueriesContext(connections[alias]) as ctx:
            t0 = time.perf_counter()
            response = match.func(request, *match.args, **match.kwargs)
            elapsed = time.perf_counter() - t0
        self.stdout.write(f"{label}: {elapsed:.2f} s, {len(ctx.captured_queries)} queries, "
                          f"{len(response.content) // 1024} KiB, status {response.status_code}")
