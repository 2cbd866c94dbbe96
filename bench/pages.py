"""Benchmark: the portal pages and the Django admin's lists at scale, through the real URL stack (django.test.Client).

Run: .venv/bin/python bench/pages.py [--learners N] [--requests N] [--refill] [--fill-only] [--drop-os-cache]
    [--pages NAME,...]
Last line: RESULT learners=… sends=… p95_ms_max=… cold_ms_max=… max_queries=… limit_ratio=… csv_export_ms=…
(targets at 1,000,000 learners / 10,000,000 sends: p95 and cold < 150 ms for every page, ≤ 15 queries
per page; the CSV export of 10,000 rows is reported apart).

Each page is measured cold, then warm. Cold: the first request of a fresh child process started as a
server worker starts (it loads ``bounceportal.wsgi``, whose start-up warm-up builds the URL tables and
compiles the templates: bounceportal/warmup.py; no other request but /healthz before), the cache
cleared, ``pg_stat_reset()`` and ``DISCARD ALL`` run first; the server's shared buffers stay warm (the shared
PostgreSQL may not be restarted here), and so does the OS page cache unless ``--drop-os-cache`` (root only)
runs ``sync`` and writes 1 to /proc/sys/vm/drop_caches just before each cold request: then every table or
index page the request needs that is not in the 128 MB of shared buffers is read from the disk (the cold
column says ``os-cold`` or ``os-warm``). Warm: ``--requests`` requests after
one warm-up per URL. The pages read the summary counters the writes keep (campaigns/counters.py); the
fill's COPY fires no trigger (``_copy``), so it rebuilds them after (``rebuild_counters``). ``limit_ratio``
is the worst warm p95 over the p95 of the simplest page: one psycopg query for 50 learners joined into
HTML by hand.

The data is made with COPY (psycopg's ``cursor.copy``): N learners, 10 campaign runs that each sent to
every learner (10 sends per learner: 10,000,000 at N = 1,000,000), about one bounce event per learner
and one inbound message per ten, spread over a year, with the learner rows' deliverability columns
consistent with their events. Each table's plain indexes are built after its COPY (see ``_copy``). A
filled database is reused when it already holds N learners (``--refill`` redoes it); at 1,000,000 the
fill takes about half an hour on this shared machine and some 6 GB of disk.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from _setup import QueryCounter, setup_django

ORG_SLUG = "bench-pages"
RUNS = 10
DOMAINS = 200
EXPORT_DOMAIN = "export.example"
EXPORT_ROWS = 10_000
# (category, subtype, reason, weight, status code, diagnostic)
KINDS = [
    (
        "hard",
        "address_unknown",
        "userunknown",
        15,
        "5.1.1",
        "550 5.1.1 <{a}>: Recipient address rejected: User unknown",
    ),
    ("soft", "mailbox_full", "mailboxfull", 30, "4.2.2", "452 4.2.2 <{a}>: Mailbox full"),
    ("soft", "dns_server_failure", "networkerror", 10, "4.4.1", "451 4.4.1 Connection timed out"),
    ("block", "spam_detected", "spamdetected", 15, "5.7.1", "554 5.7.1 Message rejected as spam"),
    ("block", "policy", "policyviolation", 5, "5.7.1", "550 5.7.1 Rejected by policy"),
    ("autoreply", "auto_reply", "vacation", 15, "", "I am out of the office until Monday."),
    ("complaint", "spam_complaint", "feedback", 2, "", ""),
    ("unsubscribe", "unsubscribe_request", "feedback", 1, "", "Please remove me"),
    ("undetermined", "undetermined", "undefined", 7, "", "Something odd happened"),
]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Donald", "Margaret", "Radia", "John"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Knuth", "Hamilton", "Perlman"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--fill-only", action="store_true", help="fill (when needed) and stop")
    parser.add_argument(
        "--drop-os-cache",
        action="store_true",
        help="drop the OS page cache before each cold request (root only; skipped with a note otherwise)",
    )
    parser.add_argument("--pages", help="comma-separated page names to measure (default: all)")
    parser.add_argument("--drop", action="store_true", help=argparse.SUPPRESS)  # the cold child drops the cache
    parser.add_argument("--cold-url", help=argparse.SUPPRESS)  # the child process of a cold measurement
    args = parser.parse_args()
    # Measured as served: DEBUG off, as DJANGO_ENV=production has it (DEBUG=True also logs every query
    # and keeps template debug data). The cold child inherits it.
    os.environ["DEBUG"] = "0"
    if args.cold_url:
        setup_django(migrate=False)
        return cold_request(args.cold_url, drop_os_cache_first=args.drop)
    setup_django()
    from contacts.models import Learner, Organization

    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if args.refill or org is None or Learner.objects.filter(organization=org).count() != args.learners:
        started = time.perf_counter()
        org = fill(args.learners)
        print(f"filled {args.learners} learners in {time.perf_counter() - started:.0f} s", flush=True)
    from campaigns.models import InboundMessage

    if not InboundMessage.objects.filter(organization=org).exists():
        started = time.perf_counter()
        copy_inbound(org, args.learners // 10)
        print(f"filled {args.learners // 10} inbound messages in {time.perf_counter() - started:.0f} s", flush=True)
    if args.fill_only:
        return
    measure_pages(org, args)


# ---------------------------------------------------------------------------------------------- filling


def fill(n: int):
    """Delete the benchmark organization and COPY a fresh one with ``n`` learners."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Campaign, CampaignRun
    from contacts.models import Membership, Organization
    from contacts.services import create_organization

    tables = (
        "campaigns_bounceevent",
        "contacts_clearance",
        "campaigns_send",
        "campaigns_inboundmessage",
        "campaigns_campaignrun",
        "campaigns_campaign",
        "contacts_automationrule",
    )
    from bounceportal.audit import retention_path

    # Audit rows can only be removed on the retention path (bounceportal/audit.py); a cascade
    # delete of millions of rows through the ORM is too slow, hence the SQL.
    with retention_path(), connection.cursor() as cursor:
        old = Organization.objects.filter(slug=ORG_SLUG).values_list("pk", flat=True).first()
        if old and not Organization.objects.exclude(pk=old).exists():  # the database is ours alone
            cursor.execute(f"TRUNCATE {', '.join(tables)}, contacts_learner CASCADE")
        elif old:
            cursor.execute("UPDATE contacts_learner SET status_event_id = NULL WHERE organization_id = %s", [old])
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [old])
            cursor.execute("DELETE FROM contacts_learner WHERE organization_id = %s", [old])
        Organization.objects.filter(slug=ORG_SLUG).delete()
    org = create_organization(name="Bench pages", slug=ORG_SLUG)
    user, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, organization=org, role="admin")
    now = timezone.now()
    runs = []
    for r in range(RUNS):
        created = now - timedelta(days=330 - r * 33)
        campaign = Campaign.objects.create(
            organization=org,
            name=f"Campaign {r + 1}",
            subject=f"Training {r + 1}",
            from_email="training@sender.example",
            body_text="x",
            created_at=created,
        )
        runs.append(
            CampaignRun.objects.create(
                organization=org,
                campaign=campaign,
                status="done",
                created_at=created,
                started_at=created,
                finished_at=created,
                left_out={"bounced": n // 50},
            )
        )
    rng = random.Random(42)
    plan = plan_learners(n, runs, rng, now)
    copy_learners(org, plan)
    copy_sends(org, runs, plan, rng)
    copy_events(org, runs, plan)
    copy_clearances(org, plan, user, now)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_learner l SET status_event_id = e.id FROM campaigns_bounceevent e "
            "WHERE e.learner_id = l.id AND l.organization_id = %s AND l.status <> 'active'",
            [org.pk],
        )
    from campaigns.counters import rebuild_counters

    rebuild_counters()  # the COPY fired no counter trigger (session_replication_role = replica)
    # The counter tables too: rebuilt in one go, they have no statistics until autovacuum comes by.
    analyzed = ("contacts_learner", "campaigns_send", "campaigns_bounceevent", "contacts_clearance")
    for table in (*analyzed, "campaigns_runcounter", "campaigns_orgdaycounter", "contacts_learnerdaycounter"):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return org


