"""Benchmark: schedule a run of 100,000 learners, then send 10,000 messages to a local SMTP sink.

Run: .venv/bin/python bench/send.py [--learners N] [--sends N] [--rounds N]
Last line: RESULT msgs_per_s=… msgs_per_s_without_guard=… guard_overhead_pct=… queries_per_send=…
queries_per_send_without_guard=… schedule_s=… simple_msgs_per_s=… limit_ratio=…
(targets: ≥ 500 msgs/s per worker process, scheduling 100,000 learners in < 5 s, the run guard
slowing sending by ≤ 5 %).

In one run, ``--rounds`` runs of ``--sends`` messages are sent with the run guard and as many
without it (the flush as it was before the guard: the run's status read, no counting),
alternating; ``guard_overhead_pct`` compares the medians. ``limit_ratio`` is msgs/s against
the same number of messages built with the standard library and sent over one smtplib
connection with no database at all.

Everything goes through the real code path: ``schedule_run`` for the big run;
for the sending run ``launch_run`` → the ``send_run`` task → one ``send_chunk``
task per SEND_CHUNK_SIZE sends (Celery eager, so in this process: one worker
process) → claim, render, SMTP, bulk write-back. The sink is aiosmtpd in a
separate process. The rate limiter uses Redis when BENCH_REDIS_URL is set
(the organization's rate is set high so it does not throttle), else its
in-process schedule.
"""

import argparse
import multiprocessing
import os
import statistics
import time

from _setup import ROOT, QueryCounter, setup_django

SEND_DOMAIN = "send.example"


def run_sink(port: int, counter, ready) -> None:
    """An aiosmtpd sink that only counts what it accepts (runs in its own process)."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 2.0.0 Ok: queued"

    Controller(Counting(), hostname="127.0.0.1", port=port, server_hostname="sink.bench").start()
    ready.set()
    while True:
        time.sleep(3600)


def start_sink():
    import sys

    sys.path.insert(0, str(ROOT))
    from tests.smtp_sink import free_port

    context = multiprocessing.get_context("spawn")
    counter, ready = context.Value("i", 0), context.Event()
    port = free_port()
    process = context.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    process.start()
    if not ready.wait(30):
        raise RuntimeError("the SMTP sink did not start")
    return process, port, counter


def reset(learner_count: int, send_count: int):
    """A fresh benchmark organization with learners: ``send_count`` at SEND_DOMAIN, about 1% suppressed."""
    from django.db import connection

    from bounceportal.audit import retention_path
    from contacts.models import Learner, Organization
    from contacts.services import create_organization

    with retention_path(), connection.cursor() as cursor:  # audit rows go only this way (bounceportal/audit.py)
        for org_id in Organization.objects.filter(slug="bench-send").values_list("pk", flat=True):
            cursor.execute("UPDATE contacts_learner SET status_event_id = NULL WHERE organization_id = %s", [org_id])
            cursor.execute(
                "DELETE FROM campaigns_runcounter WHERE run_id IN "
                "(SELECT id FROM campaigns_campaignrun WHERE organization_id = %s)",
                [org_id],
            )
            for table in (
                "campaigns_bounceevent",
                "campaigns_send",
                "contacts_clearance",
                "campaigns_campaignrun",
                "campaigns_campaign",
                "contacts_learner",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])
        Organization.objects.filter(slug="bench-send").delete()
    with connection.cursor() as cursor:  # so every run starts from the same table state
        cursor.execute("VACUUM ANALYZE campaigns_send, contacts_learner")
    org = create_organization(name="Bench send", slug="bench-send")
    org.send_rate_per_second = 10_000
    org.save()
    statuses = ["bounced", "unsubscribed"]
    Learner.objects.bulk_create(
        [
            Learner(
                organization=org,
                email=f"l{i}@{SEND_DOMAIN if i < send_count else f'bench{i % 50}.example'}",
                status=statuses[i // 100 % 2] if i % 100 == 99 and i >= send_count else "active",
            )
            for i in range(learner_count)
        ],
        batch_size=5000,
    )
    return org


def without_guard(delivery):
    """The flush as it was before the run guard: the run's status read (cancel_run), no counting."""
    from campaigns.models import CampaignRun

    def status_only(self, now) -> bool:
        return not CampaignRun.objects.filter(pk=self.run_id, status__in=delivery.STOPPED_RUN_STATUSES).exists()

    return status_only


