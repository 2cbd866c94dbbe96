"""Shared set-up for the benchmark scripts: a PostgreSQL database of their own, migrated.

BENCH_DATABASE_URL picks the database (default: bounceportal_bench on the
local server, created when missing); it is reused between runs and each
benchmark clears the rows it makes.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bounceportal_bench"


def setup_django(*, migrate: bool = True) -> None:
    """Point Django at the benchmark database, create it if needed, migrate it, and set up."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bounceportal.settings")
    os.environ.pop("REDIS_URL", None)  # tasks run in-process: the benchmark measures the code path
    _create_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


class QueryCounter:
    """Counts SQL statements run through Django's connection (an execute wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def column_defaults(model, varying) -> dict:
    """{column: its field's default, as a database value} for every column of ``model`` but the primary key,
    generated columns and those named in ``varying`` (field names or attnames).

    A NOT NULL column without a default that ``varying`` leaves out raises ValueError naming it, so a column
    added later stops a bench's fill with a sentence instead of a COPY error deep in psycopg.
    """
    import json

    from django.db import models

    constant = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False) or {field.name, field.attname} & set(varying):
            continue
        value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.name} is NOT NULL without a default: pass it in varying")
        constant[field.column] = json.dumps(value) if isinstance(field, models.JSONField) else value
    return constant


def copy_model_rows(model, varying, rows) -> int:
    """COPY ``rows`` into ``model``'s table and return how many: each row gives the ``varying`` columns (field
    names or attnames, in that order); every other column gets its field's default (``column_defaults``)."""
    from django.db import connection

    by_name = {name: f for f in model._meta.concrete_fields for name in (f.name, f.attname)}
    constant = column_defaults(model, varying)
    columns = [by_name[name].column for name in varying] + list(constant)
    tail = tuple(constant.values())
    connection.ensure_connection()
    count = 0
    with connection.connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
    return count


def fresh_organization(slug: str, *, purge: tuple[str, ...] = (), **fields):
    """A new organization ``slug`` (the last run's, if any, deleted first) with ``fields`` set.

    ``purge`` names tables whose rows of that organization are deleted by raw SQL first: far
    quicker than the ORM's cascade for a benchmark's hundred thousand rows. The rest goes through
    the retention path (audit rows such as clearances can be deleted no other way).
    """
    from django.db import connection, transaction

    from bounceportal.audit import retention_path
    from contacts.models import Organization
    from contacts.services import create_organization

    with transaction.atomic(), connection.cursor() as cursor:
        for org_id in Organization.objects.filter(slug=slug).values_list("pk", flat=True):
            for table in purge:
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
    with retention_path():
        Organization.objects.filter(slug=slug).delete()
    org = create_organization(name=slug, slug=slug)
    for name, value in fields.items():
        setattr(org, name, value)
    if fields:
        org.save(update_fields=list(fields))
    return org


def vacuum(*tables: str) -> None:
    """VACUUM ANALYZE the tables (dead rows of the last run gone, planner statistics fresh)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def raw_connection():
    """A bare psycopg connection to the benchmark database: the 'simplest way' side of a limit_ratio."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )


class CpuClock:
    """CPU seconds of this process plus those of a PostgreSQL backend on this machine (by its pid,
    from /proc): on a shared machine the work done, where the wall clock also counts the wait
    for a core. ``backend`` is None when the server's processes cannot be read (another host)."""

    def __init__(self, backend_pid: int):
        self.path = Path(f"/proc/{backend_pid}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def backend(self) -> float | None:
        try:
            fields = self.path.read_text().rpartition(")")[2].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime

    def __call__(self) -> tuple[float, float | None]:
        import time

        return time.process_time(), self.backend()


def cpu_between(before: tuple[float, float | None], after: tuple[float, float | None]) -> str:
    """'client+server' CPU seconds between two CpuClock readings (server n/a when unreadable)."""
    client = after[0] - before[0]
    if before[1] is None or after[1] is None:
        return f"{client:.2f}+n/a"
    return f"{client:.2f}+{after[1] - before[1]:.2f}"
