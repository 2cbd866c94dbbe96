"""Throwaway PostgreSQL and Redis servers that a test may restart (the shared ones are never touched).

``PrivatePostgres`` is a cluster made with ``initdb`` in a temporary folder (as the
``postgres`` user when the tests run as root: initdb refuses root), started with
``pg_ctl`` on a free loopback port, with durability switched off for speed.
``PrivateRedis`` is ``redis-server --save '' --appendonly no`` on a free port, so a
restart also forgets every key, as a Redis without persistence does.
``using_database`` points Django's default connection at one of the cluster's
databases for the length of a block.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from tests.smtp_sink import free_port


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder that has initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _wait_until(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


class PrivatePostgres:
    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise FileNotFoundError("initdb")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="bp-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], check=check, capture_output=True, text=True, timeout=60)

    def start(self) -> PrivatePostgres:
        if self.as_user:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c synchronous_commit=off -c full_page_writes=off"
        args = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), "-w"]
        if action != "stop":
            args += ["-o", options]
        self._run(*args, "-m", "fast", action)

    def restart(self) -> None:
        """Stop (fast: every session is terminated, open transactions roll back) and start again."""
        self._pg_ctl("restart")

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> None:
        self._run(str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                  "-v", "ON_ERROR_STOP=1", "-c", sql)  # fmt: skip

    def copy_database(self, source: dict, database: str) -> None:
        """Create ``database`` here as a copy (schema and rows) of the ``source`` DATABASES entry's database.

        pg_dump | psql takes a second or two where running every migration again takes many.
        """
        self.psql(f"CREATE DATABASE {database}")
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        dump = subprocess.Popen(
            [str(self.bindir / "pg_dump"), "--no-owner", "--no-privileges", "-h", source["HOST"] or "127.0.0.1",
             "-p", str(source["PORT"] or 5432), "-U", source["USER"] or "postgres", "-d", source["NAME"]],
            stdout=subprocess.PIPE, env=env,
        )  # fmt: skip
        restore = subprocess.run(
            [str(self.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", database],
            stdin=dump.stdout, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert dump.stdout is not None
        dump.stdout.close()
        if dump.wait(60) != 0 or restore.returncode != 0:
            raise RuntimeError(f"copying {source['NAME']} failed: {restore.stderr[-2000:]}")

    def settings_for(self, database: str) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "NAME": database,
            "USER": "postgres",
            "PASSWORD": "",
        }


@contextmanager
def using_database(server: PrivatePostgres, database: str) -> Iterator[None]:
    """Point Django's default connection at ``database`` on ``server`` inside the block, then back."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(server.settings_for(database))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(self._answers, 10, "redis-server")
        return self

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        """Kill it (every key is lost: no persistence) and start it again on the same port."""
        self.stop()
        self.start()
