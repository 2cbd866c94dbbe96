"""Benchmark: ingest N generated bounces from a Maildir and from Dovecot IMAP into PostgreSQL.

Run: .venv/bin/python bench/ingest.py [--count N] [--imap-count N] [--batch N]
Last line: RESULT maildir_msgs_per_s=… imap_msgs_per_s=… queries_per_msg=… peak_rss_mb=…
(targets: ≥ 500 msgs/s per worker process from Maildir, ≥ 200 from IMAP, peak RSS < 300 MB at --count 100000).

Set-up (not timed): an organization with one learner and one send per message,
the messages made by campaigns/bounce_generator.py (the usual mix of Postfix,
Exim and Exchange bounces, auto-replies, complaints, delayed and delivered DSNs
and human replies) and written to a Maildir. The timed part is one
``poll_mailbox_once`` over that Maildir in this process: read, digest,
classify, match, store, events and policy, move to .Processed. Then the rows
are reset, the same files are delivered into a real Dovecot's Maildir, and one
poll of the IMAP mailbox is timed the same way (FETCH over loopback, UID MOVE).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, QueryCounter, peak_rss_mb, setup_django

SLUG = "bench-ingest"
CHUNK = 5000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5_000, help="messages in the Maildir run")
    parser.add_argument(
        "--imap-count", type=int, default=None, help="messages in the IMAP run (default: --count, at most 20,000)"
    )
    parser.add_argument("--batch", type=int, default=100, help="messages per transaction (INBOUND_BATCH_SIZE)")
    args = parser.parse_args()
    imap_count = args.imap_count if args.imap_count is not None else min(args.count, 20_000)
    os.environ["DEBUG"] = "0"
    os.environ["INBOUND_BATCH_SIZE"] = str(args.batch)
    setup_django()
    sys.path.insert(0, str(ROOT))

    work = Path(tempfile.mkdtemp(prefix="bp-bench-ingest-"))
    os.chmod(work, 0o755)
    try:
        files = build_organization(args.count, work / "source")
        print(f"peak RSS after set-up: {peak_rss_mb():.0f} MB")
        maildir_rate, queries, summary = run_maildir(work, files)
        print(f"Maildir: {summary}; peak RSS so far {peak_rss_mb():.0f} MB")
        imap_rate = run_imap(files[:imap_count]) if imap_count else 0.0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"RESULT maildir_msgs_per_s={maildir_rate:.0f} imap_msgs_per_s={imap_rate:.0f} "
        f"queries_per_msg={queries:.2f} peak_rss_mb={peak_rss_mb():.0f}"
    )


def build_organization(count: int, folder: Path) -> list[Path]:
    """A fresh organization with one learner, one send and one generated message per ``count``.

    Built in chunks, keeping only the message files' paths, so the set-up does not
    inflate the process's peak memory that the benchmark reports.
    """
    from django.conf import settings

    from campaigns.bounce_generator import Original, generate
    from campaigns.models import Campaign, CampaignRun, Send
    from contacts.models import Learner
    from contacts.services import create_organization

    purge(bulk_only=False)
    org = create_organization(name="Bench ingest", slug=SLUG)
    campaign = Campaign.objects.create(
        organization=org,
        name="Bench",
        subject="Your training starts Monday",
        from_email="training@bench.example",
        body_text="x",
    )
    run = CampaignRun.objects.create(organization=org, campaign=campaign)
    folder.mkdir()
    paths = []
    for start in range(0, count, CHUNK):
        learners = Learner.objects.bulk_create(
            [
                Learner(organization=org, email=f"learner{i}@bench{i % 200}.example")
                for i in range(start, min(start + CHUNK, count))
            ]
        )
        sends = Send.objects.bulk_create(
            [
                Send(organization=org, run=run, learner=learner, email=learner.email, status="sent")
                for learner in learners
            ]
        )
        originals = [
            Original(
                token=s.token,
                email=s.email,
                bounce_domain=settings.BOUNCE_DOMAIN,
                from_email=campaign.from_email,
                subject=campaign.subject,
            )
            for s in sends
        ]
        for index, (_kind, raw) in enumerate(generate(originals, seed=start), start=start):
            path = folder / f"17000{index:08d}.M{index}P1.bench"
            path.write_bytes(raw)
            paths.append(path)
    print(f"generated {len(paths)} messages")
    return paths


def run_maildir(work: Path, files: list[Path]):
    from django.db import connection

    from campaigns.models import BounceMailbox
    from campaigns.services.ingestion import poll_mailbox_once
    from contacts.models import Organization

    root = work / "maildir"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    for path in files:
        os.link(path, root / "new" / path.name)
    mailbox = BounceMailbox.objects.create(
        organization=Organization.objects.get(slug=SLUG), name="Bench maildir", protocol="maildir", folder=str(root)
    )
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = poll_mailbox_once(mailbox=mailbox, use_lock=False)
    elapsed = time.perf_counter() - started
    return result.fetched / elapsed, counter.count / max(result.fetched, 1), result.summary()


def purge(*, bulk_only: bool) -> None:
    """Delete the benchmark organization's bulk rows with plain SQL (the ORM's cascade collector would
    load them all into memory first); with ``bulk_only`` keep the learners and sends and reset them."""
    from django.db import connection

    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent, InboundMessage, Send
    from contacts.models import Clearance, Learner, Organization

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        return
    with retention_path():  # audit rows go only this way (bounceportal/audit.py)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Learner._meta.db_table} SET status_event_id = NULL WHERE organization_id = %s", [org.pk]
            )
            for model in (BounceEvent, InboundMessage, Clearance) + (() if bulk_only else (Send, Learner)):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE organization_id = %s", [org.pk])
        if bulk_only:
            Learner.objects.filter(organization=org).update(
                status="active",
                status_reason="",
                status_since=None,
                soft_bounce_count=0,
                bounce_count=0,
                last_bounce_category="",
                last_bounce_subtype="",
                last_bounced_at=None,
                auto_replied_at=None,
            )
            Send.objects.filter(organization=org).update(status="sent", bounced_at=None, delivered_at=None)
        else:
            org.delete()


def run_imap(files: list[Path]) -> float:
    from campaigns.models import BounceMailbox
    from campaigns.services.ingestion import poll_mailbox_once
    from contacts.models import Organization
    from tests.dovecot import DovecotServer

    purge(bulk_only=True)  # the IMAP run does the same work again
    server = DovecotServer().start()
    try:
        account = server.new_account()
        deliver_to_dovecot(account.maildir, files)
        mailbox = BounceMailbox(
            organization=Organization.objects.get(slug=SLUG),
            name="Bench IMAP",
            protocol="imap",
            host="127.0.0.1",
            port=server.imap_port,
            security="none",
            username=account.username,
            folder="INBOX",
        )
        mailbox.set_password(account.password)
        mailbox.save()
        started = time.perf_counter()
        result = poll_mailbox_once(mailbox=mailbox, use_lock=False)
        elapsed = time.perf_counter() - started
        print(f"IMAP: {result.summary()}")
        return result.fetched / elapsed
    finally:
        server.stop()


def deliver_to_dovecot(maildir: Path, files: list[Path]) -> None:
    """Put the messages into the account's Maildir the way an MTA would (owned by the mail user)."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, maildir / "new" / path.name)
    for folder, _dirs, names in os.walk(maildir.parent):
        shutil.chown(folder, "mail", "mail")
        for name in names:
            shutil.chown(os.path.join(folder, name), "mail", "mail")


if __name__ == "__main__":
    main()
