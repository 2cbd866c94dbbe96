"""REST API and learner import at scale: p95 latency of the learners list and the events feed, import rows/s.

Run: .venv/bin/python bench/api.py [--learners N] [--requests N] [--import-rows N] [--refill]
Last line: RESULT learners=… api_p95_ms=… learners_p95_ms=… events_p95_ms=… import_rows_per_s=… limit_ratio=…
(targets: p95 < 100 ms at 1,000,000 learners; ≥ 5,000 rows/s for 100,000 rows).

The data is made with COPY (``_setup.copy_model_rows``: N learners over 200 domains, one in ten bounced, a
bounce event for every other learner), one organization per N (``bench-api-N``), reused while it has N
learners; the database may hold other organizations (as a shared one does), whose rows come first in id
order. Requests go through Django's test client with an API key, so the figures are the application's
own time (no network, no gunicorn).

The import is the portal's whole path over a CSV of ``--import-rows`` rows, half of them known learners
with a new department, half new addresses: upload (read the file), preview (plan every row), then the
worker's run (plan again against the learners as they are, write in chunks, the report). Its learners
are deleted afterwards, so the organization keeps N.

``limit_ratio`` = import rows/s ÷ the rows/s of the same upsert done the simplest fast way in the same
run: COPY of the same kind of rows into a temporary table and one INSERT … ON CONFLICT (lower(email),
organization) DO UPDATE, with no validation, preview, duplicate check or report (1.0 would be as fast as
raw COPY). ``cursor_vs_offset`` compares the 50th page of the learners list by cursor with the same page
by OFFSET. ``api_cpu_p95_ms`` and ``import_cpu_rows_per_s`` are the same figures in this process's
CPU time, which a shared machine's load does not stretch (the database server's work is not in them).
"""

import argparse
import statistics
import time

from _setup import column_defaults, copy_model_rows, setup_django

ORG_SLUG = "bench-api"
IMPORT_DOMAIN = "import.example"
FIELDS = ["email", "first_name", "last_name", "department"]