def plan_learners(n, runs, rng, now):
    """Decide each learner's address, event and resulting deliverability state (plain tuples, fast)."""
    weights = [kind[3] for kind in KINDS]
    export_count = min(EXPORT_ROWS, n // 10)
    plan = []
    for i in range(n):
        domain = EXPORT_DOMAIN if i < export_count else f"d{i % DOMAINS}.example"
        kind = rng.choices(KINDS, weights)[0] if rng.random() < 0.95 else None
        run_index = rng.randrange(RUNS)
        occurred = runs[run_index].created_at + timedelta(hours=rng.randint(1, 24 * 30))
        if occurred > now:
            occurred = now - timedelta(minutes=rng.randint(1, 600))
        engaged = now - timedelta(days=rng.randint(0, 80)) if rng.random() < 0.35 else None
        soft = rng.randint(1, 12) if kind and kind[0] in ("soft", "block") else 0
        status = "active"
        if kind and (kind[0] == "hard" or soft >= (20 if engaged else 10)):
            status = "bounced"
        elif kind and kind[0] in ("complaint", "unsubscribe"):
            status = "unsubscribed"
        cleared = 1 if status == "bounced" and rng.random() < 0.05 else 0
        plan.append((i, domain, kind, run_index, occurred, engaged, soft, status, cleared))
    return plan


def _copy(table, columns, rows):
    """COPY text rows (already tab-separated lines) into ``table``, the fast way for millions of rows.

    The table's plain indexes are dropped first and built again after (one sort each instead of
    10,000,000 index insertions), and the COPY runs with ``session_replication_role = replica``
    (no foreign key or audit trigger fires per row: the rows are consistent by construction). The
    table stays logged (no UNLOGGED switch: that rewrites it twice) and keeps its primary key and
    unique constraints, so a duplicate still fails the fill.
    """
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    # One transaction: a failed COPY rolls the dropped indexes back with it.
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = []
            for row in rows:
                buffer.append(row)
                if len(buffer) >= 20_000:
                    copy.write("".join(buffer))
                    buffer.clear()
            copy.write("".join(buffer))
        copied = time.perf_counter()
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
    print(
        f"  {table}: COPY {copied - started:.0f} s, {len(indexes)} indexes rebuilt in {time.perf_counter() - copied:.0f} s",
        flush=True,
    )


NULL = "\\N"


def _ts(value):
    return value.isoformat() if value else NULL


def copy_learners(org, plan):
    columns = [
        "organization_id",
        "email",
        "first_name",
        "last_name",
        "department",
        "created_at",
        "status",
        "status_reason",
        "status_since",
        "soft_bounce_count",
        "last_bounce_category",
        "last_bounce_subtype",
        "last_bounced_at",
        "bounce_count",
        "times_cleared",
        "last_engaged_at",
        "last_opened_at",
        "tags",
        "on_resend_list",
        "updated_at",
        "soft_suppressions",
    ]

    def rows():
        for i, domain, kind, _run, occurred, engaged, soft, status, cleared in plan:
            category, subtype, reason = (kind[0], kind[1], kind[2]) if kind else ("", "", "")
            last_at = occurred if kind and category != "autoreply" else None
            if category == "autoreply":
                category = subtype = ""
            bounce_count = 1 if category in ("hard", "soft", "block") else 0
            yield (
                "\t".join(
                    [
                        str(org.pk),
                        f"learner{i}@{domain}",
                        FIRST[i % len(FIRST)],
                        LAST[i % len(LAST)],
                        "Finance" if i % 3 else "Teaching",
                        _ts(occurred - timedelta(days=400)),
                        status,
                        reason if status != "active" else "",
                        _ts(occurred if status != "active" else None),
                        str(soft),
                        category,
                        subtype,
                        _ts(last_at),
                        str(bounce_count),
                        str(cleared),
                        _ts(engaged),
                        _ts(engaged),
                        "[]",
                        "f",
                        _ts(occurred),
                        "0",
                    ]
                )
                + "\n"
            )

    _copy("contacts_learner", columns, rows())


def _learner_ids(org):
    from contacts.models import Learner

    return list(Learner.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))


