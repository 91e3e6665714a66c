"""Server time and query counts of the daily pages at national scale (3,000 counties by default).

    python manage.py bench_pages [--counties 3000] [--runs 7] [--refill]

Uses the progress benchmark's separate PostgreSQL database (env BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/liangshan_bench), fills it with ``benchmarks.progress.fill`` when it does not
hold that many counties (or with --refill), recomputes progress and the final evaluation there (timing each),
(progress, the final evaluation and the per-area tallies: what a full recompute does, in three timed steps), then renders each page in this process with the ORM routed to that database: the view function's time (median
of --runs, after one warm-up) and its query count. The project's own database is never touched.
"""
from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from assessment import evaluation, services, tallies
from benchmarks import progress as bench

PAGES = [("dashboard", "/", "dashboards.views.home"),
         ("county page 昭觉县", "/counties/513431/", "dashboards.county.county_page"),
         ("indicator page PRE-01", "/indicators/PRE-01/", "dashboards.indicator.indicator_page")]


class Command(BaseCommand):
    help = "Server time and query counts of the dashboard, county and indicator pages at national scale."

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, default=3000)
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("--refill", action="store_true")

    def handle(self, *args, counties: int, runs: int, refill: bool, **options):
        from django.urls import resolve

        alias = bench.open_filled(counties, refill, out=self.stdout.write)
        t0 = time.perf_counter()
        rows = services.recompute_all(using=alias, evaluate=False)
        progress_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with bench.routed_to(alias):
            judged = evaluation.rewrite_all(alias)
        evaluation_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with bench.routed_to(alias):
            tallies.rewrite(alias)
        tallies_s = time.perf_counter() - t0
        self.stdout.write(f"progress: {rows} rows in {progress_s:.1f} s; final evaluation: {judged} rows in "
                          f"{evaluation_s:.1f} s; tallies in {tallies_s:.1f} s")
        with bench.routed_to(alias):
            user = _official()
            factory = RequestFactory()
            for label, path, _ in PAGES:
                view = resolve(path)
                times, queries = [], None
                for i in range(runs + 1):
                    request = factory.get(path)
                    request.user = user
                    request.session = {}
                    request.LANGUAGE_CODE = "zh-hans"
                    with CaptureQueriesContext(connections[alias]) as ctx:
                        t0 = time.perf_counter()
                        response = view.func(request, *view.args, **view.kwargs)
                        if hasattr(response, "render"):
                            response.render()
                        elapsed = time.perf_counter() - t0
                    assert response.status_code == 200, (path, response.status_code)
                    if i:
                        times.append(elapsed * 1000)
                    queries = len(ctx.captured_queries)
                self.stdout.write(f"{label:24} {path:22} median {statistics.median(times):7.1f} ms "
                                  f"(max {max(times):.1f}) over {runs} runs, {queries} queries, "
                                  f"{len(response.content) // 1024} KiB")


def _official():
    from django.contrib.auth import get_user_model

    from liangshan_edu.groups import ensure_groups

    groups = ensure_groups()
    user, _ = get_user_model().objects.get_or_create(username="bench_official")
    user.groups.set([groups["official"]])
    return user