def send_once(campaign, flush_guard) -> tuple[float, int, int]:
    """Launch a fresh run to the SEND_DOMAIN learners; return (seconds, messages sent, queries)."""
    from django.db import connection

    from campaigns.models import Send
    from campaigns.services import delivery
    from campaigns.services.sending import create_run, launch_run, schedule_run

    setattr(delivery._Chunk, "_guard", flush_guard)  # noqa: B010 (mypy refuses assigning a method)
    run = schedule_run(run=create_run(campaign=campaign, audience={"domain": SEND_DOMAIN}))
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        launch_run(run=run)
    elapsed = time.perf_counter() - started
    return elapsed, Send.objects.filter(run=run, status="sent").count(), counter.count


def simplest_send(port: int, campaign, count: int) -> float:
    """The same messages the simplest way: built with the standard library, one smtplib connection, no
    database; return the seconds."""
    import smtplib
    from email.message import EmailMessage

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = (
                campaign.from_email,
                f"l{i}@{SEND_DOMAIN}",
                campaign.subject,
            )
            message.set_content(campaign.body_text)
            message.add_alternative(campaign.body_html, subtype="html")
            smtp.send_message(message, from_addr=f"bounces+t{i}@bounce.example", to_addrs=[f"l{i}@{SEND_DOMAIN}"])
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs sent with and without the guard, alternating")
    args = parser.parse_args()
    sink, port, received = start_sink()
    setup_django()
    from django.conf import settings

    from campaigns.models import Campaign, Send
    from campaigns.services import delivery
    from campaigns.services.sending import create_run, schedule_run

    guards = {True: delivery._Chunk._guard, False: without_guard(delivery)}
    settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_SECURITY = "127.0.0.1", port, "none"
    settings.REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
    org = reset(args.learners, args.sends)
    campaign = Campaign.objects.create(
        organization=org,
        name="Bench",
        subject="Your training starts Monday",
        from_name="Training Team",
        from_email="training@sender.example",
        body_text="Hello,\n\nYour training starts Monday.\n\n" * 20,
        body_html="<html><body>" + "<p>Hello,</p><p>Your training starts Monday.</p>" * 20 + "</body></html>",
    )

    big = create_run(campaign=campaign)
    started = time.perf_counter()
    big = schedule_run(run=big)
    schedule_s = time.perf_counter() - started
    scheduled = Send.objects.filter(run=big, status="scheduled").count()
    print(f"scheduled {scheduled} of {args.learners} learners in {schedule_s:.2f}s (left out: {big.left_out})")

    # Alternating (with, without, without, with, ...) so that a table growing by a run each round
    # and the shared machine's load weigh on both alike; the medians are compared.
    timings: dict[bool, list[float]] = {True: [], False: []}
    queries: dict[bool, int] = {}
    sent = 0
    for round_ in range(args.rounds):
        for guard in (True, False) if round_ % 2 == 0 else (False, True):
            elapsed, sent, queries[guard] = send_once(campaign, guards[guard])
            timings[guard].append(elapsed)
            print(
                f"round {round_ + 1}, guard {'on ' if guard else 'off'}: {sent} sent in {elapsed:.2f}s "
                f"({sent / elapsed:.0f} msgs/s, {queries[guard]} queries), load {os.getloadavg()[0]:.2f}"
            )
    simple_s = statistics.median(simplest_send(port, campaign, args.sends) for _ in range(args.rounds))
    sink.terminate()
    with_s, without_s = statistics.median(timings[True]), statistics.median(timings[False])
    overhead = 100 * (with_s - without_s) / without_s
    print(
        f"median of {args.rounds}: guard on {with_s:.2f}s, off {without_s:.2f}s ({overhead:+.1f} %); "
        f"the same messages with smtplib and no database: {simple_s:.2f}s; sink received {received.value}; "
        f"chunks of {settings.SEND_CHUNK_SIZE}; rate limiter: {'Redis' if settings.REDIS_URL else 'in-process'}"
    )
    print(
        f"RESULT msgs_per_s={sent / with_s:.0f} msgs_per_s_without_guard={sent / without_s:.0f} "
        f"guard_overhead_pct={overhead:.1f} queries_per_send={queries[True] / max(sent, 1):.3f} "
        f"queries_per_send_without_guard={queries[False] / max(sent, 1):.3f} schedule_s={schedule_s:.2f} "
        f"simple_msgs_per_s={args.sends / simple_s:.0f} limit_ratio={(sent / with_s) / (args.sends / simple_s):.3f}"
    )


if __name__ == "__main__":
    main()
