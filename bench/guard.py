"""Benchmark: what the run guard costs the sending worker per batch of outcomes.

Run: .venv/bin/python bench/guard.py [--sends N] [--batches N]
Last line: RESULT guard_queries_per_chunk=… guard_us_per_send=… naive_us_per_send=… limit_ratio=…

A run of ``--sends`` sends (half already sent, 3 % hard bounces, a filter product's
blocks) is judged after each batch of FLUSH_EVERY outcomes, as the worker's flush does:
the guard's way (``guard_runs``: a read of the run's summary counters, which the write-back's
own statements keep) against the simplest way, recounting the run's sends and events with aggregate
queries every batch. ``limit_ratio`` is the guard's µs per send over the simple way's
(below 1: cheaper). ``guard_queries_per_chunk`` is per flush (one flush per
FLUSH_EVERY sends; a chunk of SEND_CHUNK_SIZE sends has SEND_CHUNK_SIZE / FLUSH_EVERY).
"""

import argparse
import time

from _setup import QueryCounter, setup_django


def reset(sends: int):
    from django.db import connection, transaction

    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent, Campaign, Send
    from campaigns.services.sending import create_run, schedule_run
    from contacts.models import BouncePolicy, Learner, Organization
    from contacts.services import create_organization

    with retention_path(), transaction.atomic(), connection.cursor() as cursor:  # bounce events are append-only
        for org_id in Organization.objects.filter(slug="bench-guard").values_list("pk", flat=True):
            cursor.execute("UPDATE contacts_learner SET status_event_id = NULL WHERE organization_id = %s", [org_id])
            cursor.execute(
                "DELETE FROM campaigns_runcounter WHERE run_id IN "
                "(SELECT id FROM campaigns_campaignrun WHERE organization_id = %s)",
                [org_id],
            )
            for table in ("campaigns_bounceevent", "campaigns_send", "campaigns_campaignrun", "campaigns_campaign"):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
            cursor.execute("DELETE FROM contacts_learner WHERE organization_id = %s", [org_id])
        Organization.objects.filter(slug="bench-guard").delete()
    org = create_organization(name="Bench guard", slug="bench-guard")
    # Thresholds no run of this bench reaches: the cost measured is judging, not pausing.
    BouncePolicy.objects.filter(organization=org).update(run_guard_hard_pause=90, run_guard_block_pause=90)
    Learner.objects.bulk_create(
        [Learner(organization=org, email=f"g{i}@bench{i % 40}.example") for i in range(sends)], batch_size=5000
    )
    campaign = Campaign.objects.create(
        organization=org, name="Bench", subject="Hello", from_email="t@sender.example", body_text="Hello"
    )
    run = schedule_run(run=create_run(campaign=campaign))
    run.status = "sending"
    run.save(update_fields=["status"])
    ids = list(Send.objects.filter(run=run).order_by("pk").values_list("pk", "learner_id", "email"))
    Send.objects.filter(pk__in=[pk for pk, *_ in ids[: sends // 2]]).update(status="sent")
    events = []
    for index, (pk, learner_id, email) in enumerate(ids[: sends // 2]):
        if index % 33 == 0 or index % 50 == 1:
            hard = index % 33 == 0
            events.append(
                BounceEvent(
                    organization=org,
                    send_id=pk,
                    learner_id=learner_id,
                    address=email,
                    category="hard" if hard else "block",
                    subtype="address_unknown" if hard else "block_general",
                    reason="userunknown" if hard else "blocked",
                    filter_product="" if hard else "Proofpoint",
                )
            )
    BounceEvent.objects.bulk_create(events, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_send, campaigns_bounceevent")
    return run, events


def guard_way(run) -> bool:
    from campaigns.services.guard import guard_runs

    return run.pk in guard_runs([run.pk])


def simple_way(run) -> bool:
    """Recount the whole run every batch: attempted sends, hard bounces, complaints, blocks per product."""
    from django.db.models import Count

    from campaigns.models import BounceEvent, CampaignRun, Send
    from campaigns.services.guard import read_guard
    from contacts.services import policy_for

    run = CampaignRun.objects.get(pk=run.pk)
    attempted = Send.objects.filter(run=run).exclude(status__in=("scheduled", "skipped")).count()
    counts = {"attempted": attempted}
    events = BounceEvent.objects.filter(send__run=run).order_by()
    for category, product, n in events.values_list("category", "filter_product").annotate(n=Count("*")):
        key = {"hard": "hard", "complaint": "complaint"}.get(category) or (
            f"block:{product}" if category == "block" and product else ""
        )
        if key:
            counts[key] = counts.get(key, 0) + n
    return bool(read_guard(counts, run.guard_baseline or {}, policy_for(run.organization_id)).pause_reason)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=50_000)
    parser.add_argument("--batches", type=int, default=100)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    from campaigns.services import delivery

    run, events = reset(args.sends)  # the inserts kept the run's counters, as the worker's would
    batch = delivery.FLUSH_EVERY

    def timed(work) -> tuple[float, int]:
        """µs per send and queries per batch; inside one transaction: the worker's flush commits
        anyway, so the commit is not the guard's cost."""
        counter = QueryCounter()
        with transaction.atomic():
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                for _ in range(args.batches):
                    work()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed * 1e6 / (args.batches * batch), counter.count / args.batches

    simple_way(run), guard_way(run)  # warm caches and plans
    guard_us, guard_queries = timed(lambda: guard_way(run))
    simple_us, simple_queries = timed(lambda: simple_way(run))
    print(
        f"run of {args.sends} sends, {len(events)} events; {args.batches} batches of {batch} outcomes: guard "
        f"{guard_us:.1f} µs/send ({guard_queries:.1f} queries/batch), recount {simple_us:.1f} µs/send "
        f"({simple_queries:.1f} queries/batch)"
    )
    print(
        f"RESULT guard_queries_per_chunk={guard_queries:.1f} guard_us_per_send={guard_us:.1f} "
        f"naive_us_per_send={simple_us:.1f} limit_ratio={guard_us / simple_us:.3f}"
    )


if __name__ == "__main__":
    main()
