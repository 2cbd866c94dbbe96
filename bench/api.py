"""REST API and learner import at scale: p95 latency of the learners list and the events feed, import rows/s.

Run: .venv/bin/python bench/api.py [--learners N] [--requests N] [--import-rows N] [--refill]
Last line: RESULT learners=… api_p95_ms=… learners_p95_ms=… events_p95_ms=… import_rows_per_s=… limit_ratio=…

The data is made here with bulk_create (N learners over 200 domains, one in ten bounced, a bounce
event for every other learner) and reused when the organization already has N learners. Requests go through Django's test client with an
API key, so the figures are the application's own time (no network, no gunicorn). The import is
the portal's path (read the file, plan every row, write it in chunks) over a CSV of
``--import-rows`` rows, half of them new addresses, half known addresses with a changed name.

``limit_ratio`` compares the import with the simplest way of doing the same upsert: one
``update_or_create`` per row through the ORM, timed on a sample of the same rows
(ratio = our rows/s ÷ the simple way's rows/s). ``cursor_vs_offset`` compares the 50th page of the
learners list by cursor with the same page by OFFSET.
"""

import argparse
import statistics
import time

from _setup import setup_django

SAMPLE_SIMPLE = 2_000
ORG_SLUG = "bench-api"
BATCH = 5_000


def fill(n: int):
    """Delete the bench organization and make one with ``n`` learners and their bounce events."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent
    from contacts.models import Learner, Membership, Organization
    from contacts.services import create_organization

    with retention_path():
        Organization.objects.filter(slug=ORG_SLUG).delete()
    org = create_organization(name="Bench API", slug=ORG_SLUG)
    user, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, organization=org, role="admin")
    now = timezone.now()
    for start in range(0, n, BATCH):
        Learner.objects.bulk_create(
            Learner(
                organization=org,
                email=f"learner{i}@d{i % 200}.example",
                first_name="Ada",
                last_name="Lovelace",
                status="bounced" if i % 10 == 0 else "active",
                last_bounce_category="hard" if i % 10 == 0 else ("soft" if i % 2 else ""),
                updated_at=now - timedelta(minutes=i % 50_000),
            )
            for i in range(start, min(n, start + BATCH))
        )
    ids = list(Learner.objects.filter(organization=org).order_by("id").values_list("id", "email"))
    events = [
        BounceEvent(
            organization=org,
            learner_id=pk,
            address=email,
            category="hard" if k % 5 == 0 else "soft",
            subtype="address_unknown" if k % 5 == 0 else "mailbox_full",
            reason="userunknown" if k % 5 == 0 else "mailboxfull",
            occurred_at=now - timedelta(minutes=k),
        )
        for k, (pk, email) in enumerate(ids[::2])
    ]
    for start in range(0, len(events), BATCH):
        BounceEvent.objects.bulk_create(events[start : start + BATCH])
    with connection.cursor() as cursor:
        for table in ("contacts_learner", "campaigns_bounceevent"):
            cursor.execute(f"ANALYZE {table}")
    return org


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def timed_get(client, url, headers) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
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

    from api.keys import create_api_key

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
        samples[name] = [timed_get(client, cycle[i % len(cycle)], headers)[0] for i in range(requests)]
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


def import_file(org, rows: int) -> bytes:
    """CSV of ``rows`` rows: half known learners of ``org`` with a new department, half new addresses."""
    from contacts.models import Learner

    known = list(Learner.objects.filter(organization=org).order_by("id").values_list("email", flat=True)[: rows // 2])
    lines = ["email,first name,last name,department"]
    lines += [f"{email},Known,Learner,Imported {rows}" for email in known]
    lines += [f"new{n}.{rows}@import.example,New,Learner,Imported" for n in range(rows - len(known))]
    return ("\n".join(lines) + "\n").encode()


def measure_import(org, rows: int) -> tuple[float, float, float]:
    """(rows/s of upload + preview + import, rows/s of the import step, rows/s of the simple way)."""
    from django.contrib.auth import get_user_model

    from contacts.learner_import import confirm_import, preview_import, start_import
    from contacts.learner_import_runner import process_import
    from contacts.models import Learner, LearnerImport

    user = get_user_model().objects.get(username="bench-admin")
    data = import_file(org, rows)
    started = time.perf_counter()
    job = start_import(organization=org, created_by=user, file_name="bench.csv", data=data)
    job = preview_import(job=job, mapping=job.mapping)
    LearnerImport.objects.filter(pk=job.pk).update(status="queued")
    imported = time.perf_counter()
    job = process_import(job_id=job.pk)
    finished = time.perf_counter()
    assert job.status == "done", job.error
    print(
        f"import of {rows} rows: {job.counts}; preview {imported - started:.1f} s, import {finished - imported:.1f} s"
    )
    del confirm_import  # the bench calls the runner directly: the worker's path, without Celery

    # The simple way, on the same kind of rows: one update_or_create per row (a new sample of addresses).
    sample = [line.split(",") for line in import_file(org, SAMPLE_SIMPLE).decode().splitlines()[1:]]
    simple_started = time.perf_counter()
    for email, first, last, department in sample:
        Learner.objects.update_or_create(
            organization=org,
            email__iexact=email,
            defaults={"first_name": first, "last_name": last, "department": department},
            create_defaults={"email": email, "first_name": first, "last_name": last, "department": department},
        )
    simple = len(sample) / (time.perf_counter() - simple_started)
    return rows / (finished - started), rows / (finished - imported), simple


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    setup_django()
    from contacts.models import Learner, Organization

    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if args.refill or org is None or Learner.objects.filter(organization=org).count() != args.learners:
        started = time.perf_counter()
        org = fill(args.learners)
        print(f"filled {args.learners} learners in {time.perf_counter() - started:.0f} s", flush=True)
    samples = measure_api(org, args.requests)
    cursor_ms, offset_ms = offset_page_ms(org, min(500, args.learners // 200))
    total_rate, import_rate, simple_rate = measure_import(org, args.import_rows)
    api_p95 = max(p95(values) for values in samples.values())
    print(
        f"RESULT learners={args.learners} api_p95_ms={api_p95:.1f} learners_p95_ms={p95(samples['learners']):.1f} "
        f"events_p95_ms={p95(samples['events']):.1f} import_rows_per_s={total_rate:.0f} "
        f"import_write_rows_per_s={import_rate:.0f} simple_rows_per_s={simple_rate:.0f} "
        f"cursor_vs_offset={offset_ms / max(cursor_ms, 0.001):.1f} limit_ratio={total_rate / simple_rate:.2f}"
    )


if __name__ == "__main__":
    main()
