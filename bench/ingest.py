"""Benchmark: ingest N generated bounces from a Maildir and from Dovecot IMAP with 1, 2, … pollers.

Run: .venv/bin/python bench/ingest.py [--count N] [--imap-count N] [--batch N] [--workers 1,2]
Last line: RESULT maildir_msgs_per_s=… imap_msgs_per_s=… scale_2_workers=… peak_rss_mb=… …
(targets: Maildir ≥ 1,000 msgs/s per worker, 2 workers ≥ 1.7× one on two cores, peak RSS < 300 MB
at --count 100000, an unchanged IMAP mailbox of 10,000 messages polled in < 1 s).

Set-up (not timed): an organization with one learner and one send per message, the messages
made by campaigns/bounce_generator.py (the usual mix of Postfix, Exim and Exchange bounces,
auto-replies, complaints, delayed and delivered DSNs and human replies) and written to files.
For each worker count W, the rows are reset, the files are linked into a fresh Maildir, and W
poller processes (forked, each with its own database connection, as W Celery workers) poll the
one mailbox at once, sharing it through the claims in Redis (BENCH_REDIS_URL, default db 7):
read, digest, classify, match, store, events and policy, move to .Processed. The same is then
done over a real Dovecot's IMAP (FETCH over loopback, UID MOVE). Then an IMAP mailbox that
leaves mail in place is pointed at the Processed folder (every message already stored): its
first poll downloads everything and finds every digest known (what each poll of such a mailbox
cost before the processed-UID mark), the second is the unchanged poll that must fetch nothing.

limit_ratio: the same messages read the simplest way in the same run (open + read every file;
for IMAP a bare FETCH BODY.PEEK[] loop over the UIDs in batches) over the 1-worker rate;
imap_unchanged_limit_ratio: the unchanged poll's time over a bare login, SELECT and UID SEARCH above
the processed-UID mark. maildir_cpu_ms_per_msg / imap_cpu_ms_per_msg: the CPU one poller and its
PostgreSQL backend spent per message (read from /proc; Dovecot's own is not in it), which other load
on the machine changes far less than the rates; *_cpu_scale_2_workers: twice that of one poller over
that of two, i.e. the scale two free cores would give while the work stays CPU-bound (what sharing
the mailbox adds per message shows there; the wall-clock ratio says as much only on an idle machine). ``--messages`` is ``--count``; at ``--messages 100000`` the IMAP runs (and so
the unchanged poll) take 20,000 of them unless ``--imap-count`` says otherwise.
"""

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from _setup import ROOT, QueryCounter, copy_model_rows, peak_rss_mb, setup_django

SLUG = "bench-ingest"
HISTORY = 20_000  # the organization's stored messages and events from before: its mailbox has been in use
CHUNK = 5000
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
CLAIM_SHARES: list[float] = []  # each poller's share of its time spent claiming / releasing ranges
# (protocol, workers) -> CPU seconds per message of the pollers and their PostgreSQL backends: what the work
# costs, whatever else the machine runs (the rates above are wall-clock, and wait for a core under load).
CPU_PER_MESSAGE: dict[tuple[str, int], float] = {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", "--messages", type=int, default=5_000, help="messages in the Maildir runs")
    parser.add_argument(
        "--imap-count", type=int, default=None, help="messages in the IMAP runs (default: --count, at most 20,000)"
    )
    parser.add_argument(
        "--batch", type=int, default=None, help="messages per transaction (default: INBOUND_BATCH_SIZE's default)"
    )
    parser.add_argument("--workers", default="1,2", help="comma-separated poller counts to compare")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    imap_count = args.imap_count if args.imap_count is not None else min(args.count, 20_000)
    os.environ["DEBUG"] = "0"
    if args.batch is not None:
        os.environ["INBOUND_BATCH_SIZE"] = str(args.batch)
    setup_django()
    sys.path.insert(0, str(ROOT))
    from django.conf import settings

    settings.REDIS_URL = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)  # the pollers share through claims

    work = Path(tempfile.mkdtemp(prefix="bp-bench-ingest-"))
    os.chmod(work, 0o755)
    rates: dict[tuple[str, int], float] = {}
    try:
        files = build_organization(args.count, work / "source")
        print(f"peak RSS after set-up: {peak_rss_mb():.0f} MB; load average {load()}")
        bare_maildir = bare_maildir_rate(files)
        rss = [peak_rss_mb()]
        for count in workers:
            rate, child_rss, summary = run_maildir(work, files, count)
            rates[("maildir", count)] = rate
            rss.append(child_rss)
            print(f"Maildir, {count} worker(s): {rate:.0f} msgs/s; {summary}; load average {load()}")
        imap = run_imap(files[:imap_count], workers) if imap_count else None
        if imap:
            for count, (rate, child_rss) in imap["rates"].items():
                rates[("imap", count)] = rate
                rss.append(child_rss)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    one, two = rates.get(("maildir", 1), 0.0), rates.get(("maildir", 2), 0.0)
    imap_one, imap_two = rates.get(("imap", 1), 0.0), rates.get(("imap", 2), 0.0)
    fields = [
        f"maildir_msgs_per_s={one:.0f}",
        f"imap_msgs_per_s={imap_one:.0f}",
        f"scale_2_workers={two / one if one and two else 0:.2f}",
        f"peak_rss_mb={max(rss):.0f}",
        f"maildir_2_workers_msgs_per_s={two:.0f}",
        f"imap_2_workers_msgs_per_s={imap_two:.0f}",
        f"imap_scale_2_workers={imap_two / imap_one if imap_one and imap_two else 0:.2f}",
        f"limit_ratio={bare_maildir / one if one else 0:.1f}",
    ]
    if imap:
        fields += [
            f"imap_limit_ratio={imap['bare'] / imap_one if imap_one else 0:.1f}",
            f"imap_unchanged_poll_s={imap['unchanged_s']:.3f}",
            f"imap_unchanged_limit_ratio={imap['unchanged_s'] / imap['bare_unchanged_s']:.1f}",
            f"imap_refetch_poll_s={imap['refetch_s']:.1f}",
            f"imap_leave_messages={imap['left']}",
        ]
    for protocol in ("maildir", "imap"):
        alone, shared = CPU_PER_MESSAGE.get((protocol, 1)), CPU_PER_MESSAGE.get((protocol, 2))
        if alone:
            fields.append(f"{protocol}_cpu_ms_per_msg={1000 * alone:.3f}")
        if alone and shared:  # two free cores' rate over one's, should the work stay CPU-bound
            fields.append(f"{protocol}_cpu_scale_2_workers={2 * alone / shared:.2f}")
    fields += [
        f"claim_time_pct_max={100 * max(CLAIM_SHARES, default=0):.1f}",
        f"messages={args.count}",
        f"imap_messages={imap_count}",
        f"load_avg={load()}",
    ]
    print("RESULT " + " ".join(fields))


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


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
    add_history(org, HISTORY)
    print(f"generated {len(paths)} messages; {HISTORY} stored before")
    vacuum_analyze()
    return paths


