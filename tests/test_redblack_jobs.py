"""Publishing and correcting the lists in the background (redblack.jobs): refusals answered at once, the job's
page (officials only) with its progress, one job per period, failures and lost workers ending as failed with
nothing written, never left running."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.choices import JobState
from redblack import jobs, lists
from redblack.models import ListJob, Publication
from tests.conftest import client_for
from tests.redblack_data import YEAR, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(official):
    lagging_zhaojue()
    return jobs.start_publish(official, "2026-Q3", YEAR)  # not run: the test's transaction never commits


@pytest.mark.parametrize("role, code", [("official", 200), ("auditor", 403), ("clerk_zhaojue", 403), ("admin", 403),
                                        ("leader_zhaojue", 403)])
def test_only_officials_follow_a_job(users, queued, role, code):
    assert client_for(users[role]).get(reverse("redblack-job", args=[queued.pk])).status_code == code


def test_anonymous_are_sent_to_log_in(client, queued):
    assert client.get(reverse("redblack-job", args=[queued.pk]))["Location"].startswith("/accounts/login/")


def test_a_job_under_way_reloads_itself_and_a_done_one_leads_to_its_lists(official, queued):
    page = client_for(official).get(reverse("redblack-job", args=[queued.pk])).content.decode()
    assert "js/job-page.js" in page and 'id="job-progress"' in page and "排队中" in page
    polled = client_for(official).get(reverse("redblack-job", args=[queued.pk]), {"format": "json"}).json()
    assert polled["state"] == "pending" and polled["state_label"] == "排队中" and polled["percent"] == 0
    assert jobs.run(str(queued.pk)) == JobState.SUCCESS
    queued.refresh_from_db()
    assert queued.result == Publication.objects.get(period="2026-Q3") and queued.finished_at is not None
    response = client_for(official).get(reverse("redblack-job", args=[queued.pk]))
    assert response.status_code == 302 and response["Location"] == f"{reverse('redblack-lists')}?period=2026-Q3"
    polled = client_for(official).get(reverse("redblack-job", args=[queued.pk]), {"format": "json"})
    assert polled.status_code == 200 and polled.json()["state"] == "success"  # the script sees the end, then reloads
    assert jobs.run(str(queued.pk)) == JobState.SUCCESS  # a second run does nothing
    assert Publication.objects.filter(period="2026-Q3").count() == 1


def test_the_build_reports_each_rule_then_the_writing(official):
    lagging_zhaojue()
    heard = []
    lists.build(official, "2026-Q3", YEAR, progress=lambda done, total, step: heard.append((done, total, step)))
    n = len(heard) - 1
    assert n >= 2 and [h[:2] for h in heard] == [(i, n + 1) for i in range(n + 1)]
    assert heard[0][2].startswith("规则：") and heard[-1][2] == "写入榜单"


def test_refusals_are_answered_at_once_and_one_job_runs_per_period(official, queued):
    with pytest.raises(jobs.JobRunning):
        jobs.start_publish(official, "2026-Q3", YEAR)
    response = client_for(official).post(reverse("redblack-preview"), {"period": "2026-Q3", "year": YEAR})
    assert response.status_code == 302 and response["Location"] == reverse("redblack-job", args=[queued.pk])
    jobs.run(str(queued.pk))
    with pytest.raises(lists.AlreadyPublished):
        jobs.start_publish(official, "2026-Q3", YEAR)
    published = Publication.objects.get(period="2026-Q3")
    with pytest.raises(ValueError, match="更正原因"):
        jobs.start_correct(official, published, remove=[], reason=" ")
    with pytest.raises(ValueError, match="不在此版本"):
        jobs.start_correct(official, published, remove=[10 ** 9], reason="r")
    assert ListJob.objects.count() == 1


def test_a_refused_correction_fails_the_job_and_writes_nothing(official, queued):
    jobs.run(str(queued.pk))
    published = Publication.objects.get(period="2026-Q3")
    job = jobs.start_correct(official, published, remove=[], reason="复核")  # nothing changed since
    assert jobs.run(str(job.pk)) == JobState.FAILURE
    job.refresh_from_db()
    assert "无需更正" in job.error and job.result is None and Publication.objects.count() == 1
    page = client_for(official).get(reverse("redblack-job", args=[job.pk])).content.decode()
    assert 'id="job-error"' in page and "无需更正" in page and "js/job-page.js" not in page


def test_a_crash_fails_the_job_with_nothing_written(official, queued, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lists, "_entries", boom)  # inside the publication's transaction
    assert jobs.run(str(queued.pk)) == JobState.FAILURE
    queued.refresh_from_db()
    assert queued.state == JobState.FAILURE and "系统错误" in queued.error and "disk full" not in queued.error
    assert not Publication.objects.exists()


def test_a_silent_job_is_marked_failed_never_left_running(official, queued):
    ListJob.objects.filter(pk=queued.pk).update(state=JobState.RUNNING,
                                                heartbeat_at=timezone.now() - timedelta(hours=1))
    page = client_for(official).get(reverse("redblack-job", args=[queued.pk])).content.decode()
    queued.refresh_from_db()
    assert queued.state == JobState.FAILURE and "没有进展" in page
    assert jobs.run(str(queued.pk)) == JobState.FAILURE  # a worker that comes late does nothing
    assert not Publication.objects.exists()
