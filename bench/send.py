"""Benchmark: schedule a run of 100,000 learners, then send 10,000 messages to a local SMTP sink.

Run: .venv/bin/python bench/send.py [--learners N] [--sends N] [--without-guard]
Last line: RESULT msgs_per_s=… queries_per_send=… schedule_s=…
(targets: ≥ 500 msgs/s per worker process, scheduling 100,000 learners in < 5 s).

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--without-guard", action="store_true", help="skip the run guard's counting (to compare)")
    args = parser.parse_args()
    sink, port, received = start_sink()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from campaigns.models import Campaign, Send
    from campaigns.services.sending import create_run, launch_run, schedule_run

    settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_SECURITY = "127.0.0.1", port, "none"
    if args.without_guard:
        from campaigns.services import delivery

        delivery._Chunk._guard = lambda self, now: True
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

    run = schedule_run(run=create_run(campaign=campaign, audience={"domain": SEND_DOMAIN}))
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        launch_run(run=run)
    elapsed = time.perf_counter() - started
    sent = Send.objects.filter(run=run, status="sent").count()
    sink.terminate()
    print(f"scheduled {scheduled} of {args.learners} learners in {schedule_s:.2f}s (left out: {big.left_out})")
    print(
        f"sent {sent} messages (sink received {received.value}) in {elapsed:.2f}s, chunks of "
        f"{settings.SEND_CHUNK_SIZE}, {counter.count} queries; rate limiter: "
        f"{'Redis' if settings.REDIS_URL else 'in-process'}; run guard: {'off' if args.without_guard else 'on'}; "
        f"load: {os.getloadavg()[0]:.2f}"
    )
    print(
        f"RESULT msgs_per_s={sent / elapsed:.0f} queries_per_send={counter.count / max(sent, 1):.3f} "
        f"schedule_s={schedule_s:.2f}"
    )


if __name__ == "__main__":
    main()
