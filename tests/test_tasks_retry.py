"""Celery tasks retry what may pass on a second try (a lost connection, a deadlock), and nothing else."""
import pytest
from django.db import OperationalError, ProgrammingError

from assessment import services, tasks


def _failing(monkeypatch, *errors):
    calls = []

    def recompute_for_figure(indicator_id, county_id, year):
        calls.append((indicator_id, county_id, year))
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return 7

    monkeypatch.setattr(services, "recompute_for_figure", recompute_for_figure)
    monkeypatch.setattr(tasks.recompute_for_figure, "retry_backoff", False)
    return calls


def test_a_lost_connection_is_retried(monkeypatch):
    calls = _failing(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    result = tasks.recompute_for_figure.apply(args=(3, 5, 2024), throw=False)
    # Eagerly, the retry runs at once (here it succeeds).
    assert calls == [(3, 5, 2024), (3, 5, 2024)]
    assert result.successful()


def test_a_programming_error_is_not_retried(monkeypatch):
    calls = _failing(monkeypatch, ProgrammingError("column does not exist"))
    result = tasks.recompute_for_figure.apply(args=(3, 5, 2024), throw=False)
    assert result.failed()
    with pytest.raises(ProgrammingError):
        result.get()
    assert calls == [(3, 5, 2024)]
