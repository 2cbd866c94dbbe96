"""Run details: status chart, left-out learners, allowlisting alert, the send table and its "i" panels."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import SendStatus
from campaigns.services.policy import apply_bounce_event
from tests.factories import (
    BLOCK,
    UNSUBSCRIBE,
    BounceEventFactory,
    CampaignRunFactory,
    InboundMessageFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db


def run_page(client, run, **params):
    return client.get(reverse("campaigns:run-detail", args=[run.pk]), params)


def sends(run, count, domain="school.example", **kwargs):
    return [SendFactory(run=run, learner__email=f"r{run.pk}-{domain}-{i}@{domain}", **kwargs) for i in range(count)]


@pytest.fixture
def run(org):
    return CampaignRunFactory(
        campaign__organization=org, campaign__name="Phish test", left_out={"bounced": 3, "unsubscribed": 1}
    )


def test_chart_shows_the_count_of_each_status_with_an_accessible_title(admin_client, run):
    sends(run, 3, status=SendStatus.DELIVERED)
    sends(run, 2, domain="other.example", status=SendStatus.BOUNCED)

    body = run_page(admin_client, run).content.decode()

    assert '<svg class="bar-chart"' in body
    assert f'<title id="status-chart-title">Sends of run {run.pk} by status</title>' in body
    assert "Delivered: 3" in body and "Bounced: 2" in body
    assert '<text class="bar-value"' in body


def test_left_out_learners_are_listed_by_reason(admin_client, run):
    sends(run, 2, status=SendStatus.SKIPPED, skip_reason="bounced")

    body = run_page(admin_client, run).content.decode()

    assert "Bounced</dt><dd>3</dd>" in body
    assert "See the 2 skipped learners" in body


def test_allowlisting_alert_names_the_blocking_domain(admin_client, run):
    blocked = sends(run, 3, domain="filtered.example", status=SendStatus.SENT)
    sends(run, 7, status=SendStatus.DELIVERED)
    for send in blocked:
        apply_bounce_event(event=BounceEventFactory(send=send, remote_mta="gw.filtered.example", **BLOCK))

    body = run_page(admin_client, run).content.decode()

    assert "Review your allowlisting for filtered.example" in body
    assert "Review your allowlisting for gw.filtered.example" in body
    assert "blocked 3 of the run's 10 sends (30%" in body


def test_no_allowlisting_alert_below_the_policys_share(admin_client, run):
    blocked = sends(run, 1, domain="filtered.example")
    sends(run, 9, status=SendStatus.DELIVERED)
    apply_bounce_event(event=BounceEventFactory(send=blocked[0], **BLOCK))

    body = run_page(admin_client, run).content.decode()

    assert "Review your allowlisting" not in body


def test_table_filters_sends_by_bounce_category_and_status(admin_client, run):
    hard = sends(run, 1, domain="hard.example")[0]
    apply_bounce_event(event=BounceEventFactory(send=hard))
    delivered = sends(run, 1, status=SendStatus.DELIVERED)[0]

    by_category = run_page(admin_client, run, category="hard").content.decode()
    by_status = run_page(admin_client, run, status="delivered").content.decode()

    assert hard.email in by_category and delivered.email not in by_category
    assert delivered.email in by_status and hard.email not in by_status


def test_a_rare_category_lists_the_runs_sends_with_a_current_event_of_it(admin_client, run):
    """Two unsubscribes among 40 sends: found from the run's events of that category (one index range on
    PostgreSQL, campaigns/filters.py) rather than by probing every send's events; the same sends either way."""
    quiet = sends(run, 36, status=SendStatus.DELIVERED)
    asked = sends(run, 2, domain="asked.example", status=SendStatus.DELIVERED)
    hard = sends(run, 2, domain="hard.example")
    for send in asked:
        apply_bounce_event(event=BounceEventFactory(send=send, **UNSUBSCRIBE))
    for send in hard:
        apply_bounce_event(event=BounceEventFactory(send=send))
    elsewhere = CampaignRunFactory(campaign=run.campaign)
    other = sends(elsewhere, 1, domain="asked.example")[0]
    apply_bounce_event(event=BounceEventFactory(send=other, **UNSUBSCRIBE))

    with CaptureQueriesContext(connection) as captured:
        body = run_page(admin_client, run, category="unsubscribe").content.decode()

    assert all(send.email in body for send in asked)
    assert not any(send.email in body for send in [*quiet, *hard, other])
    # The events' own run_id (a query of their send ids first), not the sends' run.
    from_events = [q["sql"] for q in captured.captured_queries if '"campaigns_bounceevent"."run_id" = ' in q["sql"]]
    assert bool(from_events) == (connection.vendor == "postgresql")


