"""Benchmark: apply 50,000 synthetic bounce events of mixed kinds through apply_bounce_event.

Run: .venv/bin/python bench/policy.py [--events N] [--batch N]
Last line: RESULT events_per_s=… queries_per_event=… single_events_per_s=… single_queries_per_event=…
limit_ratio=… single_limit_ratio=… (targets: ≥ 3,000/s batched, ≥ 500/s one event per transaction).

The events are inserted beforehand (bulk); the timing and the query count
cover only the policy service on PostgreSQL: ``apply_bounce_events`` over
batches of --batch events (as ingestion applies a poll's messages), and then
``apply_bounce_event`` one event per transaction on the first --single events.

queries_per_event counts executes through Django's connection (round trips, less BEGIN and a COMMIT
sent alone): the policy's held writes (bounceportal/held_writes.py) send the learners' write-back,
the outcomes and the sends' moves, and the COMMIT, as one execute of several statements.

limit_ratio / single_limit_ratio: the same state change done the simplest way in the same run,
over freshly built events: raw SQL through psycopg, per batch (or per event) one transaction of a
pipelined UPDATE per learner of its counters and last-bounce columns, one UPDATE of the events'
outcomes and one of the sends (no policy, no locks, no guard); the ratio is its rate over ours.
With --with-webhook the organization subscribes to the learner events, so the batches also write
their outbox rows (the POSTs, the worker's cost, are not made); the RESULT line then ends with
``webhook_deliveries=``.
"""

import argparse
import os
import random
import time

from _setup import QueryCounter, setup_django

# Mixed kinds, roughly as bounces arrive in practice.
MIX = [
    ("hard", "address_unknown", "userunknown", 10),
    ("soft", "mailbox_full", "mailboxfull", 45),
    ("block", "spam_detected", "spamdetected", 20),
    ("autoreply", "auto_reply", "vacation", 15),
    ("complaint", "spam_complaint", "feedback", 3),
    ("undetermined", "undetermined", "undefined", 7),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument(
        "--with-webhook",
        action="store_true",
        help="subscribe the organization to the learner events: the batches then also write the outbox",
    )
    args = parser.parse_args()
    setup_django()
    from campaigns.models import BounceEvent
    from campaigns.services.policy import apply_bounce_event, apply_bounce_events

    events = build(args.single, args.learners)
    single_rate, single_queries = measure(lambda: [apply_bounce_event(event=e) for e in events], len(events))
    events = build(args.events, args.learners)
    if args.with_webhook:
        subscribe(events[0].organization)
    batches = [events[i : i + args.batch] for i in range(0, len(events), args.batch)]
    rate, queries = measure(lambda: [apply_bounce_events(events=batch) for batch in batches], len(events))
    applied = BounceEvent.objects.filter(applied_at__isnull=False).count()
    outbox = ""  # counted now: the raw runs below rebuild the organization
    if args.with_webhook:
        from contacts.webhook_models import WebhookDelivery

        outbox = (
            f" webhook_deliveries={WebhookDelivery.objects.filter(subscription__organization=org_of(events)).count()}"
        )
    raw_single = raw_rate(build(args.single, args.learners), 1)
    raw_batched = raw_rate(build(args.events, args.learners), args.batch)
    print(
        f"applied {applied} events for {args.learners} learners in batches of {args.batch}: {rate:.0f}/s; "
        f"one per transaction: {single_rate:.0f}/s; raw SQL: {raw_batched:.0f}/s and {raw_single:.0f}/s; "
        f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"RESULT events_per_s={rate:.0f} queries_per_event={queries:.2f} "
        f"single_events_per_s={single_rate:.0f} single_queries_per_event={single_queries:.2f} "
        f"limit_ratio={raw_batched / rate:.1f} single_limit_ratio={raw_single / single_rate:.1f}{outbox}"
    )


def org_of(events):
    return events[0].organization_id


def subscribe(organization):
    """Subscribe the organization to the learner events; the outbox is written, never sent (no HTTP here)."""
    from contacts.webhooks import events as outbox
    from contacts.webhooks.subscriptions import create_subscription

    outbox.deliver_soon = lambda: None  # the after-commit POSTs are the worker's cost, not the policy's
    create_subscription(
        organization=organization,
        url="https://hooks.bench.example/in",
        events=["learner.suppressed", "learner.cleared", "learner.unsubscribed"],
    )


def raw_rate(events, batch: int) -> float:
    """Events per second of the simplest same state change through psycopg (see the module docstring)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    counting = {"soft", "block"}
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as conn:
        started = time.perf_counter()
        for start in range(0, len(events), batch):
            group = events[start : start + batch]
            last = {e.learner_id: e for e in group}  # one row per learner, as the policy writes it back
            values = [
                (
                    e.learner_id,
                    sum(1 for g in group if g.learner_id == e.learner_id and g.category in ("hard", *counting)),
                    sum(1 for g in group if g.learner_id == e.learner_id and g.category in counting),
                    e.category,
                    e.subtype,
                )
                for e in last.values()
            ]
            with conn.transaction():
                conn.cursor().executemany(
                    "UPDATE contacts_learner SET bounce_count = bounce_count + %s, "
                    "soft_bounce_count = soft_bounce_count + %s, last_bounce_category = %s, "
                    "last_bounce_subtype = %s, last_bounced_at = now() WHERE id = %s",
                    [(n, soft, category, subtype, pk) for pk, n, soft, category, subtype in values],
                )
                conn.execute(
                    "UPDATE campaigns_bounceevent SET outcome = 'counted', applied_at = now() WHERE id = ANY(%s)",
                    [[e.pk for e in group]],
                )
                conn.execute(
                    "UPDATE campaigns_send SET status = 'bounced', bounced_at = now() "
                    "WHERE id = ANY(%s) AND status <> 'bounced'",
                    [[e.send_id for e in group if e.category in ("hard", *counting)]],
                )
        return len(events) / (time.perf_counter() - started)


def measure(work, count):
    """Run ``work`` once; return (events per second, SQL statements per event)."""
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        work()
    return count / (time.perf_counter() - started), counter.count / count


def build(event_count, learner_count):
    """Reset the benchmark organization and bulk-insert learners, sends and unapplied events."""
    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent, Campaign, CampaignRun, Send
    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with retention_path():  # the last run's events are audit rows (bounceportal/audit.py)
        Organization.objects.filter(slug="bench-policy").delete()
    org = create_organization(name="Bench policy", slug="bench-policy")
    learners = Learner.objects.bulk_create(
        [Learner(organization=org, email=f"l{i}@bench{i % 50}.example") for i in range(learner_count)], batch_size=5000
    )
    campaign = Campaign.objects.create(
        organization=org, name="Bench", subject="s", from_email="a@b.example", body_text="x"
    )
    run = CampaignRun.objects.create(organization=org, campaign=campaign)
    sends = Send.objects.bulk_create(
        [Send(organization=org, run=run, learner=learner, email=learner.email) for learner in learners], batch_size=5000
    )
    weights = [m[3] for m in MIX]
    rng = random.Random(7)
    rows = []
    for _ in range(event_count):
        send = sends[rng.randrange(len(sends))]
        category, subtype, reason, _weight = rng.choices(MIX, weights)[0]
        rows.append(
            BounceEvent(
                organization=org,
                send=send,
                learner_id=send.learner_id,
                address=send.email,
                category=category,
                subtype=subtype,
                reason=reason,
                hard=category == "hard",
                matched_by="verp",
                diagnostic="550 5.1.1 bench",
            )
        )
    return BounceEvent.objects.bulk_create(rows, batch_size=5000)


if __name__ == "__main__":
    main()
