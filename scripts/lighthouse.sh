#!/usr/bin/env bash
# Lighthouse scores of our pages, measured against a production-like server on this machine.
#
#   scripts/lighthouse.sh                                  # the default pages (see DEFAULT_PAGES)
#   scripts/lighthouse.sh / /counties/513431/ /indicators/PRE-01/   # any paths, as the official user
#   scripts/lighthouse.sh clerk_zhaojue@/figures/entry/2025/ anon@/accounts/login/
#
# A page is "[user@]/path"; without a user it is fetched as $LH_USER (default: official), "anon" means not
# logged in. Every demo user has the password liangshan2025 (demo only).
#
# What it does: a fresh SQLite database and STATIC_ROOT in a temp dir, `manage.py bootstrap --demo`,
# collectstatic, gunicorn with DEBUG=0 on plain http://127.0.0.1 (no TLS redirect, no HSTS), a login per user
# through the real login form, then Lighthouse (desktop preset, Debian chromium, the session cookie passed
# with --extra-headers). JSON reports go to test-artifacts/lighthouse/, a table of the four category scores
# is printed at the end. Lighthouse itself is installed pinned into .cache/lighthouse/ (git-ignored).
#
# Environment: LIGHTHOUSE_DIR (default .cache/lighthouse), LH_USER, LH_PORT (default: a free port), CHROME_PATH (default /usr/bin/chromium),
# LH_OUT (default test-artifacts/lighthouse), LH_KEEP=1 keeps the temp dir, LH_SETUP=<file.py> runs it in the shell first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

LIGHTHOUSE_VERSION=12.8.2   # 13.x needs node >= 22.19; this machine has node 20
# The dashboard, a county page and the entry form (issue: Lighthouse on these three).
DEFAULT_PAGES=("official@/" "official@/counties/513431/" "clerk_zhaojue@/figures/entry/2025/")
PASSWORD=liangshan2025
LH_USER=${LH_USER:-official}
OUT=${LH_OUT:-$ROOT/test-artifacts/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PY=$ROOT/.venv/bin/python
PAGES=("$@")
[ ${#PAGES[@]} -gt 0 ] || PAGES=("${DEFAULT_PAGES[@]}")

# --- Lighthouse, pinned, in a project-local cache --------------------------------------------------------
LH_DIR=${LIGHTHOUSE_DIR:-$ROOT/.cache/lighthouse}   # LIGHTHOUSE_DIR: an install outside the repo, e.g. /tmp/lh
LH_BIN=$LH_DIR/node_modules/.bin/lighthouse
if [ ! -x "$LH_BIN" ] || [ "$(node "$LH_BIN" --version 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]; then
  echo "installing lighthouse@$LIGHTHOUSE_VERSION into $LH_DIR" >&2
  mkdir -p "$LH_DIR"
  npm install --prefix "$LH_DIR" --no-audit --no-fund --no-save --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION" >&2
fi

# --- a fresh production-like server -----------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lighthouse.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${LH_KEEP:-0}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

PORT=${LH_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE=http://127.0.0.1:$PORT

# Only what the app reads (liangshan_edu/settings.py, env.py). DEBUG=0 means manifest + compressed static
# files, secure cookies and HSTS; on plain http we turn off the TLS redirect and HSTS. The session and CSRF
# cookies stay "Secure" (not configurable): the login below reads them from Set-Cookie itself, and Lighthouse
# sends the session as a header, which the browser does not filter.
export DEBUG=0
export SECRET_KEY="lighthouse-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export ALLOWED_HOSTS=127.0.0.1
export CSRF_TRUSTED_ORIGINS=$BASE
export SECURE_SSL_REDIRECT=0
export SECURE_HSTS_SECONDS=0
export SECURE_HSTS_PRELOAD=0
export DATABASE_URL=sqlite:///$TMP/db.sqlite3
export STATIC_ROOT=$TMP/static
export MEDIA_ROOT=$TMP/media
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND REDIS_CACHE_URL || true

echo "bootstrap --demo, collectstatic (in $TMP)" >&2
"$PY" manage.py bootstrap --demo > "$TMP/bootstrap.log" 2>&1 || { cat "$TMP/bootstrap.log" >&2; exit 1; }
"$PY" manage.py collectstatic --noinput > "$TMP/collectstatic.log" 2>&1 || { cat "$TMP/collectstatic.log" >&2; exit 1; }
# LH_SETUP: Python run in `manage.py shell` on the demo database before serving (pages that need more than the
# demo, e.g. a published red/black list: scripts/lighthouse_redblack.py).
if [ -n "${LH_SETUP:-}" ]; then "$PY" manage.py shell < "$LH_SETUP" >&2 || exit 1; fi

"$ROOT/.venv/bin/gunicorn" liangshan_edu.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --access-logfile "$TMP/access.log" --error-logfile "$TMP/gunicorn.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "$BASE/accounts/login/" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/gunicorn.log" >&2; exit 1; }
  sleep 0.2
done
echo "serving $BASE (gunicorn pid $SERVER_PID)" >&2

cookie_value() {  # cookie_value NAME HEADERFILE
  sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\);.*/\1/p" "$2" | tail -1
}

login() {  # login USER -> prints "sessionid=…"
  local h1=$TMP/login-get.h h2=$TMP/login-post.h csrf session code
  curl -fs -D "$h1" -o /dev/null "$BASE/accounts/login/"
  csrf=$(cookie_value csrftoken "$h1")
  code=$(curl -s -D "$h2" -o /dev/null -w '%{http_code}' "$BASE/accounts/login/" \
    -H "Cookie: csrftoken=$csrf" -H "Origin: $BASE" -H "Referer: $BASE/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD")
  session=$(cookie_value sessionid "$h2")
  if [ "$code" != 302 ] || [ -z "$session" ]; then echo "login as $1 failed (HTTP $code)" >&2; return 1; fi
  echo "sessionid=$session"
}

# --- Lighthouse per page ------------------------------------------------------------------------------------
mkdir -p "$OUT"
REPORTS=()
declare -A SESSIONS=()
for page in "${PAGES[@]}"; do
  if [[ $page == *@/* ]]; then user=${page%%@/*}; path=/${page#*@/}; else user=$LH_USER; path=$page; fi
  [[ $path == /* ]] || path=/$path
  headers='{}'
  if [ "$user" != anon ]; then
    [ -n "${SESSIONS[$user]:-}" ] || SESSIONS[$user]=$(login "$user")
    headers="{\"Cookie\": \"${SESSIONS[$user]}\"}"
  fi
  slug=$(printf '%s' "$user$path" | tr -c 'A-Za-z0-9_-' '_' | sed 's/_*$//')
  report=$OUT/$slug.json
  # The page must end in 200 as this user, not on the login page (that would be measured silently);
  # redirects are followed, as Lighthouse does (e.g. /progress/ now leads to the dashboard's heat map).
  read -r status final < <(curl -s -L -o /dev/null -w '%{http_code} %{url_effective}\n' -H "Cookie: ${SESSIONS[$user]:-}" "$BASE$path")
  if [ "$status" != 200 ] || [[ $final == */accounts/login/* && $path != /accounts/login/* ]]; then
    echo "$user $path ends in HTTP $status at $final" >&2; exit 1
  fi
  # Chrome does not repeat the --extra-headers cookie after a redirect, so a redirecting path is measured at
  # the page it lands on (with the fragment of the last Location, e.g. /#heatmap); the table names both.
  url=$BASE$path
  if [ "$final" != "$BASE$path" ]; then
    location=$(curl -s -L -D - -o /dev/null -H "Cookie: ${SESSIONS[$user]:-}" "$BASE$path" | sed -n 's/^[Ll]ocation: *//p' | tail -1 | tr -d '\r')
    url=$final; [[ $location == *#* && $final != *#* ]] && url=$final#${location#*#}
    echo "  $path redirects to ${url#$BASE}" >&2
  fi
  echo "lighthouse $user $path" >&2
  node "$LH_BIN" "$url" --quiet --preset=desktop --output=json --output-path="$report" \
    --chrome-flags="--headless --no-sandbox --disable-gpu" --extra-headers="$headers" --max-wait-for-load=60000
  REPORTS+=("$user $path $report")
done

# --- the table ----------------------------------------------------------------------------------------------
printf '%s\n' "${REPORTS[@]}" | node -e '
const fs = require("fs");
const rows = fs.readFileSync(0, "utf8").trim().split("\n").map(l => l.split(" "));
const cats = ["performance", "accessibility", "best-practices", "seo"];
const pct = s => s == null ? "n/a" : String(Math.round(s * 100));
console.log(["user", "path", ...cats, "TBT ms", "LCP ms", "bytes"].join("\t"));
for (let [user, path, file] of rows) {
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  const a = r.audits;
  const num = id => a[id] && a[id].numericValue != null ? Math.round(a[id].numericValue) : "n/a";
  const landed = new URL(r.finalDisplayedUrl || r.finalUrl).pathname;
  if (landed !== path.split("#")[0]) path += ` -> ${landed}`;
  console.log([user, path, ...cats.map(c => pct(r.categories[c] && r.categories[c].score)),
               num("total-blocking-time"), num("largest-contentful-paint"), num("total-byte-weight")].join("\t"));
  for (const c of cats) {
    const failing = (r.categories[c] ? r.categories[c].auditRefs : [])
      .filter(ref => ref.weight > 0 && a[ref.id] && a[ref.id].score !== null && a[ref.id].score < 0.9)
      .map(ref => `${ref.id} (${a[ref.id].score})`);
    if (failing.length) console.log(`    ${c}: ${failing.join(", ")}`);
  }
}'
echo "reports: $OUT" >&2
