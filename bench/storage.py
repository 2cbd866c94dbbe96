"""Benchmark: what the big tables cost on disk and to write, over bench/pages.py's data (docs/scaling.md).

Run: .venv/bin/python bench/pages.py --learners 1000000 --fill-only, then .venv/bin/python bench/storage.py
Last line: RESULT sends=… send_row_bytes=… send_total_bytes_per_row=… event_row_bytes=… event_total_bytes_per_row=…
insert_rows_per_s=… copy_rows_per_s=… limit_ratio=… purge_msgs_per_s=…

- Sizes: ``pg_column_size`` of whole rows (average over a sample), ``pg_table_size`` / ``pg_indexes_size`` /
  ``pg_total_relation_size`` per table and each index's size.
- Writes: ``--rows`` sends inserted the app's way (``Send.objects.bulk_create`` in batches of 1,000, every
  index and constraint in place) against the same rows by COPY (the limit), each in a transaction rolled back.
- Retention: the purge of inbound messages older than 90 days (campaigns/services/retention.py) in its
  batches of 500, inside a transaction rolled back after, so the data stays as it was.
"""

import argparse
import sys
import time

from _setup import setup_django

BIG_TABLES = ("campaigns_send", "campaigns_bounceevent", "contacts_learner", "campaigns_inboundmessage")


class _Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from contacts.models import Organization

    org = Organization.objects.filter(slug="bench-pages").first()
    if org is None:
        sys.exit("no data: run bench/pages.py --fill-only first")
    sizes = measure_sizes()
    orm_rate, copy_rate = measure_inserts(org, args.rows)
    purge_rate = measure_purge()
    send, event = sizes["campaigns_send"], sizes["campaigns_bounceevent"]
    print(
        f"RESULT sends={send['rows']} send_row_bytes={send['row']:.0f} "
        f"send_total_bytes_per_row={send['total'] / send['rows']:.0f} event_row_bytes={event['row']:.0f} "
        f"event_total_bytes_per_row={event['total'] / max(event['rows'], 1):.0f} insert_rows_per_s={orm_rate:.0f} "
        f"copy_rows_per_s={copy_rate:.0f} limit_ratio={copy_rate / orm_rate:.1f} purge_msgs_per_s={purge_rate:.0f}"
    )


def measure_sizes() -> dict:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows = cursor.fetchone()[0]
            cursor.execute(f"SELECT avg(pg_column_size(t.*)) FROM (SELECT * FROM {table} LIMIT 100000) t")
            row = float(cursor.fetchone()[0] or 0)
            cursor.execute(
                "SELECT pg_table_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)", [table, table, table]
            )
            heap, indexes, total = cursor.fetchone()
            sizes[table] = {"rows": rows, "row": row, "heap": heap, "indexes": indexes, "total": total}
            print(
                f"{table:26} rows={rows:>10}  row={row:6.0f} B  heap={heap / 2**20:8.0f} MB  "
                f"indexes={indexes / 2**20:7.0f} MB  total={total / 2**20:8.0f} MB  "
                f"per row={total / max(rows, 1):5.0f} B",
                flush=True,
            )
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass ORDER BY 2 DESC",
                [table],
            )
            for name, size in cursor.fetchall():
                print(f"    {name:40} {size / 2**20:7.0f} MB", flush=True)
    return sizes


def measure_inserts(org, rows: int) -> tuple[float, float]:
    """(rows/s the app's bulk_create way, rows/s by COPY) for ``rows`` sends of a new run, both rolled back."""
    from django.db import connection, transaction

    from campaigns.models import Campaign, CampaignRun, Send
    from contacts.models import Learner

    learners = list(Learner.objects.filter(organization=org).order_by("pk").values_list("pk", "email")[:rows])

    def new_run():
        campaign = Campaign.objects.create(organization=org, name="storage", subject="s", from_email="a@x.example")
        return CampaignRun.objects.create(organization=org, campaign=campaign, status="done")

    try:
        with transaction.atomic():
            run = new_run()
            started = time.perf_counter()
            batch = [
                Send(organization=org, run=run, learner_id=pk, email=email, domain=email.rpartition("@")[2])
                for pk, email in learners
            ]
            Send.objects.bulk_create(batch, batch_size=1000)
            orm = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    try:
        with transaction.atomic():
            run = new_run()
            started = time.perf_counter()
            with (
                connection.connection.cursor() as cursor,
                cursor.copy(
                    "COPY campaigns_send (organization_id, run_id, learner_id, token, email, domain, status, "
                    "skip_reason, created_at, attempts, status_changed_at, last_reply, open_count, click_count) FROM STDIN"
                ) as copy,
            ):
                for pk, email in learners:
                    copy.write(
                        f"{org.pk}\t{run.pk}\t{pk}\ts{run.pk}x{pk}\t{email}\t{email.rpartition('@')[2]}\tqueued\t\t"
                        "2026-01-01T00:00:00+00:00\t0\t2026-01-01T00:00:00+00:00\t\t0\t0\n"
                    )
            copied = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    print(f"insert {len(learners)} sends: bulk_create {len(learners) / orm:.0f}/s, COPY {len(learners) / copied:.0f}/s")
    return len(learners) / orm, len(learners) / copied


def measure_purge() -> float:
    from django.db import transaction

    from campaigns.services.retention import purge_raw_bodies

    try:
        with transaction.atomic():
            started = time.perf_counter()
            result = purge_raw_bodies(days=90)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    rate = result.messages / elapsed if result.messages else 0.0
    print(f"retention: purged {result.messages} bodies ({result.message_bytes / 2**20:.0f} MB) in {elapsed:.1f} s")
    return rate


if __name__ == "__main__":
    sys.exit(main())
