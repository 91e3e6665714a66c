"""The Celery application. Workers: ``celery -A liangshan_edu worker``; beat: ``celery -A liangshan_edu beat``."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangshan_edu.settings")

app = Celery("liangshan_edu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
