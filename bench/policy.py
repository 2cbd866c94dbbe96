"""Benchmark: apply synthetic bounce events of mixed kinds through the policy, one per transaction and batched.

Run: .venv/bin/python bench/policy.py [--events N] [--single N] [--batch N] [--rounds N] [--only single|batched]
Last line: RESULT events_per_s=… queries_per_event=… single_events_per_s=… single_queries_per_event=…
limit_ratio=… single_limit_ratio=… cpu_events_per_s=… single_cpu_events_per_s=…
(targets: ≥ 3,000/s batched, ≥ 500/s one event per transaction).

The events are inserted beforehand (bulk); the timing and the query count cover only the policy
service on PostgreSQL: ``apply_bounce_event`` one event per transaction (--single events in all), then
``apply_bounce_events`` over batches of --batch events (as ingestion applies a poll's messages; --events
in all). Each path first applies --warmup events untimed (statements prepared on the session, caches
filled), then --rounds timed rounds; each figure is the median of its rounds (one round alone swings
with the machine's load).

Where an event's time goes, per path: wall milliseconds = this process's CPU (Python, the driver) +
the CPU of its PostgreSQL backend (read from /proc when the server runs on this machine) + the rest,
waiting (for a core on a loaded machine, the network, a lock). ``cpu_events_per_s`` is the rate
with no waiting at all: one event's client plus backend CPU. ``commit_floor_ms``: after each round, the
median time of a one-row UPDATE transaction sent in one round trip on the raw connection, the least a
one-event transaction waits for its COMMIT (the WAL flush) at that moment.

queries_per_event counts executes through Django's connection, the round trips: the policy's held
writes (bounceportal/held_writes.py) send the transaction's BEGIN with its first statement (the
learner lock) and the learners' write-back, the outcomes and the sends' moves with the COMMIT, as one
execute of several statements each (a BEGIN or COMMIT the driver sent alone would not be counted).

limit_ratio / single_limit_ratio: the same state change done the simplest way, on an organization of
its own built alike, timed right after each of our rounds on the same number of events (so both see the
same load): raw SQL through psycopg, per batch (or per event) one transaction of a pipelined UPDATE per
learner of its counters and last-bounce columns, one UPDATE of the events' outcomes and one of the
sends (no policy, no locks, no guard); the ratio is the median of its rate over ours per round.
With --with-webhook the organization subscribes to the learner events, so the batches also write
their outbox rows (the POSTs, the worker's cost, are not made); the RESULT line then ends with
``webhook_deliveries=``.
"""

import argparse
import os
import random
import statistics
import time

