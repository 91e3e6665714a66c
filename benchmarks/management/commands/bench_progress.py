"""Benchmark the progress engine at national scale against the set-based SQL floor.

    python manage.py bench_progress                      # 300, 1000 and 3000 counties
    python manage.py bench_progress --counties 1000 --json bench-results/progress.json

Uses a separate PostgreSQL database (env BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/liangshan_bench), never the project's own. Each size is filled here and
measured in a fresh subprocess, so peak memory of one size does not contaminate the next.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks import progress as bench
from liangshan_edu.progressbar import ProgressBar

DEFAULT_SIZES = [300, 1000, 3000]
COLUMNS = [  # key, title, width, format
    ("counties", "counties", 8, "d"),
    ("figures", "figures", 9, "d"),
    ("rows", "rows", 9, "d"),
    ("full_s", "full s", 8, ".2f"),
    ("rows_per_s", "rows/s", 8, "d"),
    ("floor_s", "floor s", 8, ".2f"),
    ("ratio", "ratio", 6, ".2f"),
    ("floor_bare_s", "bare s", 8, ".2f"),
    ("write_only_s", "copy s", 8, ".2f"),
    ("statuses_match", "match", 6, ""),
    ("incremental_ms_median", "incr ms", 8, ".1f"),
    ("peak_rss_mb", "RSS MB", 7, ".1f"),
]


def table(results: list[dict]) -> str:
    """The results as a fixed-width text table (one line per size)."""
    def cell(value, width: int, spec: str) -> str:
        text = "-" if value is None else format(value, spec) if spec else str(value)
        return f"{text:>{width}}"

    head = " ".join(f"{title:>{width}}" for _, title, width, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    lines += [" ".join(cell(r.get(key), width, spec) for key, _, width, spec in COLUMNS) for r in results]
    return "\n".join(lines)


class Command(BaseCommand):
    help = ("Benchmark the progress engine on synthetic national-scale data in a separate PostgreSQL database "
            "(BENCH_DATABASE_URL): full recompute vs a one-statement SQL floor, incremental recompute, memory.")

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, nargs="+", help="sizes to run (default 300 1000 3000)")
        parser.add_argument("--json", help="write the results as JSON to this path")
        parser.add_argument("--runs", type=int, default=50, help="incremental recomputes per size (default 50)")
        parser.add_argument("--seed", type=int, default=2025,
                            help="seed of the figures the incremental runs change (default 2025)")
        parser.add_argument("--in-process", action="store_true",
                            help="measure in this process instead of a fresh subprocess per size")
        # Internal: the per-size subprocess measures the data already filled and writes its result here.
        parser.add_argument("--measure-only", metavar="RESULT_PATH", help="(internal) measure and write JSON")

    def handle(self, *args, **options):
        url = bench.bench_url()
        if options["measure_only"]:
            bench.register(url)
            result = bench.measure(incremental_runs=options["runs"], seed=options["seed"], out=self.stdout.write,
                                   progress=ProgressBar("  recompute", self.stdout))
            Path(options["measure_only"]).write_text(json.dumps(result, indent=2), encoding="utf-8")
            return

        sizes = options["counties"] or DEFAULT_SIZES
        try:
            created = bench.ensure_database(url)
            bench.register(url)
        except Exception as exc:  # unreachable server, no permission, not PostgreSQL
            raise CommandError(f"bench database {url}: {exc}") from exc
        if not bench.lock():
            raise CommandError(f"another bench_progress run is using {url}; wait for it, or point "
                               "BENCH_DATABASE_URL at another database")
        self.stdout.write(f"bench database {url} ({'created' if created else 'exists'})")
        bench.prepare(out=self.stdout.write, progress=ProgressBar("catalogue", self.stdout))

        results = []
        for n in sizes:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{n} counties"))
            t0 = time.perf_counter()
            try:
                stats = bench.fill(n, progress=ProgressBar(f"  fill {n} counties", self.stdout))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            fill_s = time.perf_counter() - t0
            self.stdout.write(f"  filled {stats['figures']} approved figures in {fill_s:.1f} s")
            if options["in_process"]:
                result = bench.measure(incremental_runs=options["runs"], seed=options["seed"],
                                       out=self.stdout.write,
                                       progress=ProgressBar("  recompute", self.stdout))
            else:
                result = self._measure_in_subprocess(url, options["runs"], options["seed"])
            result["fill_s"] = round(fill_s, 1)
            results.append(result)
            self.stdout.write(table([result]).splitlines()[-1])

        self.stdout.write("")
        self.stdout.write(table(results))
        self.stdout.write(
            "full = our full recompute; floor = one INSERT … SELECT into a table shaped like assessment_progress; "
            "ratio = full / floor;\nbare = the same statement into a table without indexes or foreign key; "
            "copy = COPY of our precomputed rows alone;\nmatch = our statuses equal the floor's, row by row; "
            "incr = median recompute_for_figure; RSS = peak of the measuring process")
        if not all(r["statuses_match"] for r in results):
            self.stderr.write(self.style.ERROR("statuses differ from the floor (see the JSON comparison)"))
        if options["json"]:
            path = Path(options["json"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2), encoding="utf-8")
            self.stdout.write(f"results written to {path}")

    def _measure_in_subprocess(self, url: str, runs: int, seed: int = 2025) -> dict:
        manage = Path(settings.BASE_DIR) / "manage.py"
        with tempfile.TemporaryDirectory() as tmp:
            result_path = Path(tmp) / "result.json"
            env = {**os.environ, "BENCH_DATABASE_URL": url}
            self.stdout.flush()
            proc = subprocess.run(
                [sys.executable, str(manage), "bench_progress", "--measure-only", str(result_path),
                 "--runs", str(runs), "--seed", str(seed)],
                env=env, stdout=self.stdout._out, stderr=sys.stderr, check=False,
            )
            if proc.returncode != 0 or not result_path.exists():
                raise CommandError(f"measuring subprocess failed (exit {proc.returncode})")
            return json.loads(result_path.read_text(encoding="utf-8"))
