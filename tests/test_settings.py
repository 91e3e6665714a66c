"""Settings come from the environment: the embedded default, PostgreSQL through DATABASE_URL, deploy checks."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN = {k: v for k, v in os.environ.items()
         if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
                      "DJANGO_ALLOW_ASYNC_UNSAFE"}}


def run_python(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**CLEAN, **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SHOW = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='liangshan_edu.settings'; django.setup(); "
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE, s.TIME_ZONE)")


def test_nothing_set_means_sqlite_and_eager_celery():
    assert run_python(SHOW) == "django.db.backends.sqlite3 True zh-hans Asia/Shanghai"


def test_database_url_selects_postgresql_and_a_broker_turns_eager_off():
    out = run_python(SHOW, DATABASE_URL="postgres://u@db:5432/x", CELERY_BROKER_URL="redis://r:6379/0")
    assert out == "django.db.backends.postgresql False zh-hans Asia/Shanghai"


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env={**CLEAN, "DEBUG": "0"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_check_deploy_has_no_warnings_with_production_variables():
    env = {**CLEAN, "DEBUG": "0", "SECRET_KEY": "x9!" * 20 + "long-and-random-enough-for-django-checks",
           "ALLOWED_HOSTS": "edu.example.org", "DATABASE_URL": "postgres://u:p@db:5432/liangshan",
           "REDIS_CACHE_URL": "redis://redis:6379/2"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_cache_is_not_shared(settings):
    """The data version lives in the cache: a process-local cache in production hides changes (issue 13)."""
    from django.core.checks import run_checks

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "liangshan_edu.W001"]
    assert len(warnings) == 1 and "REDIS_CACHE_URL" in warnings[0].hint
    assert "DATA_VERSION_TTL" in warnings[0].msg
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/9"}}
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "liangshan_edu.W001"]
    # Not a deployment: the embedded default (run.sh, tests) is one process and stays quiet.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not [m for m in run_checks() if m.id == "liangshan_edu.W001"]


def test_env_file_secrets(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='liangshan_edu.settings'; import django; django.setup(); "
            "from django.conf import settings as s; print(s.SECRET_KEY)")
    assert run_python(code, DEBUG="0", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="x") == "from-a-file"
