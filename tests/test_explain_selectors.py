"""No page reads sends or bounce events with a sequential scan: every query is checked with EXPLAIN (FORMAT JSON).

The database is seeded once for the module with bench/pages.py's COPY fill (SEED_LEARNERS learners, ten
runs that each sent to every learner, about one bounce event per learner), vacuumed and analyzed, so the
planner costs the tables as it would a large one: a sequential scan it picks here is one it would pick at
10,000,000 sends. Each page is requested with the cache cleared, its queries are captured, and every query
that reads ``campaigns_send`` or ``campaigns_bounceevent`` is explained. ``test_the_check_sees_dropped_indexes``
drops the bounce events' indexes (in a transaction rolled back after) and shows that the same check then fails.
"""

import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bounceportal.audit import retention_path
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEED_LEARNERS = 20_000
BIG_TABLES = {"campaigns_send", "campaigns_bounceevent"}
SEEDED_TABLES = (
    "campaigns_bounceevent",
    "contacts_clearance",
    "campaigns_send",
    "campaigns_campaignrun",
    "campaigns_campaign",
    "contacts_learner",
    # The fill rebuilt the counters; TRUNCATE fires no trigger, so their rows go with the source rows.
    "campaigns_runcounter",
    "campaigns_orgdaycounter",
    "contacts_learnercounter",
    "contacts_learnerdaycounter",
)


def _bench_pages():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import pages  # bench/pages.py: the same fill the page benchmark measures

    return pages


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The bench organization with SEED_LEARNERS learners, committed for the module and removed after it."""
    with django_db_blocker.unblock():
        bench = _bench_pages()
        org = bench.fill(SEED_LEARNERS)
        yield org, bench
        with retention_path(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(SEEDED_TABLES)} CASCADE")
        org.delete()


# (URL, table) scans the planner picks only at this test's scale. The Email Status Report joins the month's
# events to their sends: with 200,000 sends a hash join over all of them is cheaper, with bench/pages.py's
# 10,000,000 it is a nested loop on campaigns_send_pkey (EXPLAIN on that database, docs/scaling.md).
SMALL_SCALE_ONLY = {("/reports/email-status/", "campaigns_send")}
# Known full scans ({table: [SQL fragments]}), each with a test below marked xfail(strict) that passes (and
# so fails the suite) once it is gone, so the entry cannot outlive the scan. None now: the run's engagement
# summary, which read every bounce event through a hashed SubPlan, comes from the counters (migration 0025).
KNOWN_SCANS: dict[str, list[str]] = {}


def page_urls(org, bench):
    """Every portal page and admin list that reads sends or bounce events, with its main filters."""
    from campaigns.models import CampaignRun

    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()
    urls = [url for _name, group in bench.pages(org) for url in group[:3]]
    more = [
        f"/campaigns/runs/{run.pk}/?page=3",
        "/campaigns/",
        "/admin/contacts/learner/?q=learner17%40d17.example",
        "/admin/campaigns/send/",
    ]
    return list(dict.fromkeys([*urls, *more]))


# Nodes that read all of their input before they return a row: a LIMIT above one of them does not stop
# the scan below it.
BLOCKING = {"Sort", "Incremental Sort", "Aggregate", "Hash", "Materialize", "SetOp", "WindowAgg", "Gather Merge"}


def sequential_scans(plan: dict, *, limited: bool = False) -> list[str]:
    """Return the big tables this plan (EXPLAIN FORMAT JSON's node tree) reads whole with a sequential scan.

    A sequential scan that streams into a LIMIT (no sort or aggregate between them) stops after that many
    rows, as the admin's bounded count ``SELECT COUNT(*) FROM (... LIMIT 10001)`` does: it is not a full read.
    """
    node = plan.get("Node Type")
    if node == "Limit":
        limited = True
    elif node in BLOCKING:
        limited = False
    found = (
        [plan["Relation Name"]]
        if node == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES and not limited
        else []
    )
    for child in plan.get("Plans", ()):
        found += sequential_scans(child, limited=limited)
    return found


def _known(table: str, sql: str) -> bool:
    return any(fragment in sql for fragment in KNOWN_SCANS.get(table, ()))


def scans_of_pages(client, urls, *, known: bool = False) -> dict[str, list[str]]:
    """Request each URL (cache cleared) and return {url: ["<table>: <sql>", ...]} for the sequential scans
    (those of KNOWN_SCANS only when ``known``)."""
    offenders: dict[str, list[str]] = {}
    for url in urls:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or not any(t in sql for t in BIG_TABLES):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]["Plan"]
            for table in sequential_scans(plan):
                if (url, table) in SMALL_SCALE_ONLY or (_known(table, sql) and not known):
                    continue
                offenders.setdefault(url, []).append(f"{table}: {sql[:1500]}")
    return offenders


def report(offenders) -> str:
    return "sequential scans:\n" + "\n".join(f"{url}\n    {sql}" for url, sqls in offenders.items() for sql in sqls)


@pytest.fixture
def portal_client(client, seeded):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench-admin"))
    return client


@pytest.fixture
def superuser_client(client, seeded):
    client.force_login(UserFactory(username="explain-root", is_staff=True, is_superuser=True))
    return client


def test_no_portal_page_reads_sends_or_events_with_a_sequential_scan(portal_client, seeded):
    org, bench = seeded
    urls = [url for url in page_urls(org, bench) if not url.startswith("/admin/")]

    offenders = scans_of_pages(portal_client, urls)

    assert offenders == {}, report(offenders)


def test_no_admin_list_reads_sends_or_events_with_a_sequential_scan(superuser_client, seeded):
    org, bench = seeded
    urls = [url for url in page_urls(org, bench) if url.startswith("/admin/")]

    offenders = scans_of_pages(superuser_client, urls)

    assert offenders == {}, report(offenders)


def test_the_run_details_and_their_flag_filter_read_events_through_an_index(portal_client, seeded):
    from campaigns.models import CampaignRun

    org, _bench = seeded
    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()

    urls = [f"/campaigns/runs/{run.pk}/", f"/campaigns/runs/{run.pk}/?flag=opened_after_bounce"]

    offenders = scans_of_pages(portal_client, urls, known=True)

    assert offenders == {}, report(offenders)


def test_the_check_sees_dropped_indexes(portal_client, seeded):
    from contacts.models import Learner

    org, _bench = seeded
    learner = Learner.objects.filter(organization=org, bounce_count__gt=0).order_by("pk").first()
    url = f"/learners/{learner.pk}/"

    with transaction.atomic():
        with connection.cursor() as cursor:
            # One index alone is not enough to show it: the planner finds another way in through the
            # others (the profile's events by learner through (organization, id), for one). So all but the key.
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'campaigns_bounceevent'::regclass AND NOT x.indisprimary"
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{index}"')
        offenders = scans_of_pages(portal_client, [url])
        transaction.set_rollback(True)

    assert "campaigns_bounceevent: SELECT" in " ".join(offenders.get(url, [])), offenders


def plan_nodes(plan: dict):
    """Every node of an EXPLAIN (FORMAT JSON) plan tree."""
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)


def page_query_plans(client, url, table: str, params) -> list[tuple[str, dict]]:
    """(sql, plan) of the queries of ``url`` that read ``table`` one page at a time (a LIMIT of a page + 1)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    found = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if f'FROM "{table}"' in sql and "LIMIT 51" in sql:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                found.append((sql, cursor.fetchone()[0][0]["Plan"]))
    return found


def test_a_deep_keyset_page_is_an_index_range_without_an_offset(portal_client, seeded):
    from bounceportal.keyset import NEXT, make_cursor
    from campaigns.models import CampaignRun, Send
    from contacts.models import Learner

    org, _bench = seeded
    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()
    sends = Send.objects.filter(run=run).order_by("email", "id").values_list("email", "id")
    deep_send = sends[int(SEED_LEARNERS * 0.9)]
    deep_learner = Learner.objects.filter(organization=org).order_by("email").values_list("email", flat=True)
    pages = [
        (f"/campaigns/runs/{run.pk}/", "campaigns_send", "campaigns.tables.SendTable:email,id", list(deep_send)),
        ("/learners/", "contacts_learner", "contacts.tables.LearnerTable:email", [deep_learner[SEED_LEARNERS - 100]]),
    ]

    for url, table, salt, boundary in pages:
        cursor = make_cursor(f"keyset:{salt}", NEXT, boundary)
        plans = page_query_plans(portal_client, url, table, {"cursor": cursor})

        assert plans, f"no page query of {table} on {url}"
        for sql, plan in plans:
            scans = [node for node in plan_nodes(plan) if node.get("Relation Name") == table]
            assert "OFFSET" not in sql
            assert scans and all(node["Node Type"] in ("Index Scan", "Index Only Scan") for node in scans), sql


def scans_of_the_query(client, url, params, start: str, table: str) -> list[tuple[str, str | None]]:
    """(node type, index) of each scan of ``table`` in the plan of the one query of ``url`` that starts with ``start``."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200, url
    found = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(start)]
    assert len(found) == 1, [q["sql"][:200] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + found[0])
        plan = cursor.fetchone()[0][0]["Plan"]
    return [
        (node["Node Type"], node.get("Index Name")) for node in plan_nodes(plan) if node.get("Relation Name") == table
    ]


def test_the_near_threshold_learners_of_a_category_are_counted_from_an_index_alone(portal_client, seeded):
    """The learner list's ``near_threshold`` filter with a category counts its matches (up to the cap) from
    learner_org_active_soft_cat without reading a learner row (contacts 0026): through the soft-count index
    it read every learner past the lowest floor from the table (240,000 at a million learners)."""
    scans = scans_of_the_query(
        portal_client,
        "/learners/",
        {"category": "soft", "near_threshold": "true"},
        "SELECT COUNT(*)",
        "contacts_learner",
    )

    assert scans == [("Index Only Scan", "learner_org_active_soft_cat")], scans


def test_a_rare_category_of_the_run_details_is_one_range_of_the_runs_events(portal_client, seeded):
    """``?category=unsubscribe`` (a send in a thousand) starts from the run's events of that category
    (event_run_category, campaigns/migrations/0029), not from the run's sends in address order each probed for
    its events: that walk read 240,000 sends for a first page at 1,000,000 (bench/pages.py, run_details_rare_category).
    The events' send ids are read first, in a query of their own, from that index alone (no heap page of the events)."""
    from campaigns.models import CampaignRun

    org, _bench = seeded
    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()

    scans = scans_of_the_query(
        portal_client,
        f"/campaigns/runs/{run.pk}/",
        {"category": "unsubscribe"},
        'SELECT COALESCE(ARRAY_AGG(DISTINCT "campaigns_bounceevent"."send_id"',
        "campaigns_bounceevent",
    )

    assert scans == [("Index Only Scan", "event_run_category")], scans


def test_a_rare_categorys_sends_are_read_by_one_bitmap_heap_scan_of_the_primary_key(portal_client, seeded):
    """Its sends are then read in heap order, their pages prefetched, by one Bitmap Heap Scan over a BitmapOr
    of the primary key (campaigns/filters.py, ``sends_by_block``), not by an Index Scan reading one heap page
    after the other, nor by the run's sends in address order (send_run_email). With neither PostgreSQL's nor
    the OS's cache holding them, the 903 sends of a 1,000,000-send run took 182 ms that way, 36-88 ms this one."""
    from campaigns.models import CampaignRun

    org, _bench = seeded
    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()
    with connection.cursor() as cursor:
        cursor.execute("SHOW effective_io_concurrency")
        assert int(cursor.fetchone()[0]) > 1  # bounceportal/env.py: the bitmap scan prefetches

    plans = page_query_plans(portal_client, f"/campaigns/runs/{run.pk}/", "campaigns_send", {"category": "unsubscribe"})

    assert plans, "no page query of the run's sends"
    for sql, plan in plans:
        nodes = list(plan_nodes(plan))
        heap = [node["Node Type"] for node in nodes if node.get("Relation Name") == "campaigns_send"]
        send_indexes = {
            node.get("Index Name")
            for node in nodes
            if node.get("Index Name", "").startswith(("send_", "campaigns_send"))
        }
        assert heap == ["Bitmap Heap Scan"], sql
        assert "BitmapOr" in [node["Node Type"] for node in nodes], sql
        assert send_indexes == {"campaigns_send_pkey"}, sql
