#!/usr/bin/env bash
# Benchmark of the API lists (issue 13 item 6), rerunnable by anyone:
#   a PostgreSQL database of its own (dropped and created again), bootstrap + demo data, gunicorn with 2 workers
#   and DEBUG=0, then for each list: wrk (8 connections) without and with If-None-Match, and sequential requests
#   (the median time of one request, and its ratio to counties/). Prints a Markdown table.
#
# Environment (all optional):
#   BENCH_API_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/liangshan_bench_api (dropped and recreated)
#   BENCH_API_CACHE_URL     a Redis URL for Django's cache (as production's REDIS_CACHE_URL); it is flushed.
#                           Unset: each gunicorn worker keeps its own local-memory cache.
#   BENCH_API_PORT (8765), BENCH_API_DURATION (10s), BENCH_API_SEQUENTIAL (200 requests per list)
#   BENCH_API_SKIP_SETUP=1  reuse the database as it is (no drop, no bootstrap)
# Needs: wrk (apt-get install wrk), psql, the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_URL=${BENCH_API_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/liangshan_bench_api}
PORT=${BENCH_API_PORT:-8765}
DURATION=${BENCH_API_DURATION:-10s}
SEQUENTIAL=${BENCH_API_SEQUENTIAL:-200}
PY=.venv/bin/python
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

DB_NAME=${DB_URL##*/}
SERVER_URL=${DB_URL%/*}/postgres
export DATABASE_URL=$DB_URL DEBUG=0 SECRET_KEY=bench-api-not-secret ALLOWED_HOSTS=127.0.0.1,localhost \
       SECURE_SSL_REDIRECT=0 LOG_LEVEL=WARNING
unset CELERY_BROKER_URL REDIS_CACHE_URL
if [ -n "${BENCH_API_CACHE_URL:-}" ]; then
    export REDIS_CACHE_URL=$BENCH_API_CACHE_URL
    "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_CACHE_URL"
fi

if [ -z "${BENCH_API_SKIP_SETUP:-}" ]; then
    psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS \"$DB_NAME\"" -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null
    "$PY" manage.py bootstrap --demo >/dev/null
fi
TOKEN=$("$PY" manage.py shell -c "
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
print(Token.objects.get_or_create(user=get_user_model().objects.get(username='official'))[0].key)" | tail -n 1)

.venv/bin/gunicorn liangshan_edu.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT/api/v1"
for _ in $(seq 50); do curl -sf -o /dev/null -H "Authorization: Token $TOKEN" "$BASE/counties/" && break; sleep 0.2; done

LISTS=("counties/" "progress/?county=513401&year=2024" "indicators/?plan=compulsory" "figures/?year=2024")

etag_of() {  # the ETag of a list, or nothing when it sends none
    curl -s -D - -o /dev/null -H "Authorization: Token $TOKEN" "$BASE/$1" | tr -d '\r' \
        | awk 'tolower($1) == "etag:" {print $2}'
}

run_wrk() {  # requests/s and p50 (ms) of one list; $2: an If-None-Match value or nothing
    local args=(-t 2 -c 8 -d "$DURATION" --timeout 30s --latency -H "Authorization: Token $TOKEN")
    [ -n "$2" ] && args+=(-H "If-None-Match: $2")
    wrk "${args[@]}" "$BASE/$1" | awk '
        /Requests\/sec/ {rps = $2}
        $1 == "50%" {v = $2; ms = v + 0; if (v ~ /us$/) ms /= 1000; else if (v ~ /[^m]s$/) ms *= 1000; p50 = ms}
        /Non-2xx or 3xx/ {bad = $5}
        END {printf "%s %.1f %s\n", rps, p50, bad ? bad : 0}'
}

sequential() {  # median milliseconds of one request, over $SEQUENTIAL requests on one keep-alive connection
    "$PY" - "$PORT" "/api/v1/$1" "$TOKEN" "$SEQUENTIAL" <<'EOF'
import http.client, statistics, sys, time
port, path, token, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
conn = http.client.HTTPConnection("127.0.0.1", port)
times = []
for i in range(n + 20):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
    if i >= 20:  # the first requests warm the workers (and the cache)
        times.append(time.perf_counter() - start)
print(f"{statistics.median(times) * 1000:.2f}")
EOF
}

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo ' (with uncommitted changes)'), $(date -u +%FT%TZ)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; cache: ${REDIS_CACHE_URL:-local memory per worker}"
echo
echo "| list | req/s | p50 ms | req/s If-None-Match | p50 ms If-None-Match | sequential ms | × counties/ |"
echo "|---|---:|---:|---:|---:|---:|---:|"
COUNTIES_MS=""
for list in "${LISTS[@]}"; do
    seq_ms=$(sequential "$list")
    [ -z "$COUNTIES_MS" ] && COUNTIES_MS=$seq_ms
    read -r rps p50 bad <<<"$(run_wrk "$list" "")"
    etag=$(etag_of "$list")
    if [ -n "$etag" ]; then
        read -r rps304 p50304 bad304 <<<"$(run_wrk "$list" "$etag")"
    else
        rps304="(no ETag)"; p50304="–"; bad304=0
    fi
    ratio=$("$PY" -c "print(f'{$seq_ms / $COUNTIES_MS:.2f}')")
    [ "$bad" = 0 ] && [ "$bad304" = 0 ] || echo "WARNING: non-2xx/3xx answers for $list: $bad / $bad304" >&2
    echo "| \`$list\` | $rps | $p50 | $rps304 | $p50304 | $seq_ms | $ratio |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
