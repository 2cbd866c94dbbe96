"""Benchmark of the suppression lifecycle (issue #15, items 2 and 3) on PostgreSQL.

Run: .venv/bin/python bench/lifecycle.py [--learners N] [--clearances N] [--simple N]
Last line: RESULT release_per_s=… simple_release_per_s=… limit_ratio=… odds_ms=… simple_odds_ms=… odds_ratio=…

(Scheduled runs and the release of their due sends are bench/schedule.py's.)

- Release: N learners whose soft suppression expired, released by ``release_expired_suppressions``
  (the beat task: batches claimed with FOR UPDATE SKIP LOCKED, one INSERT … SELECT of Clearances and
  one UPDATE per batch). The simplest way, on the first --simple of another set: one
  ``clear_bounce_status`` transaction per learner. ``limit_ratio`` = set-based rate / simple rate.
- Recovery odds: N clearances, each followed by sends, counted by ``recovery_odds`` (one query over the
  newest 10,000). The simplest way: one query per clearance for its next send (timed on --simple
  clearances, scaled to N).
"""

import argparse
import os
import time
from datetime import timedelta

from _setup import fresh_organization, setup_django

SUBTYPES = [("soft", "mailbox_full"), ("hard", "address_unknown"), ("block", "spam_detected"), ("soft", "rate_limited")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--clearances", type=int, default=20_000)
    parser.add_argument("--simple", type=int, default=1_000)
    args = parser.parse_args()
    setup_django()
    release_rate, simple_release_rate = bench_release(args.learners, args.simple)
    odds_ms, simple_odds_ms = bench_odds(args.clearances, args.simple)
    print(
        f"load {os.getloadavg()[0]:.2f}; released {args.learners} learners: {release_rate:.0f}/s (one transaction each: {simple_release_rate:.0f}/s); "
        f"recovery odds over {args.clearances} clearances: {odds_ms:.0f} ms (one query each: {simple_odds_ms:.0f} ms)"
    )
    print(
        f"RESULT release_per_s={release_rate:.0f} simple_release_per_s={simple_release_rate:.0f} "
        f"limit_ratio={release_rate / simple_release_rate:.1f} odds_ms={odds_ms:.0f} "
        f"simple_odds_ms={simple_odds_ms:.0f} odds_ratio={simple_odds_ms / odds_ms:.1f}"
    )


def suppressed_learners(org, count, **fields):
    from django.utils import timezone

    from contacts.models import Learner

    category, subtype = SUBTYPES[0]
    defaults = dict(status="bounced", last_bounce_category=category, last_bounce_subtype=subtype)
    defaults.setdefault("retry_at", timezone.now() - timedelta(days=1))
    rows = [
        Learner(organization=org, email=f"l{i}@bench{i % 50}.example", **{**defaults, **fields}) for i in range(count)
    ]
    return Learner.objects.bulk_create(rows, batch_size=5000)


def bench_release(count, simple):
    from contacts.choices import ClearedVia
    from contacts.deliverability import clear_bounce_status, release_expired_suppressions

    org = fresh_organization("bench-release")
    suppressed_learners(org, count)
    started = time.perf_counter()
    released = release_expired_suppressions()
    rate = released / (time.perf_counter() - started)
    assert released == count, (released, count)
    learners = suppressed_learners(fresh_organization("bench-release-simple"), simple)
    started = time.perf_counter()
    for learner in learners:
        clear_bounce_status(learner=learner, cleared_by=None, via=ClearedVia.EXPIRY)
    return rate, simple / (time.perf_counter() - started)


def bench_odds(count, simple):
    from django.utils import timezone

    from campaigns.models import Campaign, CampaignRun, Send, SendStatus
    from contacts.choices import ClearedVia
    from contacts.deliverability import clear_bounce_statuses
    from contacts.models import Clearance, Learner
    from contacts.recovery import COUNTED_CLEARS, recovery_odds

    org = fresh_organization("bench-odds")
    learners = suppressed_learners(org, count, retry_at=None)
    for i, (category, subtype) in enumerate(SUBTYPES):  # four subtypes, in equal parts
        Learner.objects.filter(pk__in=[learner.pk for learner in learners[i :: len(SUBTYPES)]]).update(
            last_bounce_category=category, last_bounce_subtype=subtype
        )
    clear_bounce_statuses(learners=Learner.objects.filter(organization=org), cleared_by=None, via=ClearedVia.PORTAL)
    campaign = Campaign.objects.create(organization=org, name="b", subject="s", from_email="a@b.example", body_text="x")
    later = timezone.now() + timedelta(minutes=1)
    sends = []
    for n in range(3):  # three runs after the clears: only the first with an outcome counts
        run = CampaignRun.objects.create(organization=org, campaign=campaign)
        for i, learner in enumerate(learners):
            status = SendStatus.BOUNCED if (i + n) % 3 == 0 else SendStatus.DELIVERED
            sends.append(
                Send(
                    organization=org,
                    run=run,
                    learner=learner,
                    email=learner.email,
                    status=status,
                    created_at=later + timedelta(days=n),
                )
            )
    Send.objects.bulk_create(sends, batch_size=5000)
    started = time.perf_counter()
    odds = recovery_odds(organization_ids=[org.pk])
    odds_ms = (time.perf_counter() - started) * 1000
    from campaigns.learner_pages import RECOVERY_CLEARANCES

    assert sum(o.sample for o in odds) == min(count, RECOVERY_CLEARANCES), odds
    clearances = list(
        Clearance.objects.filter(organization=org, via__in=COUNTED_CLEARS).values_list("learner_id", "created_at")[
            :simple
        ]
    )
    started = time.perf_counter()
    for learner_id, created_at in clearances:
        Send.objects.filter(learner_id=learner_id, created_at__gt=created_at).exclude(
            status__in=(SendStatus.SCHEDULED, SendStatus.DEFERRED, SendStatus.SKIPPED, SendStatus.FAILED)
        ).order_by("created_at", "pk").values_list("status", flat=True).first()
    simple_ms = (time.perf_counter() - started) * 1000 * count / len(clearances)
    return odds_ms, simple_ms


if __name__ == "__main__":
    main()
