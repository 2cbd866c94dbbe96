"""Run the project's own processes (manage.py, a Celery worker) against the test database.

pytest-django's database is ``test_<name>``; a child process gets a DATABASE_URL
naming it, so tests that use one must commit their rows (``transactional_db``).
"""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(*, redis: bool = False, **extra) -> dict:
    """The environment for a child process: the test database, Redis only when asked for."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=test_database_url(), DJANGO_ENV="test", PYTHONPATH=str(ROOT))
    if redis:
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(*args, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def manage_killed_at(checkpoint: str, *args, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``manage.py ARGS`` in a process that SIGKILLs itself at ingestion checkpoint ``NAME:N``."""
    return subprocess.run(
        [PYTHON, str(ROOT / "tests" / "crash_poll.py"), checkpoint, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_manage(*args, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
