#!/usr/bin/env bash
# `make demo`: SQLite, eager tasks, seeded data, then serve the portal on 127.0.0.1:$DEMO_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${DEMO_PORT:-8000}"
unset DATABASE_URL REDIS_URL
if ! "$PY" - "$PORT" <<'PYEOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PYEOF
then
  echo "Port $PORT on 127.0.0.1 is taken. Pick another with DEMO_PORT, e.g.: make demo DEMO_PORT=8001" >&2
  exit 1
fi
# A local SMTP sink (aiosmtpd, discarding) so runs launched in the demo really send.
SMTP_SINK_PORT="${DEMO_SMTP_PORT:-$((PORT + 25))}"
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_SINK_PORT" -c aiosmtpd.handlers.Sink &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null' EXIT
export SMTP_HOST=127.0.0.1 SMTP_PORT="$SMTP_SINK_PORT"
# 0.2 restarted the migration history: a demo database made by 0.1 cannot be migrated, so it starts afresh.
if [ -f db.sqlite3 ] && "$PY" - <<'PYEOF'
import sqlite3, sys
query = "SELECT 1 FROM django_migrations WHERE app = 'contacts' AND name = '0003_bulk_clear_job'"
try:
    sys.exit(0 if sqlite3.connect("db.sqlite3").execute(query).fetchall() else 1)
except sqlite3.Error:
    sys.exit(1)
PYEOF
then
  echo "The demo database was made by release 0.1, whose migrations 0.2 replaced: starting it afresh." >&2
  rm db.sqlite3
fi
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo
if "$PY" manage.py help demo_bounces >/dev/null 2>&1; then
  "$PY" manage.py demo_bounces
fi
cat <<MSG

  BouncePortal demo is running at  http://127.0.0.1:$PORT/
  Organization admin:  acme-admin / bounceportal-demo   (viewer: acme-viewer / bounceportal-demo)
  Support staff admin: http://127.0.0.1:$PORT/admin/  support / bounceportal-demo
  Campaign runs launched here go to a discarding SMTP sink on 127.0.0.1:$SMTP_SINK_PORT.
  Stop with Ctrl-C.

MSG
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload
