"""Celery tasks: build a long export (PDF, xlsx) in the background; thin wrappers around ``reports.exports``."""
from __future__ import annotations

from celery import shared_task

from reports.exports import run_job


@shared_task
def build_export(record_id: str) -> str:
    """Build one recorded export into its file (``exports.run_job`` claims only a pending record, so a
    second delivery does nothing; a failure marks the record failed and leaves no file)."""
    return run_job(record_id)
