"""Email Status Report: bounce events per campaign × category and subtype in a date range."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AUTOREPLY, BLOCK, BounceEventFactory, CampaignRunFactory, SendFactory

pytestmark = pytest.mark.django_db
REPORT = reverse("reports:email-status")


def rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_counts_per_campaign_and_category(admin_client, org):
    welcome = CampaignRunFactory(campaign__organization=org, campaign__name="Welcome")
    phish = CampaignRunFactory(campaign__organization=org, campaign__name="Phish")
    BounceEventFactory(send=SendFactory(run=welcome))
    BounceEventFactory(send=SendFactory(run=welcome), **BLOCK)
    BounceEventFactory(send=SendFactory(run=phish), **AUTOREPLY)

    table = rows(admin_client.get(REPORT, {"export": "csv", "table": "campaigns"}))

    assert table[0] == [
        "Campaign",
        "Hard bounce",
        "Soft bounce",
        "Mail block",
        "Auto reply",
        "Complaint",
        "Unsubscribe request",
        "Undetermined",
        "Total",
    ]
    assert ["Welcome", "1", "0", "1", "0", "0", "0", "0", "2"] in table
    assert ["Phish", "0", "0", "0", "1", "0", "0", "0", "1"] in table


def test_subtype_table_and_date_range(admin_client, org):
    run = CampaignRunFactory(campaign__organization=org, campaign__name="Welcome")
    BounceEventFactory(send=SendFactory(run=run))
    BounceEventFactory(send=SendFactory(run=run), occurred_at=timezone.now() - timedelta(days=90))

    recent = rows(admin_client.get(REPORT, {"export": "csv", "table": "subtypes"}))
    start = (timezone.localdate() - timedelta(days=120)).isoformat()
    wide = rows(admin_client.get(REPORT, {"export": "csv", "table": "subtypes", "start": start}))

    assert recent[1:] == [["Welcome", "Hard bounce", "Address does not exist", "1"]]
    assert wide[1:] == [["Welcome", "Hard bounce", "Address does not exist", "2"]]


def test_unmatched_events_have_their_own_row_and_names_are_escaped(admin_client, org):
    run = CampaignRunFactory(campaign__organization=org, campaign__name="<script>x</script>")
    BounceEventFactory(send=SendFactory(run=run))
    BounceEventFactory(send=None, organization=org, learner=None, address="ghost@nowhere.example")

    body = admin_client.get(REPORT).content.decode()

    assert "Not matched to a send" in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body


def test_a_range_past_the_end_of_the_calendar_is_refused_and_the_default_used(admin_client, org):
    BounceEventFactory(send=SendFactory(run=CampaignRunFactory(campaign__organization=org, campaign__name="Welcome")))

    response = admin_client.get(REPORT, {"start": "9999-12-30", "end": "9999-12-31"})
    export = rows(admin_client.get(REPORT, {"export": "csv", "table": "subtypes", "end": "0001-01-02"}))

    assert response.status_code == 200
    assert "Enter a date" in response.content.decode()
    assert export[1:] == [["Welcome", "Hard bounce", "Address does not exist", "1"]]


def test_report_query_count_does_not_grow_with_campaigns(admin_client, org, django_assert_max_num_queries):
    for _ in range(2):
        BounceEventFactory(send=SendFactory(run=CampaignRunFactory(campaign__organization=org)))
    with django_assert_max_num_queries(8):
        admin_client.get(REPORT)
    for _ in range(25):
        BounceEventFactory(send=SendFactory(run=CampaignRunFactory(campaign__organization=org)), **BLOCK)

    with django_assert_max_num_queries(8):
        assert admin_client.get(REPORT).status_code == 200
