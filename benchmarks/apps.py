from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Benchmarks (``bench_progress``, ``bench_pages``): tools that measure the product, kept out of its apps."""

    name = "benchmarks"
    verbose_name = "benchmarks"
