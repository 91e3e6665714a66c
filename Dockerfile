# liangshan-edu: one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Noto CJK so that PDF exports render Chinese (WeasyPrint embeds it; pango lays it out); gettext to compile the
# English catalogue; postgresql-client (15, as the db service) for `manage.py backup` and `restore`.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk gettext postgresql-client \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py compilemessages -v 0 \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 1000 app && mkdir -p /app/media /backups && chown app /app/media /backups
USER app
EXPOSE 8000
# Settings in gunicorn.conf.py (bind 0.0.0.0:8000, WEB_WORKERS workers, access log, no Server banner).
CMD ["gunicorn", "liangshan_edu.wsgi:application"]
