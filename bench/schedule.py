"""Benchmark: schedule a 100,000-learner run over a 3-day send window, then release its due sends.

Run: .venv/bin/python bench/schedule.py [--learners N]
Last line: RESULT schedule_s=… release_per_s=… limit_ratio=… raw_copy_s=… release_limit_ratio=…
(targets: schedule < 5 s, release ≥ 5,000 sends/s).

* ``schedule_s``: ``schedule_new_run`` with a window of Monday–Friday 09:00–17:00 in
  Europe/Paris over 3 days: the audience read, the address check, every learner's send row
  with its token and due time (``campaigns.services.send_rows``), in one transaction.
* ``limit_ratio``: ``raw_copy_s / schedule_s``, where ``raw_copy_s`` is the simplest way to
  write the same rows: the scheduled run's rows (every column, fresh tokens), ready-made in
  Python, COPYed by bare psycopg into another run of the same campaign and committed, in the
  same run of this script. 1.0 means scheduling costs nothing over writing its rows; what
  both pay is the table's indexes and foreign-key checks.
* ``release_per_s``: ``release_due_sends`` at a time when the whole window has passed (the
  worst tick: every send due at once), as sends handed to the workers per second. The chunks
  are enqueued on Celery's broker when BENCH_REDIS_URL is set; without it they are recorded
  in-process (so the figure is the database side of a release), and the output says which.
* ``release_limit_ratio``: ``release_per_s`` over the simplest way to do the same read, raw SQL
  through psycopg (the due sends' ids of the run in id order, cut into chunk ranges).

The machine is shared: the output gives the load average next to the figures, and the CPU
seconds of both ways (``schedule_cpu_s``, ``raw_copy_cpu_s``: this process + its PostgreSQL
backend, read from /proc when the server runs here), which waiting for a core does not inflate.
"""

import argparse
import base64
import os
import secrets
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from _setup import CpuClock, cpu_between, fresh_organization, raw_connection, setup_django, vacuum

SLUG = "bench-schedule"
TABLES = ("campaigns_send", "campaigns_campaignrun", "campaigns_campaign", "contacts_learner")


def reset(learner_count: int):
    """A fresh benchmark organization (Europe/Paris, 100 messages/s) with ``learner_count`` learners."""
    from contacts.models import Learner

    org = fresh_organization(SLUG, purge=TABLES, time_zone="Europe/Paris", send_rate_per_second=100)
    Learner.objects.bulk_create(
        [
            Learner(organization=org, email=f"l{i}@school{i % 40}.example", first_name=f"L{i}")
            for i in range(learner_count)
        ],
        batch_size=5000,
    )
    vacuum("campaigns_send", "contacts_learner")
    return org


def raw_copy(run, campaign) -> tuple[float, str]:
    """The simplest way to write the run's rows: COPY the same rows (fresh tokens) into another run.

    Returns the wall-clock seconds and the CPU seconds (client+server) of the COPY and its commit."""
    from campaigns.models import CampaignRun, Send

    columns = [f.column for f in Send._meta.concrete_fields if not f.primary_key]
    quoted = ", ".join(f'"{column}"' for column in columns)
    other = CampaignRun.objects.create(organization=run.organization, campaign=campaign)
    with raw_connection() as conn:
        rows = conn.execute(f"SELECT {quoted} FROM campaigns_send WHERE run_id = %s ORDER BY id", [run.pk]).fetchall()
        run_at, token_at = columns.index("run_id"), columns.index("token")
        blob = base64.urlsafe_b64encode(secrets.token_bytes(18 * len(rows))).decode("ascii")
        ready = []
        for i, row in enumerate(rows):
            row = list(row)
            row[run_at], row[token_at] = other.pk, blob[24 * i : 24 * i + 24]
            ready.append(row)
        conn.commit()
        clock = CpuClock(conn.info.backend_pid)
        before, started = clock(), time.perf_counter()
        with conn.cursor().copy(f"COPY campaigns_send ({quoted}) FROM STDIN") as copy:
            for row in ready:
                copy.write_row(row)
        conn.commit()
        elapsed, cpu = time.perf_counter() - started, cpu_between(before, clock())
        conn.execute("DELETE FROM campaigns_send WHERE run_id = %s", [other.pk])
        conn.commit()
    other.delete()
    return elapsed, cpu