def fill(n: int):
    """Delete the bench organization of ``n`` learners and COPY a new one with its learners and bounce events."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent
    from contacts.models import Learner, Membership, Organization
    from contacts.services import create_organization

    slug = org_slug(n)
    with retention_path():
        Organization.objects.filter(slug=slug).delete()
    org = create_organization(name=f"Bench API {n}", slug=slug)
    user, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, organization=org, role="admin")
    now = timezone.now()
    copy_model_rows(
        Learner,
        ["organization_id", "email", "first_name", "last_name", "status", "last_bounce_category", "updated_at"],
        (
            (
                org.pk,
                f"learner{i}@d{i % 200}.example",
                "Ada",
                "Lovelace",
                "bounced" if i % 10 == 0 else "active",
                "hard" if i % 10 == 0 else ("soft" if i % 2 else ""),
                now - timedelta(minutes=i % 50_000),
            )
            for i in range(n)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, email FROM contacts_learner WHERE organization_id = %s ORDER BY id", [org.pk])
        ids = cursor.fetchall()
    copy_model_rows(
        BounceEvent,
        ["organization_id", "learner_id", "address", "category", "subtype", "reason", "occurred_at"],
        (
            (
                org.pk,
                pk,
                email,
                "hard" if k % 5 == 0 else "soft",
                "address_unknown" if k % 5 == 0 else "mailbox_full",
                "userunknown" if k % 5 == 0 else "mailboxfull",
                now - timedelta(minutes=k),
            )
            for k, (pk, email) in enumerate(ids[::2])
        ),
    )
    with connection.cursor() as cursor:
        for table in ("contacts_learner", "campaigns_bounceevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return org


def org_slug(n: int) -> str:
    """One organization per size, so switching --learners reuses each filled set."""
    return f"{ORG_SLUG}-{n}"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


CPU_MS: list[float] = []  # this process's CPU time of each timed request (the machine's load does not stretch it)


def timed_get(client, url, headers) -> tuple[float, dict]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed, response.json()


def deep_cursor(client, url, headers, pages: int) -> str:
    """The URL of the ``pages``-th page, following next links."""
    for _ in range(pages):
        _ms, body = timed_get(client, url, headers)
        if not body["next"]:
            break  # a small data set has fewer pages
        url = body["next"].replace("http://testserver", "")
    return url


def measure_api(org, requests: int) -> dict[str, list[float]]:
    from django.test import Client

    from reports.api.keys import create_api_key

    settings_override()
    _key, raw = create_api_key(organization=org, name="bench", scope="read", can_clear=False, created_by=None)
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    deep_learners = deep_cursor(client, "/api/v1/learners/?page_size=100", headers, 50)
    deep_events = deep_cursor(client, "/api/v1/events/?page_size=100", headers, 50)
    urls = {
        "learners": [
            "/api/v1/learners/",
            "/api/v1/learners/?status=bounced",
            "/api/v1/learners/?category=hard",
            "/api/v1/learners/?domain=d7.example",
            "/api/v1/learners/?updated_since=2026-11-01T00:00:00Z",
            deep_learners,
        ],
        "events": [
            "/api/v1/events/",
            "/api/v1/events/?since=2026-11-01T00:00:00Z",
            "/api/v1/events/?category=block",
            deep_events,
        ],
    }
    samples: dict[str, list[float]] = {}
    for name, cycle in urls.items():
        for url in cycle:  # warm-up: first request per URL pays Django's and PostgreSQL's caches
            timed_get(client, url, headers)
        CPU_MS.clear()
        samples[name] = [timed_get(client, cycle[i % len(cycle)], headers)[0] for i in range(requests)]
        samples[f"{name}_cpu"] = list(CPU_MS)
        worst = {url: max(timed_get(client, url, headers)[0] for _ in range(3)) for url in cycle}
        print(
            f"{name}: p95 {p95(samples[name]):.1f} ms; slowest URLs {sorted(worst.items(), key=lambda kv: -kv[1])[:2]}"
        )
    return samples


def settings_override():
    from django.conf import settings

    settings.API_RATE_LIMIT = "1000000/min"  # the bench measures latency, not the limit
    settings.ALLOWED_HOSTS = ["testserver"]


def offset_page_ms(org, page: int) -> tuple[float, float]:
    """(cursor ms, OFFSET ms) for the same page of 100 learners in id order."""
    from contacts.models import Learner

    learners = Learner.objects.filter(organization=org).order_by("id")
    last_id = learners.values_list("id", flat=True)[page * 100 - 1]
    started = time.perf_counter()
    list(learners.filter(id__gt=last_id)[:101])
    cursor_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    list(learners[page * 100 : page * 100 + 101])
    return cursor_ms, (time.perf_counter() - started) * 1000


def import_rows(org, rows: int, tag: str) -> list[tuple[str, str, str, str]]:
    """``rows`` rows (email, first, last, department): half known learners of ``org`` with a department new to
    them (``tag``), half addresses new to the organization."""
    from contacts.models import Learner

    known = list(Learner.objects.filter(organization=org).order_by("id").values_list("email", flat=True)[: rows // 2])
    return [(email, "Known", "Learner", tag) for email in known] + [
        (f"new{n}.{tag}@{IMPORT_DOMAIN}", "New", "Learner", tag) for n in range(rows - len(known))
    ]


def as_csv(rows) -> bytes:
    return ("email,first name,last name,department\n" + "".join(",".join(row) + "\n" for row in rows)).encode()


def measure_import(org, rows: int) -> tuple[float, float, float]:
    """(seconds of upload + preview + import, seconds of the import step, this process's CPU seconds for
    both) for ``rows`` rows through the portal's path: read the file, plan every row for the preview, plan
    again and write in chunks (the worker's path). The CPU seconds leave out the database server's work;
    on a shared machine they say what the wall clock cannot."""
    from django.contrib.auth import get_user_model

    from contacts.learner_import import preview_import, start_import
    from contacts.learner_import_runner import process_import
    from contacts.models import LearnerImport

    user = get_user_model().objects.get(username="bench-admin")
    data = as_csv(import_rows(org, rows, f"imported{time.time_ns()}"))
    started, cpu = time.perf_counter(), time.process_time()
    job = start_import(organization=org, created_by=user, file_name="bench.csv", data=data)
    job = preview_import(job=job, mapping=job.mapping)
    LearnerImport.objects.filter(pk=job.pk).update(status="queued")  # what confirm_import does before the worker
    imported = time.perf_counter()
    job = process_import(job_id=job.pk)
    finished = time.perf_counter()
    assert job.status == "done", job.error
    assert job.counts["new"] + job.counts["updated"] == rows, job.counts
    print(
        f"import of {rows} rows: {job.counts}; upload + preview {imported - started:.1f} s, import {finished - imported:.1f} s"
    )
    return finished - started, finished - imported, time.process_time() - cpu


def measure_raw_copy(org, rows: int) -> float:
    """Seconds to do the same upsert the simplest fast way: COPY the rows into a temporary table, then one
    INSERT … ON CONFLICT (lower(email), organization) DO UPDATE (no validation, no preview, no report)."""
    from django.db import connection, transaction

    from contacts.models import Learner

    lines = import_rows(org, rows, f"copied{time.time_ns()}")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_rows ({', '.join(f + ' text' for f in FIELDS)}) ON COMMIT DROP")
        with cursor.copy("COPY bench_rows FROM STDIN") as copy:
            for row in lines:
                copy.write_row(row)
        defaults = column_defaults(Learner, ["organization", *FIELDS])
        cursor.execute(
            f"INSERT INTO contacts_learner (organization_id, {', '.join(FIELDS)}, {', '.join(defaults)}) "
            f"SELECT %s, {', '.join(FIELDS)}, {', '.join(['%s'] * len(defaults))} FROM bench_rows "
            "ON CONFLICT ((lower(email)), organization_id) DO UPDATE SET first_name = EXCLUDED.first_name, "
            "last_name = EXCLUDED.last_name, department = EXCLUDED.department",
            [org.pk, *defaults.values()],
        )
        assert cursor.rowcount == rows, cursor.rowcount
    return time.perf_counter() - started


def forget_imported(org) -> None:
    """Delete the learners the import and the raw COPY added, so the organization keeps its N learners."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM contacts_learner WHERE organization_id = %s AND email LIKE %s", [org.pk, f"%@{IMPORT_DOMAIN}"]
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    setup_django()
    from contacts.models import Learner, Organization

    org = Organization.objects.filter(slug=org_slug(args.learners)).first()
    if org is not None:
        forget_imported(org)  # a run cut short left its imported learners
    if args.refill or org is None or Learner.objects.filter(organization=org).count() != args.learners:
        started = time.perf_counter()
        org = fill(args.learners)
        print(f"filled {args.learners} learners in {time.perf_counter() - started:.0f} s", flush=True)
    samples = measure_api(org, args.requests)
    cursor_ms, offset_ms = offset_page_ms(org, min(500, args.learners // 200))
    try:
        import_s, write_s, cpu_s = measure_import(org, args.import_rows)
        copy_s = measure_raw_copy(org, args.import_rows)
    finally:
        forget_imported(org)
    api_p95 = max(p95(samples[name]) for name in ("learners", "events"))
    cpu_p95 = max(p95(samples[name]) for name in ("learners_cpu", "events_cpu"))
    rate, copy_rate = args.import_rows / import_s, args.import_rows / copy_s
    print(
        f"RESULT learners={args.learners} api_p95_ms={api_p95:.1f} learners_p95_ms={p95(samples['learners']):.1f} "
        f"events_p95_ms={p95(samples['events']):.1f} api_cpu_p95_ms={cpu_p95:.1f} import_rows={args.import_rows} import_rows_per_s={rate:.0f} "
        f"import_write_rows_per_s={args.import_rows / write_s:.0f} import_cpu_rows_per_s={args.import_rows / cpu_s:.0f} "
        f"raw_copy_rows_per_s={copy_rate:.0f} "
        f"cursor_vs_offset={offset_ms / max(cursor_ms, 0.001):.1f} limit_ratio={rate / copy_rate:.3f}"
    )


if __name__ == "__main__":
    main()
