"""Deep pages: a keyset page against an OFFSET page at the same depth of a run's send table.

    BENCH_DATABASE_URL=postgres://…/db .venv/bin/python bench/pagination.py [--learners 100000] [--depth 0.9]

Uses bench/pages.py's COPY fill (``--learners`` learners, ten runs that each sent to all of them: 1,000,000
sends at the default), reused when the database already holds it. Then, on the newest run, the page of 50
sends that starts ``--depth`` of the way through it in address order is fetched three ways, each
``--repeat`` times (median):

- ``deep_page_ms``: through ``bounceportal.keyset.keyset_page`` with the cursor the previous page's Next
  link carries (the run details' table query, model instances included);
- ``offset_page_ms``: the same queryset sliced ``[offset:offset + 51]`` (what the page-number pager did);
- ``raw_keyset_ms``: the simplest form of the keyset query, raw SQL through psycopg (one row comparison).

``limit_ratio`` = deep_page_ms / raw_keyset_ms (ours against the simplest way); ``offset_ratio`` =
offset_page_ms / deep_page_ms.
"""

import argparse
import statistics
import sys
import time

from _setup import raw_connection, setup_django

PER_PAGE = 50


def median_ms(fn, repeat: int) -> float:
    fn()  # warm: plans and buffers, so each way is measured the same
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--depth", type=float, default=0.9)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    import pages

    from bounceportal.keyset import NEXT, key_of, keyset_page, make_cursor
    from campaigns.models import CampaignRun, Send
    from contacts.models import Learner, Organization

    org = Organization.objects.filter(slug=pages.ORG_SLUG).first()
    if org is None or Learner.objects.filter(organization=org).count() != args.learners:
        started = time.perf_counter()
        org = pages.fill(args.learners)
        print(f"filled {args.learners} learners in {time.perf_counter() - started:.0f} s", flush=True)
    run = CampaignRun.objects.filter(organization=org).order_by("-created_at").first()
    sends = Send.objects.filter(run=run, organization=org)
    total_sends = Send.objects.filter(organization=org).count()
    offset = int(sends.count() * args.depth)
    ordered = sends.order_by("email", "id")
    boundary = ordered.values_list("email", "id")[offset - 1]  # the previous page's last row, found once
    key, salt = key_of("email", "id"), "bench"
    cursor = make_cursor(salt, NEXT, list(boundary))

    def keyset():
        page = keyset_page(sends, key=key, per_page=PER_PAGE, cursor=cursor, salt=salt)
        assert len(page.object_list) == PER_PAGE

    def offset_page():
        assert len(list(ordered[offset : offset + PER_PAGE + 1])) == PER_PAGE + 1

    with raw_connection() as conn:

        def raw():
            rows = conn.execute(
                "SELECT * FROM campaigns_send WHERE run_id = %s AND organization_id = %s AND (email, id) > (%s, %s) "
                "ORDER BY email, id LIMIT %s",
                [run.pk, org.pk, *boundary, PER_PAGE + 1],
            ).fetchall()
            assert len(rows) == PER_PAGE + 1

        raw_ms = median_ms(raw, args.repeat)
    deep_ms = median_ms(keyset, args.repeat)
    offset_ms = median_ms(offset_page, args.repeat)
    print(
        f"RESULT sends={total_sends} run_sends={sends.count()} offset={offset} deep_page_ms={deep_ms:.1f} "
        f"offset_page_ms={offset_ms:.1f} raw_keyset_ms={raw_ms:.1f} offset_ratio={offset_ms / deep_ms:.1f} "
        f"limit_ratio={deep_ms / raw_ms:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
