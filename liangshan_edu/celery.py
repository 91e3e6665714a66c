"""The Celery application. Workers: ``celery -A liangshan_edu worker``; beat: ``celery -A liangshan_edu beat``.

Both write heartbeats that ``/healthz`` reads (``liangshan_edu.health``): every worker from its consumer's timer,
beat each time it has published the ``liangshan_edu.heartbeat`` task of the beat schedule.
"""
import os

from celery import Celery, bootsteps
from celery.signals import after_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangshan_edu.settings")

app = Celery("liangshan_edu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_TASK = "liangshan_edu.heartbeat"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes this worker's heartbeat every ``HEALTH_WORKER_HEARTBEAT_SECONDS`` while its consumer runs.

    On the consumer's own timer, in the worker's main process: no message goes through the broker, and a worker
    whose consumer stopped (broker lost, shutting down) stops writing.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None

    def start(self, parent):
        from django.conf import settings

        from liangshan_edu import health

        health.record_worker_heartbeat(parent.hostname)
        self.tref = parent.timer.call_repeatedly(
            settings.HEALTH_WORKER_HEARTBEAT_SECONDS, health.record_worker_heartbeat, (parent.hostname,), priority=10)

    def stop(self, parent):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop


app.steps["consumer"].add(WorkerHeartbeat)


@app.task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """Beat's heartbeat: beat publishing it is the signal (below); the worker that takes it has nothing to do."""


@after_task_publish.connect(sender=HEARTBEAT_TASK)
def _beat_published_heartbeat(sender=None, **kwargs) -> None:
    from liangshan_edu import health

    health.record_beat_heartbeat()