def copy_sends(org, runs, plan, rng):
    columns = [
        "organization_id",
        "run_id",
        "learner_id",
        "token",
        "email",
        "domain",
        "status",
        "skip_reason",
        "created_at",
        "attempts",
        "sent_at",
        "delivered_at",
        "opened_at",
        "open_count",
        "bounced_at",
        "status_changed_at",
        "last_reply",
        "click_count",
    ]
    ids = _learner_ids(org)

    def rows():
        for r, run in enumerate(runs):
            created = run.created_at
            at = _ts(created)
            later = _ts(created + timedelta(hours=2))
            for (i, domain, kind, run_index, occurred, _e, _s, _status, _c), learner_id in zip(plan, ids):
                roll = rng.random()
                delivered = opened = bounced = NULL
                if run_index == r and kind and kind[0] in ("hard", "soft", "block"):
                    status, bounced = "bounced", _ts(occurred)
                elif roll < 0.25:
                    status, delivered, opened = "opened", later, later
                elif roll < 0.85:
                    status, delivered = "delivered", later
                elif roll < 0.97:
                    status = "sent"
                elif roll < 0.99:
                    status = "deferred"
                else:
                    status = "failed"
                yield (
                    f"{org.pk}\t{run.pk}\t{learner_id}\tb{run.pk}x{learner_id}\tlearner{i}@{domain}\t{domain}\t"
                    f"{status}\t\t{at}\t1\t{at}\t{delivered}\t{opened}\t{0 if opened == NULL else 1}\t"
                    f"{bounced}\t{later if bounced == NULL else bounced}\t\t0\n"
                )

    _copy("campaigns_send", columns, rows())