def add_history(org, count: int) -> None:
    """Give the organization ``count`` stored inbound messages and bounce events from long ago (COPY),
    kept by the purges between runs: its mailbox is polled in a database in use, whose statistics
    describe the organization's stored mail. On the empty tables each run would otherwise start from,
    the planner reads "a handful of rows" for the organization and takes its single-column index,
    scanning every message it stored so far for each digest looked up.
    """
    import hashlib
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import BounceEvent, InboundMessage

    long_ago = timezone.now() - timedelta(days=200)

    def digest(kind: str, i: int) -> str:
        return hashlib.sha256(f"{kind}{i}".encode()).hexdigest()

    copy_model_rows(
        InboundMessage,
        ["organization_id", "digest", "content_digest", "raw", "size", "received_at"],
        ((org.pk, digest("raw", i), digest("content", i), b"x" * 1500, 1500, long_ago) for i in range(count)),
    )
    copy_model_rows(
        BounceEvent,
        ["organization_id", "event_key", "occurred_at"],
        ((org.pk, digest("event", i)[:64], long_ago) for i in range(count)),
    )


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the tables a poll reads and writes, as autovacuum keeps a live database.

    Right after the set-up's bulk inserts the planner has no statistics for them, and after a purge
    the unique indexes still hold the deleted rows' entries, under the very digests and event keys the
    next run inserts again: each insert then visits the dead rows (0.55 against 0.33 ms of backend CPU
    per message, measured). Neither happens to a mailbox in use.
    """
    from django.db import connection

    from campaigns.models import BounceEvent, InboundMessage, Send
    from contacts.models import Learner

    with connection.cursor() as cursor:
        for model in (InboundMessage, BounceEvent, Send, Learner):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def bare_maildir_rate(files: list[Path]) -> float:
    """Messages per second of the simplest Maildir read: open and read every file once."""
    started = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            handle.read()
    return len(files) / (time.perf_counter() - started)


def _poller(mailbox_id: int, ready, go, results) -> None:
    """One worker process: its own database connection, then one shared poll of the mailbox.

    A poller that fails breaks the barriers and sends its traceback instead of its outcome, so the run
    stops with it (e.g. its claims gone from a Redis database another process cleared: ``LockLost``)
    instead of waiting an hour for a result that never comes."""
    try:
        results.put(_poll_once(mailbox_id, ready, go))
    except BaseException:
        ready.abort()
        go.abort()
        results.put(("error", traceback.format_exc()))
        raise


def _poll_once(mailbox_id: int, ready, go) -> tuple:
    from django.db import connection, connections

    from bounceportal.celery import freeze_start_up_objects
    from campaigns.models import BounceMailbox
    from campaigns.services.ingestion import poll_mailbox_once

    connections.close_all()  # never share the parent's socket
    freeze_start_up_objects()  # as a Celery worker process does when it starts
    mailbox = BounceMailbox.objects.get(pk=mailbox_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    counter = QueryCounter()
    claiming = _time_claims()
    ready.wait()
    go.wait()
    started, cpu, backend_cpu = time.perf_counter(), time.process_time(), process_cpu_s(backend)
    with connection.execute_wrapper(counter):
        result = poll_mailbox_once(mailbox=mailbox)
    wall = time.perf_counter() - started
    cpu, backend_cpu = time.process_time() - cpu, process_cpu_s(backend) - backend_cpu
    share = claiming[0] / wall
    return (
        result.fetched,
        result.stored,
        result.duplicates,
        result.marked,
        peak_rss_mb(),
        counter.count,
        share,
        cpu,
        backend_cpu,
        wall,
    )


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a process of this machine has used so far (its /proc stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # not on this machine (a remote database): counted as nothing
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _time_claims() -> list[float]:
    """Add up, in this process, the seconds spent claiming and releasing ranges (lock waits included)."""
    from campaigns.services.mailbox_claims import ClaimBoard

    spent = [0.0]
    for name in ("claim", "release"):
        original = getattr(ClaimBoard, name)

        def timed(self, *args, _original=original):
            started = time.perf_counter()
            try:
                return _original(self, *args)
            finally:
                spent[0] += time.perf_counter() - started

        setattr(ClaimBoard, name, timed)
    return spent


def run_pollers(mailbox_id: int, workers: int) -> tuple[float, float, list]:
    """Fork ``workers`` pollers of one mailbox, start them together; return (seconds, peak RSS, results)."""
    from django.conf import settings
    from django.db import connections

    from campaigns.services.locks import redis_client

    client = redis_client(settings.REDIS_URL)
    for key in client.scan_iter(match=f"bounceportal:mailbox-*:{mailbox_id}"):
        client.delete(key)  # a claim of an earlier run of this benchmark (ids restart with the database)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    ready, go, results = context.Barrier(workers + 1), context.Barrier(workers + 1), context.Queue()
    processes = [context.Process(target=_poller, args=(mailbox_id, ready, go, results)) for _ in range(workers)]
    for process in processes:
        process.start()
    started = time.perf_counter()
    try:
        ready.wait()
        started = time.perf_counter()
        go.wait()
    except threading.BrokenBarrierError:  # a poller failed before the start: its traceback is on the queue
        pass
    outcomes = [results.get(timeout=3600) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    failures = [o[1] for o in outcomes if o[0] == "error"]
    if failures:
        raise RuntimeError(f"{len(failures)} of {workers} pollers failed; the first:\n{failures[0]}")
    CLAIM_SHARES.extend(o[6] for o in outcomes)
    return elapsed, max(o[4] for o in outcomes), outcomes


def _summary(outcomes: list) -> str:
    parts = [
        f"fetched {o[0]} stored {o[1]} dup {o[2]} marked {o[3]}, {o[6]:.1%} of its time claiming, "
        f"CPU {o[7]:.1f} s + its backend's {o[8]:.1f} s in {o[9]:.1f} s"
        for o in outcomes
    ]
    return "; ".join(f"worker {i + 1}: {p}" for i, p in enumerate(parts))


def _record_cpu(protocol: str, workers: int, outcomes: list) -> str:
    fetched = max(sum(o[0] for o in outcomes), 1)
    per_message = sum(o[7] + o[8] for o in outcomes) / fetched
    CPU_PER_MESSAGE[(protocol, workers)] = per_message
    return f"{1000 * per_message:.3f} ms CPU per message (pollers and their backends)"


def run_maildir(work: Path, files: list[Path], workers: int):
    from campaigns.models import BounceMailbox
    from contacts.models import Organization

    purge(bulk_only=True)
    root = work / f"maildir-{workers}"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    for path in files:
        os.link(path, root / "new" / path.name)
    mailbox = BounceMailbox.objects.create(
        organization=Organization.objects.get(slug=SLUG),
        name=f"Bench maildir {workers}",
        protocol="maildir",
        folder=str(root),
    )
    elapsed, rss, outcomes = run_pollers(mailbox.pk, workers)
    fetched = sum(o[0] for o in outcomes)
    assert fetched == len(files), f"fetched {fetched} of {len(files)}"
    queries = sum(o[5] for o in outcomes) / max(fetched, 1)
    cpu = _record_cpu("maildir", workers, outcomes)
    return len(files) / elapsed, rss, f"{_summary(outcomes)}; {queries:.2f} queries per message; {cpu}"


def imap_mailbox(server, account, name: str, folder: str = "INBOX", action: str = "move"):
    from campaigns.models import BounceMailbox
    from contacts.models import Organization

    mailbox = BounceMailbox(
        organization=Organization.objects.get(slug=SLUG),
        name=name,
        protocol="imap",
        host="127.0.0.1",
        port=server.imap_port,
        security="none",
        username=account.username,
        folder=folder,
        processed_action=action,
    )
    mailbox.set_password(account.password)
    mailbox.save()
    return mailbox


def bare_imap_rate(server, account, count: int) -> float:
    """Messages per second of a bare FETCH BODY.PEEK[] loop over the folder's UIDs, 100 at a time."""
    from imapclient import IMAPClient

    started = time.perf_counter()
    with IMAPClient("127.0.0.1", port=server.imap_port, ssl=False) as client:
        client.login(account.username, account.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        for start in range(0, len(uids), 100):
            client.fetch(uids[start : start + 100], ["BODY.PEEK[]"])
    return count / (time.perf_counter() - started)


def bare_unchanged_poll_s(server, account, mailbox) -> float:
    """Seconds of the least an unchanged poll does: log in, select the folder, search above the mark."""
    from imapclient import IMAPClient

    started = time.perf_counter()
    with IMAPClient("127.0.0.1", port=server.imap_port, ssl=False) as client:
        client.login(account.username, account.password)
        client.select_folder(mailbox.folder or "INBOX", readonly=True)
        client.search(["UID", f"{mailbox.imap_last_uid + 1}:*"])
        client.logout()
    return time.perf_counter() - started


def run_imap(files: list[Path], workers: list[int]) -> dict:
    from campaigns.models import BounceMailbox
    from campaigns.services.ingestion import poll_mailbox_once
    from tests.dovecot import DovecotServer

    server = DovecotServer().start()
    found: dict = {"rates": {}}
    try:
        for count in workers:
            purge(bulk_only=True)
            account = server.new_account()
            deliver_to_dovecot(account.maildir, files)
            if "bare" not in found:
                found["bare"] = bare_imap_rate(server, account, len(files))
            mailbox = imap_mailbox(server, account, f"Bench IMAP {count}")
            elapsed, rss, outcomes = run_pollers(mailbox.pk, count)
            found["rates"][count] = (len(files) / elapsed, rss)
            cpu = _record_cpu("imap", count, outcomes)
            print(
                f"IMAP, {count} worker(s): {len(files) / elapsed:.0f} msgs/s; {_summary(outcomes)}; {cpu}; load {load()}"
            )
        # Leave in place, over the last run's Processed folder: every message is stored already.
        settled = imap_mailbox(server, account, "Bench IMAP leave", folder="Processed", action="leave")
        started = time.perf_counter()
        first = poll_mailbox_once(mailbox=settled)
        found["refetch_s"] = time.perf_counter() - started
        started = time.perf_counter()
        again = poll_mailbox_once(mailbox=BounceMailbox.objects.get(pk=settled.pk))
        found["unchanged_s"] = time.perf_counter() - started
        found["bare_unchanged_s"] = bare_unchanged_poll_s(server, account, BounceMailbox.objects.get(pk=settled.pk))
        found["left"] = first.fetched
        print(f"IMAP leave in place: first poll {first.summary()}; second poll {again.summary()}")
    finally:
        server.stop()
    return found


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
            # Between runs the history stays (add_history: no mailbox, no message): only what polls stored goes.
            kept = {BounceEvent: " AND inbound_message_id IS NOT NULL", InboundMessage: " AND mailbox_id IS NOT NULL"}
            for model in (BounceEvent, InboundMessage, Clearance) + (() if bulk_only else (Send, Learner)):
                keep = kept.get(model, "") if bulk_only else ""
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE organization_id = %s{keep}", [org.pk])
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
    if bulk_only:
        vacuum_analyze()


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