from _setup import CpuClock, QueryCounter, raw_connection, setup_django, vacuum

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
    parser.add_argument("--events", type=int, default=50_000, help="batched events, over all rounds")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", type=int, default=2_500, help="one-per-transaction events, over all rounds")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per path; the median is reported")
    parser.add_argument("--warmup", type=int, default=200, help="events applied untimed before each path")
    parser.add_argument("--only", choices=("single", "batched"), help="measure one path only")
    parser.add_argument(
        "--with-webhook",
        action="store_true",
        help="subscribe the organization to the learner events: the batches then also write the outbox",
    )
    args = parser.parse_args()
    # Measured as served: DEBUG off, as DJANGO_ENV=production has it (DEBUG=True also logs every query).
    os.environ["DEBUG"] = "0"
    setup_django()
    from campaigns.services.policy import apply_bounce_event, apply_bounce_events

    figures, lines = {}, []
    if args.only != "batched":
        single = Path(
            "one per transaction",
            lambda chunk: [apply_bounce_event(event=e) for e in chunk],
            lambda conn, chunk: raw_apply(conn, chunk, 1),
            per=1,
        )
        single.run(args, args.single)
        figures.update(single.figures("single_"))
        lines.append(single.describe())
    outbox = ""
    if args.only != "single":

        def batched_work(chunk):
            for start in range(0, len(chunk), args.batch):
                apply_bounce_events(events=chunk[start : start + args.batch])

        batched = Path(
            f"batches of {args.batch}",
            batched_work,
            lambda conn, chunk: raw_apply(conn, chunk, args.batch),
            per=args.batch,
            subscribe=subscribe if args.with_webhook else None,
        )
        organization_id = batched.run(args, args.events)
        figures.update(batched.figures(""))
        lines.append(batched.describe())
        if args.with_webhook:
            from contacts.webhook_models import WebhookDelivery

            count = WebhookDelivery.objects.filter(subscription__organization_id=organization_id).count()
            outbox = f" webhook_deliveries={count}"
    for line in lines:
        print(line)
    print(f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    order = [
        "events_per_s",
        "queries_per_event",
        "single_events_per_s",
        "single_queries_per_event",
        "limit_ratio",
        "single_limit_ratio",
    ]
    keys = [k for k in order if k in figures] + sorted(k for k in figures if k not in order)
    print("RESULT " + " ".join(f"{k}={figures[k]}" for k in keys) + outbox)


class Path:
    """One of the policy's paths measured in rounds, each paired with the raw-SQL baseline on its own
    organization (built alike) right after it, so both see the same load; medians are reported."""

    def __init__(self, name, work, raw_work, *, per, subscribe=None):
        self.name, self.work, self.raw_work, self.per, self.subscribe = name, work, raw_work, per, subscribe
        self.rounds: list[dict] = []

    def run(self, args, total):
        from django.db import connection

        per_round = max(self.per, total // args.rounds // self.per * self.per)
        warmup = max(self.per, args.warmup // self.per * self.per)
        events = build(warmup + per_round * args.rounds, args.learners, "bench-policy")
        raw_events = build(warmup + per_round * args.rounds, args.learners, "bench-policy-raw")
        vacuum("contacts_learner", "campaigns_send", "campaigns_bounceevent")  # the last runs' dead rows gone
        if self.subscribe:
            self.subscribe(events[0].organization)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            clock = CpuClock(cursor.fetchone()[0])
        self.work(events[:warmup])  # a warm session: statements prepared, caches filled
        with raw_connection() as conn:
            # Autocommit: each ``conn.transaction()`` of the baseline is then a transaction of its own, with its
            # COMMIT (not a savepoint of one long transaction opened by this first SELECT).
            conn.autocommit = True
            raw_clock = CpuClock(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
            self.raw_work(conn, raw_events[:warmup])
            for n in range(args.rounds):
                chunk = slice(warmup + n * per_round, warmup + (n + 1) * per_round)
                ours = timed(lambda c=chunk: self.work(events[c]), per_round, clock, count_queries=True)
                raw = timed(lambda c=chunk: self.raw_work(conn, raw_events[c]), per_round, raw_clock)
                floor = commit_floor(conn, [e.learner_id for e in raw_events[chunk][:100]])
                self.rounds.append({"ours": ours, "raw": raw, "floor": {"commit_ms": floor}})
        return events[0].organization_id

    def median(self, side, key):
        return statistics.median(r[side][key] for r in self.rounds)

    def figures(self, prefix):
        rate = self.median("ours", "rate")
        ratio = statistics.median(r["raw"]["rate"] / r["ours"]["rate"] for r in self.rounds)
        limit = "single_limit_ratio" if prefix else "limit_ratio"
        return {
            f"{prefix}events_per_s": f"{rate:.0f}",
            f"{prefix}queries_per_event": f"{self.median('ours', 'queries'):.2f}",
            limit: f"{ratio:.1f}",
            f"{prefix}cpu_events_per_s": f"{1000 / (self.median('ours', 'cpu_ms') + self.median('ours', 'db_ms')):.0f}",
            f"{prefix}commit_floor_ms": f"{self.median('floor', 'commit_ms'):.2f}",
        }

    def describe(self):
        ours = {k: self.median("ours", k) for k in ("rate", "wall_ms", "cpu_ms", "db_ms", "queries")}
        rates = ", ".join(f"{r['ours']['rate']:.0f}" for r in self.rounds)
        raw_rates = ", ".join(f"{r['raw']['rate']:.0f}" for r in self.rounds)
        raw = {k: self.median("raw", k) for k in ("wall_ms", "cpu_ms", "db_ms")}
        return (
            f"{self.name}: {ours['rate']:.0f} events/s (median of rounds {rates}); per event "
            f"{ours['wall_ms']:.3f} ms = Python {ours['cpu_ms']:.3f} + PostgreSQL backend {ours['db_ms']:.3f} "
            f"+ waiting {ours['wall_ms'] - ours['cpu_ms'] - ours['db_ms']:.3f} (for a core, the network), "
            f"{ours['queries']:.2f} round trips; raw SQL: {raw_rates}/s, per event "
            f"{raw['wall_ms']:.3f} ms = client {raw['cpu_ms']:.3f} + backend {raw['db_ms']:.3f}; "
            f"a one-row UPDATE transaction (BEGIN, UPDATE, COMMIT in one round trip): "
            f"{self.median('floor', 'commit_ms'):.2f} ms"
        )


def commit_floor(conn, learner_ids) -> float:
    """Milliseconds of the least a one-event transaction waits for: BEGIN, a one-row UPDATE and COMMIT (which
    waits for the WAL to reach the disk), in one round trip, median over these learners. On a shared
    machine this alone swings several-fold with the other writers' I/O."""
    times = []
    for learner_id in learner_ids:
        started = time.perf_counter()
        conn.execute(
            f"BEGIN; UPDATE contacts_learner SET bounce_count = bounce_count WHERE id = {int(learner_id)}; COMMIT"
        )
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def timed(work, count, clock, *, count_queries=False) -> dict:
    """Run ``work`` once; its rate, and per event its wall, client CPU and backend CPU milliseconds and
    the SQL executes through Django's connection (round trips, less a BEGIN or COMMIT the driver sent alone)."""
    from django.db import connection

    counter = QueryCounter()
    before = clock()
    started = time.perf_counter()
    if count_queries:
        with connection.execute_wrapper(counter):
            work()
    else:
        work()
    wall = time.perf_counter() - started
    after = clock()
    backend = (after[1] - before[1]) if before[1] is not None and after[1] is not None else 0.0
    return {
        "rate": count / wall,
        "wall_ms": 1000 * wall / count,
        "cpu_ms": 1000 * (after[0] - before[0]) / count,
        "db_ms": 1000 * backend / count,
        "queries": counter.count / count,
    }


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


def raw_apply(conn, events, batch: int) -> None:
    """The simplest same state change through psycopg (see the module docstring), ``batch`` events a transaction."""
    counting = {"soft", "block"}
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


def build(event_count, learner_count, slug):
    """Reset the benchmark organization ``slug`` and bulk-insert learners, sends and unapplied events."""
    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent, Campaign, CampaignRun, Send
    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with retention_path():  # the last run's events are audit rows (bounceportal/audit.py)
        Organization.objects.filter(slug=slug).delete()
    org = create_organization(name=slug, slug=slug)
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
