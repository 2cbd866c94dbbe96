"""Benchmark: clear 100,000 bounced learners the way support does in the admin, audit rows included.

Run: .venv/bin/python bench/bulk_clear.py [--learners N] [--chunk N]
Last line: RESULT learners=… seconds=… (target: < 10 s on PostgreSQL) snapshot_s=… clear_s=…
single_call_s=… queries=…

``seconds`` is the admin path end to end after the selection: the action's
snapshot of the selected learners into a BulkClearJob (``prepare_bulk_clear``
over the organization's whole learner list, as "select all" gives it) plus the
confirmed job clearing them chunk by chunk through ``clear_bounce_statuses``
(the Celery task's code, run in-process here). ``single_call_s`` is the same
100,000 cleared by one ``clear_bounce_statuses`` call, for comparison (one huge
UPDATE is slower than the job's chunks of 5,000, which is why the job chunks).
"""

import argparse
import time

from _setup import QueryCounter, setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=None, help="Learners per chunk (default: the job's CHUNK_SIZE).")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from contacts import bulk_clear, bulk_clear_runner
    from contacts.choices import ClearedVia
    from contacts.deliverability import clear_bounce_statuses
    from contacts.models import Clearance, Learner

    if args.chunk:
        bulk_clear_runner.CHUNK_SIZE = args.chunk
    org, user = build(args.learners)
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        job = bulk_clear.prepare_bulk_clear(
            learners=Learner.objects.filter(organization=org),
            created_by=user,
            via=ClearedVia.ADMIN_BULK,
            description="bench",
        )
        snapshot = time.perf_counter() - started
        job = bulk_clear.confirm_bulk_clear(job=job, note="bench: bulk clear", repeat_confirmed=True)
    total = time.perf_counter() - started
    audit_rows = Clearance.objects.filter(organization=org, via=ClearedVia.ADMIN_BULK).count()
    assert job.status == "done" and job.cleared == args.learners == audit_rows, (job.status, job.cleared, audit_rows)
    assert not Learner.objects.filter(organization=org, status="bounced").exists()

    Learner.objects.filter(organization=org).update(status="bounced")
    vacuum()
    started = time.perf_counter()
    single = clear_bounce_statuses(
        learners=Learner.objects.filter(organization=org),
        cleared_by=user,
        via=ClearedVia.ADMIN_BULK,
        note="bench: one call",
    )
    single_seconds = time.perf_counter() - started
    assert single == args.learners

    print(
        f"cleared {job.cleared} learners with {audit_rows} audit rows in {total:.2f} s "
        f"(snapshot {snapshot:.2f} s, chunks of {bulk_clear_runner.CHUNK_SIZE}: {total - snapshot:.2f} s, "
        f"{counter.count} queries); one service call: {single_seconds:.2f} s"
    )
    print(
        f"RESULT learners={job.cleared} seconds={total:.2f} snapshot_s={snapshot:.2f} "
        f"clear_s={total - snapshot:.2f} single_call_s={single_seconds:.2f} queries={counter.count}"
    )


def build(count):
    """Reset the benchmark organization and bulk-insert ``count`` bounced learners and a support user."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bounceportal.audit import retention_path
    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with retention_path():  # the last run's clearances are audit rows (bounceportal/audit.py)
        Organization.objects.filter(slug="bench-bulk-clear").delete()
    org = create_organization(name="Bench bulk clear", slug="bench-bulk-clear")
    user, _ = get_user_model().objects.get_or_create(username="bench-support", defaults={"is_staff": True})
    now = timezone.now()
    Learner.objects.bulk_create(
        [
            Learner(
                organization=org,
                email=f"l{i}@bench{i % 50}.example",
                status="bounced",
                status_reason="userunknown",
                status_since=now,
                last_bounce_category="hard",
                last_bounce_subtype="address_unknown",
                last_bounced_at=now,
                bounce_count=1,
                times_cleared=i % 4,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    vacuum()
    return org, user


def vacuum():
    """Clean out the dead rows of the previous run (or step) so they do not slow the next one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE contacts_learner")
        cursor.execute("VACUUM ANALYZE contacts_clearance")


if __name__ == "__main__":
    main()