def test_a_rare_category_with_more_events_than_a_query_lists_reads_them_as_a_subquery(admin_client, run, monkeypatch):
    """Past LISTED_SENDS send ids (counters far behind the events) the sends are matched against the events in
    the database rather than listed as values; the same sends either way."""
    from campaigns import filters

    monkeypatch.setattr(filters, "LISTED_SENDS", 1)
    quiet = sends(run, 5, status=SendStatus.DELIVERED)
    asked = sends(run, 3, domain="asked.example", status=SendStatus.DELIVERED)
    for send in asked:
        apply_bounce_event(event=BounceEventFactory(send=send, **UNSUBSCRIBE))

    with CaptureQueriesContext(connection) as captured:
        body = run_page(admin_client, run, category="unsubscribe").content.decode()

    assert all(send.email in body for send in asked)
    assert not any(send.email in body for send in quiet)
    if connection.vendor == "postgresql":
        listed = [q["sql"] for q in captured.captured_queries if 'FROM "campaigns_send"' in q["sql"]]
        assert any('IN (SELECT U0."send_id"' in sql for sql in listed), listed


@pytest.mark.postgres
def test_the_events_lead_only_while_they_are_fewer_than_the_sends_a_walk_would_probe(run):
    """At 1,000,000 sends, 903 unsubscribes are read from the events; 19,000 blocks are found sooner by walking
    the sends in address order (about 51 * 1,000,000 / 19,000 = 2,700 sends probed for a page)."""
    from collections import Counter

    from campaigns.filters import SendFilter

    counts = Counter(
        {"status:delivered": 900_000, "status:bounced": 100_000, "cat:unsubscribe": 903, "cat:block": 19_233}
    )
    table_filter = SendFilter({}, queryset=run.sends.all(), run=run, run_counts=counts)

    assert table_filter.rare_in_run("unsubscribe")
    assert table_filter.rare_in_run("complaint")  # none at all
    assert not table_filter.rare_in_run("block")
    assert not SendFilter({}, queryset=run.sends.all()).rare_in_run("unsubscribe")  # no run given: the walk


@pytest.mark.postgres
def test_an_event_carries_the_run_of_its_send_and_keeps_it(run):
    """The database writes the event's run_id from its send at insert (campaigns/migrations/0029) and, as every
    fact of an audit row, refuses to change it."""
    from django.db import DatabaseError, transaction

    from campaigns.models import BounceEvent

    send = sends(run, 1)[0]
    event = BounceEventFactory(send=send)
    unmatched = BounceEventFactory(send=None, learner=send.learner, organization=run.organization, address=send.email)

    assert BounceEvent.objects.get(pk=event.pk).run_id == run.pk
    assert BounceEvent.objects.get(pk=unmatched.pk).run_id is None
    with pytest.raises(DatabaseError), transaction.atomic():
        BounceEvent.objects.filter(pk=event.pk).update(run_id=run.pk + 1)


def test_info_panel_shows_the_server_message_code_mta_and_match(admin_client, run):
    send = sends(run, 1)[0]
    message = InboundMessageFactory(organization=run.organization)
    apply_bounce_event(
        event=BounceEventFactory(
            send=send, inbound_message=message, status="5.1.1", remote_mta="mx.school.example", matched_by="message_id"
        )
    )

    body = run_page(admin_client, run).content.decode()

    assert '<details class="info-panel">' in body
    assert "Recipient address rejected: User unknown" in body
    assert "5.1.1" in body and "mx.school.example" in body
    assert "Returned Message-ID or header" in body and "Verified" in body
    assert reverse("campaigns:inbound-raw", args=[message.pk]) in body


def test_a_script_in_a_diagnostic_is_shown_as_text(admin_client, run):
    send = sends(run, 1)[0]
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    apply_bounce_event(event=BounceEventFactory(send=send, diagnostic=payload, remote_mta="<b>mx</b>"))

    body = run_page(admin_client, run).content.decode()

    assert payload not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<b>mx</b>" not in body