def copy_events(org, runs, plan):
    from django.db import connection

    columns = [
        "organization_id",
        "send_id",
        "run_id",  # the trigger that copies it from the send does not fire under the COPY's replica role
        "learner_id",
        "source",
        "recipient_index",
        "address",
        "action",
        "status",
        "reply_code",
        "reason",
        "category",
        "subtype",
        "hard",
        "diagnostic",
        "remote_mta",
        "feedback_type",
        "matched_by",
        "occurred_at",
        "outcome",
        "applied_at",
        "stage",
        "sender_side",
        "filter_product",
        "blocklist",
        "evidence",
        "event_key",
    ]
    ids = _learner_ids(org)
    # Only the sends that bounced are looked up, one run at a time: a dict of all 10,000,000 sends of a
    # 1,000,000-learner fill took gigabytes.
    wanted: dict[int, list[int]] = {}
    for (_i, _d, kind, run_index, *_rest), learner_id in zip(plan, ids):
        if kind:
            wanted.setdefault(runs[run_index].pk, []).append(learner_id)
    send_of = {}
    with connection.cursor() as cursor:
        for run_id, learners in wanted.items():
            cursor.execute(
                # A join with the array (hash join), not ``= ANY(array)``: that compared every send of the run
                # with every element (ten minutes for one run of 1,000,000 sends).
                "SELECT s.learner_id, s.id FROM campaigns_send s JOIN unnest(%s::bigint[]) AS l(id) "
                "ON s.learner_id = l.id WHERE s.run_id = %s",
                [learners, run_id],
            )
            send_of.update(((learner, run_id), send) for learner, send in cursor.fetchall())
    outcomes = {
        "hard": "suppressed",
        "soft": "counted",
        "block": "counted",
        "autoreply": "flagged",
        "complaint": "unsubscribed",
        "unsubscribe": "unsubscribed",
        "undetermined": "recorded",
    }

    def rows():
        for (i, domain, kind, run_index, occurred, _e, _s, _st, _c), learner_id in zip(plan, ids):
            if not kind:
                continue
            category, subtype, reason, _w, code, diagnostic = kind
            address = f"learner{i}@{domain}"
            mta = f"mx.{domain}" if category != "block" or i % 2 else f"gw.filter{i % 3}.example"
            yield (
                "\t".join(
                    [
                        str(org.pk),
                        str(send_of[(learner_id, runs[run_index].pk)]),
                        str(runs[run_index].pk),
                        str(learner_id),
                        "mailbox",
                        "0",
                        address,
                        "failed" if code else "",
                        code,
                        code[:1] + "50" if code else "",
                        reason,
                        category,
                        subtype,
                        "t" if category == "hard" else "f",
                        diagnostic.format(a=address),
                        mta,
                        "abuse" if category == "complaint" else "",
                        "verp",
                        _ts(occurred),
                        outcomes[category],
                        _ts(occurred),
                        "",  # stage
                        "t" if category == "block" and i % 2 == 0 else "f",  # sender_side: the filters' blocks
                        "",  # filter_product
                        "",  # blocklist
                        "[]",  # evidence
                        f"bench:{i}",  # event_key
                    ]
                )
                + "\n"
            )

    _copy("campaigns_bounceevent", columns, rows())


