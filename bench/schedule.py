"""Benchmark: schedule a 100,000-learner run over a 3-day send window, then release its due sends.

Run: .venv/bin/python bench/schedule.py [--learners N]
Last line: RESULT schedule_s=… release_per_s=… limit_ratio=…
(targets: schedule < 5 s, release ≥ 5,000 sends/s).

* ``schedule_s``: ``schedule_new_run`` with a window of Monday–Friday 09:00–17:00 in
  Europe/Paris over 3 days: every learner's send row with its due time, in one transaction.
* ``release_per_s``: ``release_due_sends`` at a time when the whole window has passed (the
  worst tick: every send due at once), as sends handed to the workers per second. The chunks
  are enqueued on Celery's broker when BENCH_REDIS_URL is set; without it they are recorded
  in-process (so the figure is the database side of a release), and the output says which.
* ``limit_ratio``: ``release_per_s`` divided by the simplest way to do the same read, raw SQL
  through psycopg (the due sends' ids of the run in id order, cut into chunk ranges), on the
  same rows in the same run. 1.0 means the service costs nothing over the bare query.
"""

import argparse
import os
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from _setup import setup_django

SLUG = "bench-schedule"


def reset(learner_count: int):
    """A fresh benchmark organization (Europe/Paris, 100 messages/s) with ``learner_count`` learners."""
    from django.db import connection, transaction

    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with transaction.atomic(), connection.cursor() as cursor:
        for org_id in Organization.objects.filter(slug=SLUG).values_list("pk", flat=True):
            for table in ("campaigns_send", "campaigns_campaignrun", "campaigns_campaign", "contacts_learner"):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
        Organization.objects.filter(slug=SLUG).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_send, contacts_learner")
    org = create_organization(name="Bench schedule", slug=SLUG)
    org.time_zone, org.send_rate_per_second = "Europe/Paris", 100
    org.save()
    Learner.objects.bulk_create(
        [
            Learner(organization=org, email=f"l{i}@school{i % 40}.example", first_name=f"L{i}")
            for i in range(learner_count)
        ],
        batch_size=5000,
    )
    return org


def raw_release(run_id: int, now, chunk_size: int) -> int:
    """The simplest way: the due sends' ids by raw SQL through psycopg, cut into chunk ranges."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as conn:
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
    from django.db import transaction

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

    started = time.perf_counter()
    run = scheduling.schedule_new_run(campaign=campaign, start=start, window=window, now=start - timedelta(days=1))
    schedule_s = time.perf_counter() - started
    scheduled = Send.objects.filter(run=run, status="scheduled").count()
    # For scale on a shared machine: the same learners scheduled the way an immediate run is (no due times).
    started = time.perf_counter()
    plain = scheduling.schedule_run(run=scheduling.create_run(campaign=campaign))
    plain_s = time.perf_counter() - started
    Send.objects.filter(run=plain).delete()

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
        f"scheduled {scheduled} sends over {window.describe()} (Europe/Paris) in {schedule_s:.2f}s, "
        f"last due {run.last_due_at:%Y-%m-%d %H:%M} UTC; an immediate run of the same learners: {plain_s:.2f}s"
    )
    print(
        f"released {released} sends in {release_s:.3f}s ({release_rate:.0f}/s) as "
        f"{len(enqueued) or (released + settings.SEND_CHUNK_SIZE - 1) // settings.SEND_CHUNK_SIZE} chunks "
        f"({'enqueued on ' + broker if broker else 'recorded in-process'}); raw SQL: {raw_s:.3f}s "
        f"({raw_rate:.0f}/s); load: {os.getloadavg()[0]:.2f}"
    )
    print(
        f"RESULT schedule_s={schedule_s:.2f} release_per_s={release_rate:.0f} limit_ratio={release_rate / raw_rate:.2f}"
    )


if __name__ == "__main__":
    main()