def raw_release(run_id: int, now, chunk_size: int) -> int:
    """The simplest way: the due sends' ids by raw SQL through psycopg, cut into chunk ranges."""
    with raw_connection() as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM campaigns_send WHERE run_id = %s AND status = 'scheduled' AND next_attempt_at <= %s "
                "ORDER BY id",
                [run_id, now],
            )
        ]
    ranges = [(ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)]
    assert sum(1 for first, last in ranges if first <= last) == len(ranges)
    return len(ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    args = parser.parse_args()
    broker = os.environ.get("BENCH_REDIS_URL", "")
    setup_django()
    from django.conf import settings
    from django.db import connection, transaction

    from campaigns.models import Campaign, CampaignRun, Send
    from campaigns.send_windows import SendWindow
    from campaigns.services import scheduling

    org = reset(args.learners)
    campaign = Campaign.objects.create(
        organization=org,
        name="Bench",
        subject="{{ first_name }}, your training starts Monday",
        from_email="training@sender.example",
        body_text="Hello {{ first_name }},\n\nYour training starts Monday.\n",
    )
    window = SendWindow(weekdays=frozenset({1, 2, 3, 4, 5}), start=clock(9), end=clock(17), days=3)
    start = datetime(2031, 3, 3, 9, tzinfo=ZoneInfo("Europe/Paris"))  # a Monday

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cpu_clock = CpuClock(cursor.fetchone()[0])
    load = os.getloadavg()[0]
    cpu, started = cpu_clock(), time.perf_counter()
    run = scheduling.schedule_new_run(campaign=campaign, start=start, window=window, now=start - timedelta(days=1))
    schedule_s, schedule_cpu = time.perf_counter() - started, cpu_between(cpu, cpu_clock())
    scheduled = Send.objects.filter(run=run, status="scheduled").count()
    assert scheduled == args.learners, scheduled
    raw_copy_s, raw_copy_cpu = raw_copy(run, campaign)

    enqueued: list[tuple] = []
    if broker:
        from bounceportal.celery import app

        app.conf.broker_url, app.conf.task_always_eager = broker, False
    else:  # the release's database side; sending itself is bench/send.py's
        scheduling.send_chunk = type("Recorder", (), {"delay": staticmethod(lambda *a: enqueued.append(a))})
    after = run.last_due_at + timedelta(seconds=1)
    raw_started = time.perf_counter()
    raw_count = raw_release(run.pk, after, settings.SEND_CHUNK_SIZE)
    raw_s = time.perf_counter() - raw_started
    started = time.perf_counter()
    with transaction.atomic():  # on_commit runs the enqueues inside the timing
        released = scheduling.release_due_sends(now=after)
    release_s = time.perf_counter() - started
    if broker:
        from bounceportal.celery import app

        app.control.purge()
    run = CampaignRun.objects.get(pk=run.pk)
    assert released == scheduled == raw_count, (released, scheduled, raw_count)
    release_rate, raw_rate = released / release_s, raw_count / raw_s
    print(
        f"scheduled {scheduled} sends over {window.describe()} (Europe/Paris) in {schedule_s:.2f}s "
        f"(load {load:.2f} before; CPU client+server {schedule_cpu} s), last due {run.last_due_at:%Y-%m-%d %H:%M} "
        f"UTC; the same rows by a bare COPY: {raw_copy_s:.2f}s (CPU {raw_copy_cpu} s)"
    )
    print(
        f"released {released} sends in {release_s:.3f}s ({release_rate:.0f}/s) as "
        f"{len(enqueued) or (released + settings.SEND_CHUNK_SIZE - 1) // settings.SEND_CHUNK_SIZE} chunks "
        f"({'enqueued on ' + broker if broker else 'recorded in-process'}); raw SQL: {raw_s:.3f}s "
        f"({raw_rate:.0f}/s); load: {os.getloadavg()[0]:.2f}"
    )
    print(
        f"RESULT schedule_s={schedule_s:.2f} release_per_s={release_rate:.0f} "
        f"limit_ratio={raw_copy_s / schedule_s:.2f} raw_copy_s={raw_copy_s:.2f} schedule_cpu_s={schedule_cpu} "
        f"raw_copy_cpu_s={raw_copy_cpu} "
        f"release_limit_ratio={release_rate / raw_rate:.2f}"
    )


if __name__ == "__main__":
    main()