def test_raw_message_is_shown_as_escaped_text_to_admins(admin_client, org):
    message = InboundMessageFactory(organization=org, raw=b"Subject: hi\n\n<html><script>alert(1)</script></html>")

    response = admin_client.get(reverse("campaigns:inbound-raw", args=[message.pk]))

    body = response.content.decode()
    assert '<pre class="raw-message">Subject: hi' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_viewers_cannot_open_raw_messages_nor_see_the_link(viewer_client, org):
    run = CampaignRunFactory(campaign__organization=org)
    message = InboundMessageFactory(organization=org)
    apply_bounce_event(event=BounceEventFactory(send=sends(run, 1)[0], inbound_message=message))

    page = run_page(viewer_client, run).content.decode()
    response = viewer_client.get(reverse("campaigns:inbound-raw", args=[message.pk]))

    assert reverse("campaigns:inbound-raw", args=[message.pk]) not in page
    assert response.status_code == 403


def test_send_table_exports_as_csv_with_event_columns(admin_client, run):
    send = sends(run, 1)[0]
    apply_bounce_event(event=BounceEventFactory(send=send))

    response = run_page(admin_client, run, export="csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Learner", "Status", "Category", "Subtype", "Reason", "Domain", "Time"]
    assert rows[1][:5] == [send.email, "Bounced", "Hard bounce", "Address does not exist", "userunknown"]


def test_run_details_query_count_does_not_grow_with_sends(admin_client, run, django_assert_max_num_queries):
    for send in sends(run, 2):
        apply_bounce_event(event=BounceEventFactory(send=send))
    with django_assert_max_num_queries(18):
        run_page(admin_client, run)
    for send in sends(run, 60, domain="big.example"):
        apply_bounce_event(event=BounceEventFactory(send=send, **BLOCK))

    with django_assert_max_num_queries(18):
        response = run_page(admin_client, run)

    assert response.status_code == 200


def test_a_runs_counts_are_live_after_every_write(admin_client, run):
    """The counts are the run's counters, kept by the writes: no cache, whatever the run's size."""
    sends(run, 3, status=SendStatus.DELIVERED)
    run_page(admin_client, run)
    sends(run, 2, domain="later.example", status=SendStatus.DELIVERED)

    body = run_page(admin_client, run).content.decode()

    assert "Delivered: 5" in body and "Counted at" not in body


@pytest.mark.postgres  # SQLite (the demo) has no counters: it counts the sends
def test_the_send_tables_totals_come_from_the_runs_counters_not_a_count_of_its_sends(admin_client, run):
    sends(run, 3, status=SendStatus.DELIVERED)
    sends(run, 2, domain="other.example", status=SendStatus.BOUNCED)

    with CaptureQueriesContext(connection) as captured:
        whole = run_page(admin_client, run).content.decode()
        bounced = run_page(admin_client, run, status="bounced").content.decode()

    assert '<p class="count">5 sends</p>' in whole
    assert '<p class="count">2 sends match these filters</p>' in bounced
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "campaigns_send" in q["sql"]]
    assert counts == []


def test_the_campaign_page_shows_each_runs_sends_from_its_counters(admin_client, run):
    sends(run, 3, status=SendStatus.DELIVERED)
    sends(run, 2, domain="other.example", status=SendStatus.BOUNCED)
    empty = CampaignRunFactory(campaign=run.campaign)

    body = admin_client.get(reverse("campaigns:campaign-detail", args=[run.campaign_id])).content.decode()

    assert f"Run {run.pk}</a>" in body and f"Run {empty.pk}</a>" in body
    assert body.count(" 5 sends ·") == 1 and body.count(" 0 sends ·") == 1


def test_campaign_pages_and_raw_message_query_counts_stay_small(admin_client, org, django_assert_max_num_queries):
    run = CampaignRunFactory(campaign__organization=org)
    message = InboundMessageFactory(organization=org)
    for send in sends(run, 30):
        BounceEventFactory(send=send, inbound_message=message)

    for url in (
        reverse("campaigns:campaign-list"),
        reverse("campaigns:campaign-detail", args=[run.campaign_id]),
        reverse("campaigns:inbound-raw", args=[message.pk]),
    ):
        # The campaign page's template alerts: two grouped queries; its launch form's ESP connections that send: one.
        with django_assert_max_num_queries(11):
            assert admin_client.get(url).status_code == 200
