"""Inbound messages and bounce events in the admin: filters, raw message as escaped text, read-only."""

import pytest
from django.urls import reverse

from campaigns.models import BounceEvent, InboundMessage
from tests.factories import BounceEventFactory, BounceMailboxFactory, InboundMessageFactory

CHANGELIST = reverse("admin:campaigns_inboundmessage_changelist")
pytestmark = pytest.mark.django_db

HOSTILE = (
    b"From: MAILER-DAEMON@mx.example\r\n"
    b"Subject: =?utf-8?q?Undelivered_Mail_=E2=9C=89?=\r\n"
    b"X-Evil: <script>alert('header')</script>\r\n"
    b"Content-Type: text/html\r\n\r\n"
    b"<html><body><script>alert('xss')</script><img src=x onerror=alert(1)>"
    b"550 5.1.1 <ada@school.example> User unknown</body></html>\r\n"
)


def subjects(response):
    return {message.subject for message in response.context["cl"].result_list}


def test_raw_message_is_shown_as_escaped_text_in_pre(cx_client, org):
    message = InboundMessageFactory(organization=org, raw=HOSTILE, subject="hostile")

    page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[message.pk])).content.decode()

    assert '<pre class="raw-message">' in page
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "550 5.1.1 &lt;ada@school.example&gt; User unknown" in page


def test_headers_are_listed_decoded_and_escaped(cx_client, org):
    message = InboundMessageFactory(organization=org, raw=HOSTILE)

    page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[message.pk])).content.decode()

    assert '<table class="message-headers">' in page
    assert "<tr><th>Subject</th><td>Undelivered Mail ✉</td></tr>" in page
    assert "<th>X-Evil</th><td>&lt;script&gt;alert(&#x27;header&#x27;)&lt;/script&gt;</td>" in page


def test_message_page_lists_its_events(cx_client, org):
    message = InboundMessageFactory(organization=org)
    BounceEventFactory(
        inbound_message=message,
        send__run__campaign__organization=org,
        address="ada@school.example",
        diagnostic="550 <b>unknown</b>",
    )

    page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[message.pk])).content.decode()

    assert "ada@school.example" in page
    assert "550 &lt;b&gt;unknown&lt;/b&gt;" in page
    assert "Address does not exist" in page


def test_raw_download_is_an_attachment_of_the_exact_bytes(cx_client, org):
    message = InboundMessageFactory(organization=org, raw=HOSTILE)

    response = cx_client.get(reverse("admin:campaigns_inboundmessage_raw", args=[message.pk]))

    assert response.status_code == 200
    assert response.content == HOSTILE
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind__exact=autoreply", {"auto"}),
        ("matched=yes", {"verp"}),
        ("matched=no", {"auto", "other-org"}),
        ("matched_by__exact=verp", {"verp"}),
    ],
)
def test_filters(cx_client, org, other_org, query, expected):
    InboundMessageFactory(organization=org, subject="verp", matched_by="verp")
    InboundMessageFactory(organization=org, subject="auto", kind="autoreply")
    InboundMessageFactory(organization=other_org, subject="other-org")

    assert subjects(cx_client.get(f"{CHANGELIST}?{query}")) == expected


def test_mailbox_organization_and_date_filters(cx_client, org, other_org):
    mailbox = BounceMailboxFactory(organization=org)
    InboundMessageFactory(organization=org, mailbox=mailbox, subject="in mailbox")
    InboundMessageFactory(organization=other_org, subject="other-org")

    assert subjects(cx_client.get(f"{CHANGELIST}?mailbox__id__exact={mailbox.pk}")) == {"in mailbox"}
    assert subjects(cx_client.get(f"{CHANGELIST}?organization__id__exact={other_org.pk}")) == {"other-org"}
    recent = cx_client.get(CHANGELIST, {"received_at__gte": "2000-01-01 00:00:00+00:00"})
    assert subjects(recent) == {"in mailbox", "other-org"}


def test_changelist_does_not_load_raw_bytes_and_query_count_is_constant(cx_client, org, django_assert_max_num_queries):
    InboundMessageFactory(organization=org)
    with django_assert_max_num_queries(12) as few:
        cx_client.get(CHANGELIST)
    for _ in range(25):
        InboundMessageFactory(organization=org, mailbox=BounceMailboxFactory(organization=org))

    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        cx_client.get(CHANGELIST)

    listing = [q["sql"] for q in many.captured_queries if 'FROM "campaigns_inboundmessage"' in q["sql"]]
    assert listing and all('"campaigns_inboundmessage"."raw"' not in sql for sql in listing)


def test_inbound_messages_and_events_cannot_be_changed_or_deleted(cx_client, org):
    event = BounceEventFactory(
        send__run__campaign__organization=org, inbound_message=InboundMessageFactory(organization=org)
    )
    message = event.inbound_message

    responses = [
        cx_client.post(reverse("admin:campaigns_inboundmessage_change", args=[message.pk]), {"subject": "x"}),
        cx_client.post(reverse("admin:campaigns_inboundmessage_delete", args=[message.pk]), {"post": "yes"}),
        cx_client.post(reverse("admin:campaigns_bounceevent_change", args=[event.pk]), {"address": "x"}),
        cx_client.post(reverse("admin:campaigns_bounceevent_delete", args=[event.pk]), {"post": "yes"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert InboundMessage.objects.filter(pk=message.pk).exists() and BounceEvent.objects.filter(pk=event.pk).exists()


def test_bounce_events_filter_by_learner_from_the_learner_page(cx_client, org):
    event = BounceEventFactory(send__run__campaign__organization=org)
    BounceEventFactory(send__run__campaign__organization=org)

    response = cx_client.get(
        reverse("admin:campaigns_bounceevent_changelist"), {"learner__id__exact": event.learner_id}
    )

    assert [e.pk for e in response.context["cl"].result_list] == [event.pk]


def test_bounce_event_changelist_query_count_is_constant(cx_client, org, django_assert_max_num_queries):
    BounceEventFactory(send__run__campaign__organization=org)
    with django_assert_max_num_queries(12) as few:
        cx_client.get(reverse("admin:campaigns_bounceevent_changelist"))
    BounceEventFactory.create_batch(20, send__run__campaign__organization=org)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cx_client.get(reverse("admin:campaigns_bounceevent_changelist") + "?category__exact=hard")

    assert len(response.context["cl"].result_list) == 21


def test_message_page_query_count_does_not_grow_with_its_events(cx_client, org, django_assert_max_num_queries):
    message = InboundMessageFactory(organization=org)
    BounceEventFactory(inbound_message=message, send__run__campaign__organization=org)
    url = reverse("admin:campaigns_inboundmessage_change", args=[message.pk])
    with django_assert_max_num_queries(20) as few:
        cx_client.get(url)
    BounceEventFactory.create_batch(10, inbound_message=message, send__run__campaign__organization=org)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = cx_client.get(url).content.decode()

    assert page.count('class="field-address"') >= 11