def copy_inbound(org, count):
    """COPY ``count`` classified DSNs (about 1.6 KB each, headers and body) received over the last year."""
    import hashlib

    from django.db import connection
    from django.utils import timezone

    columns = [
        "organization_id",
        "digest",
        "raw",
        "size",
        "truncated",
        "received_at",
        "subject",
        "from_header",
        "kind",
        "is_bounce",
        "parse_error",
        "original_message_id",
        "send_token",
        "matched_by",
        "processed_at",
        "classifier_version",
    ]
    now = timezone.now()
    body = "This is the mail system at host mx.d7.example.\n\n" + "I'm sorry to have to inform you ... " * 30

    def rows():
        for i in range(count):
            at = _ts(now - timedelta(minutes=i * 525_600 // max(count, 1)))
            raw = (
                f"From: MAILER-DAEMON@mx.d{i % DOMAINS}.example\nTo: bounces+b{i}@sender.example\n"
                f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn{i}@mx.example>\n\n"
                f"{body}\n<learner{i}@d{i % DOMAINS}.example>: 550 5.1.1 User unknown\n"
            ).encode()
            yield (
                f"{org.pk}\t{hashlib.sha256(raw).hexdigest()}\t\\\\x{raw.hex()}\t{len(raw)}\tf\t{at}\t"
                f"Undelivered Mail Returned to Sender\tMAILER-DAEMON@mx.example\tdsn\tt\t\t<m{i}@x>\tb{i}\t"
                f"verp\t{at}\tbench\n"
            )

    connection.ensure_connection()
    _copy("campaigns_inboundmessage", columns, rows())
    # As fill() does for the other tables, and autovacuum does for an insert-only table in production: without
    # a visibility map the admin list's bounded count read 10,001 rows from the heap (16 MB) instead of the
    # primary key's index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_inboundmessage")


def copy_clearances(org, plan, user, now):
    columns = [
        "organization_id",
        "learner_id",
        "cleared_by_id",
        "via",
        "created_at",
        "previous_status",
        "previous_reason",
        "previous_category",
        "previous_subtype",
        "previous_soft_bounce_count",
        "previous_email",
        "note",
    ]
    ids = _learner_ids(org)

    def rows():
        for (_i, _domain, kind, _r, occurred, _e, _s, _st, cleared), learner_id in zip(plan, ids):
            if cleared:
                yield (
                    "\t".join(
                        [
                            str(org.pk),
                            str(learner_id),
                            str(user.pk),
                            "portal",
                            _ts(occurred - timedelta(days=20)),
                            "bounced",
                            kind[2],
                            kind[0],
                            kind[1],
                            "0",
                            "",
                            "Confirmed with IT",
                        ]
                    )
                    + "\n"
                )

    _copy("contacts_clearance", columns, rows())


# ---------------------------------------------------------------------------------------------- measuring


def pages(org):
    """(name, URLs to cycle through) for every page measured: the portal's and the admin's lists."""
    from campaigns.models import CampaignRun
    from contacts.models import Learner

    profiles = list(
        Learner.objects.filter(organization=org, bounce_count__gt=0).order_by("pk").values_list("pk", flat=True)[:50]
    )
    biggest = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()  # every run has N sends
    middle = max(2, Learner.objects.filter(organization=org).count() // 100)  # halfway down the run's send table
    return [
        ("learners", ["/learners/"]),
        (
            "learners_filtered",
            [
                "/learners/?status=bounced&category=hard",
                "/learners/?domain=d7.example",
                "/learners/?category=soft&near_threshold=true",
            ],
        ),
        ("learner_profile", [f"/learners/{pk}/" for pk in profiles]),
        ("run_details", [f"/campaigns/runs/{biggest.pk}/"]),
        (
            "run_details_filtered",
            [f"/campaigns/runs/{biggest.pk}/?status=bounced", f"/campaigns/runs/{biggest.pk}/?category=block"],
        ),
        # A category about one send in a thousand has (unsubscribe: some 900 of the run's 1,000,000).
        ("run_details_rare_category", [f"/campaigns/runs/{biggest.pk}/?category=unsubscribe"]),
        ("run_details_deep_page", [f"/campaigns/runs/{biggest.pk}/?page={middle}"]),
        ("campaign", [f"/campaigns/{biggest.campaign_id}/"]),
        ("dashboard", ["/reports/"]),
        ("learner_report", ["/reports/dashboards/learners/"]),
        ("email_status_report", ["/reports/email-status/"]),
        ("admin_learners", ["/admin/contacts/learner/"]),
        ("admin_events", ["/admin/campaigns/bounceevent/", "/admin/campaigns/bounceevent/?category__exact=hard"]),
        ("admin_inbound", ["/admin/campaigns/inboundmessage/"]),
    ]


def _client(url):
    """A test client logged in as the bench organization's admin (portal) or a superuser (the Django admin)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = get_user_model().objects
    client = Client()
    if url.startswith("/admin/"):
        root = users.filter(username="bench-root").first() or users.create_superuser("bench-root", "root@x.example")
        client.force_login(root)
    else:
        client.force_login(users.get(username="bench-admin"))
    return client


DROP_CACHES = "/proc/sys/vm/drop_caches"


def os_cache_droppable() -> bool:
    """Whether this process may drop the OS page cache (root, and a writable /proc/sys/vm/drop_caches)."""
    return os.geteuid() == 0 and os.access(DROP_CACHES, os.W_OK)


def drop_os_cache() -> None:
    """Write the dirty pages out, then drop the clean page cache: the next reads come from the disk."""
    os.sync()
    with open(DROP_CACHES, "w") as f:
        f.write("1\n")


def cold_request(url, *, drop_os_cache_first=False):
    """Time ``url`` as the first page of a fresh server process: empty cache, statistics reset.

    Run in a child process (``--cold-url``). The process starts as a gunicorn worker does: it loads the WSGI
    entry point (``bounceportal.wsgi``, which warms the process up: URL tables, compiled templates), then
    only /healthz is requested before (as a server's health check does before traffic). ``pg_stat_reset()``
    and ``DISCARD ALL`` clear the server's statistics and this session's plans; PostgreSQL's shared buffers stay warm
    (restarting the shared server is not allowed on this machine). ``drop_os_cache_first``: the OS page cache is
    dropped last, just before the timed request (the process's own modules are read again too, as a server's are).
    """
    from django.core.cache import cache
    from django.db import connection

    import bounceportal.wsgi  # noqa: F401 (the server's entry point: what a worker runs before its first request)

    client = _client(url)
    client.get("/healthz")  # the URLconf and middleware imported, as a server's first health check does
    cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_reset()")
        cursor.execute("DISCARD ALL")
    if drop_os_cache_first:
        drop_os_cache()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        status = client.get(url).status_code
        elapsed = (time.perf_counter() - started) * 1000
    assert status == 200, (url, status)
    print(f"COLD {elapsed:.1f} {counter.count}")


def measure_cold(url, *, drop=False) -> tuple[float, int]:
    import subprocess

    command = [sys.executable, __file__, "--cold-url", url] + (["--drop"] if drop else [])
    out = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=True).stdout
    _, ms, queries = out.strip().splitlines()[-1].split()
    return float(ms), int(queries)


def measure_simple(org, requests) -> float:
    """p95 of the simplest page: one query for 50 learners through psycopg, joined into HTML by hand."""
    import html

    from django.db import connection

    raw = connection.connection
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        rows = raw.execute(
            "SELECT email, status, last_bounce_category FROM contacts_learner WHERE organization_id = %s "
            "ORDER BY id LIMIT 50",
            [org.pk],
        ).fetchall()
        "".join(f"<tr><td>{html.escape(e)}</td><td>{s}</td><td>{c}</td></tr>" for e, s, c in rows)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(times, n=20)[-1]


def measure_pages(org, args):
    from django.db import connection, reset_queries

    worst, worst_name, max_queries, cold_worst, cold_name = 0.0, "", 0, 0.0, ""
    drop = args.drop_os_cache and os_cache_droppable()
    if args.drop_os_cache and not drop:
        print(f"note: --drop-os-cache skipped (needs root and a writable {DROP_CACHES}): cold is os-warm", flush=True)
    cold_kind = "os-cold" if drop else "os-warm"
    print(f"cold kind: {cold_kind} (shared buffers warm in both)", flush=True)
    chosen = set(args.pages.split(",")) if args.pages else None
    for name, urls in pages(org):
        if chosen is not None and name not in chosen:
            continue
        cold, cold_queries = measure_cold(urls[0], drop=drop)
        client = _client(urls[0])
        for url in urls:  # warm-up: templates compiled
            assert client.get(url).status_code == 200, url
        times, queries = [], [cold_queries]
        for i in range(args.requests):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get(urls[i % len(urls)])
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            times.append(elapsed)
            queries.append(counter.count)
            reset_queries()
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{name:26} {cold_kind} cold={cold:7.1f} ms  p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  "
            f"max={max(times):7.1f} ms  queries={max(queries)}",
            flush=True,
        )
        if p95 > worst:
            worst, worst_name = p95, name
        if cold > cold_worst:
            cold_worst, cold_name = cold, name
        max_queries = max(max_queries, max(queries))
    simple = measure_simple(org, args.requests)
    export_ms, export_rows = measure_export(_client("/learners/"))
    print(f"{'simple_page':22} p95={simple:7.1f} ms (one psycopg query, 50 rows)", flush=True)
    print(f"{'csv_export':22} {export_rows} rows in {export_ms:.0f} ms", flush=True)
    from campaigns.models import Send

    sends = Send.objects.filter(organization=org).count()
    print(
        f"RESULT learners={args.learners} sends={sends} p95_ms_max={worst:.1f} worst_page={worst_name} "
        f"cold_ms_max={cold_worst:.0f} cold_kind={cold_kind} worst_cold_page={cold_name} max_queries={max_queries} "
        f"limit_ratio={worst / simple:.1f} csv_export_ms={export_ms:.0f} csv_rows={export_rows}"
    )


def measure_export(client):
    started = time.perf_counter()
    response = client.get(f"/learners/?domain={EXPORT_DOMAIN}&export=csv")
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    return (time.perf_counter() - started) * 1000, lines - 1


if __name__ == "__main__":
    sys.exit(main())
