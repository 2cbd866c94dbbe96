"""A run's open, click and complaint rates are over its delivered sends and count people only;
a send that bounced and was also opened is flagged on the run page (issue #14, part 6)."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from campaigns.counters import counts_for_run
from campaigns.models import Send, SendStatus
from campaigns.selectors import engagement_for_run
from campaigns.services.links import click_path
from campaigns.services.policy import apply_bounce_event
from tests.factories import AUTOREPLY, COMPLAINT, BounceEventFactory, CampaignFactory, CampaignRunFactory, SendFactory

pytestmark = pytest.mark.django_db

OUTLOOK = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Outlook 16.0"
SCANNER = "Proofpoint URL Defense"
LINKS = '<p><a href="https://lms.example/start">Start</a> · <a href="https://lms.example/faq">FAQ</a></p>'
FLAG_TEXT = "opened after bouncing: the bounce may be false, or a scanner opened it."


@pytest.fixture(autouse=True)
def _sent_long_ago(settings):
    """The factories' sends were sent a moment ago: a person's open that soon would be taken for a scanner."""
    settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = 0


@pytest.fixture
def run(org):
    return CampaignRunFactory(campaign=CampaignFactory(organization=org, name="Phish week", body_html=LINKS))


def sends(run, count, status=SendStatus.SENT, domain="school.example"):
    first = Send.objects.filter(run=run).count()
    return [SendFactory(run=run, learner__email=f"l{first + i}@{domain}", status=status) for i in range(count)]


def open_as(send, user_agent=OUTLOOK):
    Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR="198.51.100.7").get(f"/t/{send.token}/open.gif")


def click_as(send, user_agent=OUTLOOK):
    Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR="198.51.100.7").get(
        click_path(send.token, 0, "https://lms.example/start")
    )


def bounce(send, **kind):
    apply_bounce_event(event=BounceEventFactory(send=send, **kind))


def run_page(client, run, **params):
    return client.get(reverse("campaigns:run-detail", args=[run.pk]), params).content.decode()


def engagement(run):
    return engagement_for_run(run, counts_for_run(run.pk))


def test_open_click_and_complaint_rates_are_over_the_delivered_sends_only(admin_client, run):
    opener, clicker, complainer, *_quiet = sends(run, 4) + sends(run, 1, status=SendStatus.DELIVERED)
    for send in sends(run, 3, domain="gone.example"):
        bounce(send)
    sends(run, 1, status=SendStatus.SCHEDULED)
    sends(run, 1, status=SendStatus.FAILED)
    open_as(opener)
    click_as(clicker)
    bounce(complainer, **COMPLAINT)

    reading = engagement(run)
    body = run_page(admin_client, run)

    assert (reading.delivered, reading.opened, reading.clicked, reading.complained) == (5, 2, 1, 1)
    assert (reading.open_rate, reading.click_rate, reading.complaint_rate) == (40.0, 20.0, 20.0)
    assert "Of the 5 delivered sends (those that left and did not bounce)" in body
    assert "opened by people <strong>2</strong> (40.0%)" in body
    assert "clicked: <strong>1</strong> (20.0%)" in body
    assert "complaints: <strong>1</strong> (20.00%)" in body


def test_link_scanners_opening_and_clicking_count_in_no_rate(admin_client, run):
    scanned, *_rest = sends(run, 4)
    open_as(scanned, SCANNER)
    click_as(scanned, SCANNER)

    reading = engagement(run)
    body = run_page(admin_client, run)

    assert (reading.delivered, reading.opened, reading.clicked) == (4, 0, 0)
    assert (reading.machine_opens, reading.machine_clicks) == (1, 1)
    assert "opened by people <strong>0</strong> (0.0%)" in body
    assert "machines also opened 1 and clicked 1 times; they are not counted" in body


def test_a_bounced_send_a_scanner_opened_stays_bounced_and_is_flagged_on_the_run_page(admin_client, run):
    bounced, plain_bounce = sends(run, 2, domain="filtered.example")
    delivered = sends(run, 1)[0]
    bounce(bounced)
    bounce(plain_bounce)
    open_as(bounced, SCANNER)

    body = run_page(admin_client, run)
    flagged = run_page(admin_client, run, flag="opened_after_bounce")

    bounced.refresh_from_db()
    assert bounced.status == SendStatus.BOUNCED
    assert engagement(run).opened_after_bounce == 1
    assert f"1 send was {FLAG_TEXT}" in body
    assert '<a href="?flag=opened_after_bounce">See it</a>' in body
    table = flagged[flagged.index('id="sends-heading"') :]
    assert bounced.email in table and plain_bounce.email not in table and delivered.email not in table
    assert 'class="badge badge-flag" title="Opened after bouncing' in table


def test_a_person_opening_a_bounced_send_makes_it_delivered_opened_and_flagged(admin_client, run):
    bounced, _other = sends(run, 2)
    bounce(bounced)

    open_as(bounced)

    bounced.refresh_from_db()
    reading = engagement(run)
    assert bounced.status == SendStatus.OPENED and bounced.bounced_at is not None
    assert (reading.delivered, reading.opened, reading.opened_after_bounce) == (2, 1, 1)
    assert f"1 send was {FLAG_TEXT}" in run_page(admin_client, run)


def test_a_bounce_arriving_after_a_person_opened_flags_the_send(admin_client, run):
    opened, *_rest = sends(run, 3)
    open_as(opened)

    bounce(opened)

    opened.refresh_from_db()
    assert opened.status == SendStatus.OPENED
    assert engagement(run).opened_after_bounce == 1


def test_opens_without_a_bounce_and_auto_replies_are_not_flagged(admin_client, run):
    opened, auto_replied, bounced = sends(run, 3)
    open_as(opened)
    bounce(auto_replied, **AUTOREPLY)
    open_as(auto_replied)
    bounce(bounced)

    body = run_page(admin_client, run)

    assert engagement(run).opened_after_bounce == 0
    assert FLAG_TEXT not in body and 'class="badge badge-flag"' not in body


def test_the_csv_export_marks_a_send_opened_after_bouncing(admin_client, run):
    bounced = sends(run, 1)[0]
    bounce(bounced)
    open_as(bounced, SCANNER)

    response = admin_client.get(reverse("campaigns:run-detail", args=[run.pk]), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][:2] == [bounced.email, "Bounced (opened after bouncing)"]


def test_the_run_page_query_count_does_not_grow_with_flagged_sends(admin_client, run, django_assert_max_num_queries):
    for send in sends(run, 2):
        bounce(send)
        open_as(send, SCANNER)
    with django_assert_max_num_queries(18):
        run_page(admin_client, run)
    for send in sends(run, 40, domain="big.example"):
        bounce(send)
        open_as(send, SCANNER)

    with django_assert_max_num_queries(18):
        body = run_page(admin_client, run)

    assert f"42 sends were {FLAG_TEXT}" in body
