"""System checks of the deployment that Django's own ``check --deploy`` cannot know about."""
from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

# Backends whose entries live in one process (or nowhere): a version renewed by a Celery worker or by another
# gunicorn worker is not seen by the others.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The data version (``liangshan_edu.dataversion``) and the cached API lists live in Django's cache; every
    process must share it, or a change made in one process stays invisible to the others until
    ``DATA_VERSION_TTL`` runs out (their ETags and cached lists keep answering the old data)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [checks.Warning(
        _("Django 缓存只在各进程内有效（%(backend)s）：一个进程中保存的数据或重算结果，其他进程的 API 列表"
          "最长要 DATA_VERSION_TTL（%(ttl)s 秒）后才能看到。") % {
            "backend": backend.rsplit(".", 1)[-1], "ttl": getattr(settings, "DATA_VERSION_TTL", 3600)},
        hint=_("请设置 REDIS_CACHE_URL（docker-compose.yml 已设置），让 web 与 worker 进程共用一个缓存。"),
        id="liangshan_edu.W001",
    )]
