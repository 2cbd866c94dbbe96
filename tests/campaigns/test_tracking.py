"""Public tracking endpoints: the open pixel and the unsubscribe link (page, form POST, RFC 8058 one-click)."""

import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import BounceEvent, EventSource, MatchedBy, Send, SendStatus
from campaigns.services.sending import create_run, launch_run
from contacts.choices import Category, ClearedVia, DeliverabilityStatus, Subtype
from contacts.models import Clearance
from tests.factories import CampaignFactory, LearnerFactory, SendFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sent_long_ago(settings):
    """The factories' sends were sent a moment ago: a person's open that soon would be taken for a scanner."""
    settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = 0


MAIL_PROGRAM = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Outlook 16.0"


@pytest.fixture
def client():
    """A visitor whose requests look like a person's mail program (a user agent; see test_engagement)."""
    return Client(HTTP_USER_AGENT=MAIL_PROGRAM)


@pytest.fixture
def send(org):
    return SendFactory(run__campaign__organization=org, learner__email="ada@school.example")


def pixel(send):
    return f"/t/{send.token}/open.gif"


def unsubscribe(send):
    return f"/u/{send.token}/"


def test_the_pixel_records_an_open_and_answers_a_one_pixel_gif(client, send):
    response = client.get(pixel(send))

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content[:10] == b"GIF89a\x01\x00\x01\x00"  # a GIF, 1 × 1 pixel
    assert response.content.endswith(b";")
    assert "no-store" in response["Cache-Control"]
    assert send.status == SendStatus.OPENED and send.opened_at is not None and send.open_count == 1
    assert send.learner.last_opened_at is not None


def test_an_open_resets_the_soft_count_removes_the_auto_reply_flag_and_clears_a_bounce(client, send):
    Send.objects.filter(pk=send.pk).update(status=SendStatus.SENT)
    send.learner.status, send.learner.soft_bounce_count = DeliverabilityStatus.BOUNCED, 10
    send.learner.auto_replied_at = timezone.now()
    send.learner.save()

    client.get(pixel(send))

    learner = send.learner
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE
    assert learner.soft_bounce_count == 0 and learner.auto_replied_at is None
    assert Clearance.objects.get(learner=learner).via == ClearedVia.OPEN


@pytest.mark.parametrize("token", ["A" * 24, "short", "has.dots.in.it.and.more.x", "x" * 80])
@pytest.mark.parametrize("path", ["/t/{}/open.gif", "/u/{}/"])
def test_unknown_or_malformed_tokens_are_a_404_and_change_nothing(client, send, token, path):
    get = client.get(path.format(token))
    post = client.post(path.format(token), {"List-Unsubscribe": "One-Click"})

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert get.status_code == 404
    assert post.status_code == 404 or (path.startswith("/t/") and post.status_code == 405)  # the pixel is GET only
    assert send.status == SendStatus.SENT and send.open_count == 0
    assert send.learner.status == DeliverabilityStatus.ACTIVE
    assert not BounceEvent.objects.exists()


def test_the_unsubscribe_link_shows_a_confirmation_page_and_a_get_changes_nothing(client, send):
    response = client.get(unsubscribe(send))

    send.learner.refresh_from_db()
    assert response.status_code == 200
    assert "ada@school.example" in response.content.decode() and "Acme Training" in response.content.decode()
    assert f'action="/u/{send.token}/"' in response.content.decode()
    assert send.learner.status == DeliverabilityStatus.ACTIVE


def test_confirming_unsubscribes_the_learner_with_an_audit_event(client, send):
    response = client.post(unsubscribe(send))

    send.learner.refresh_from_db()
    event = BounceEvent.objects.get()
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED
    assert send.learner.status_event_id == event.pk
    assert (event.source, event.category, event.subtype, event.matched_by, event.send_id) == (
        EventSource.LINK,
        Category.UNSUBSCRIBE,
        Subtype.UNSUBSCRIBE_REQUEST,
        MatchedBy.VERP,
        send.pk,
    )
    assert event.diagnostic == "Unsubscribed through the unsubscribe page."


def test_one_click_unsubscribe_works_without_cookies_or_a_csrf_token(send):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        unsubscribe(send), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    send.learner.refresh_from_db()
    assert response.status_code == 200
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED
    assert "RFC 8058" in BounceEvent.objects.get().diagnostic


def test_unsubscribing_twice_writes_one_audit_event(client, send):
    client.post(unsubscribe(send))
    response = client.post(unsubscribe(send))

    assert response.status_code == 200
    assert BounceEvent.objects.count() == 1
    assert "already unsubscribed" in client.get(unsubscribe(send)).content.decode()


def test_the_links_in_a_sent_message_open_and_unsubscribe(
    org, client, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = 0  # opened the moment it was sent, yet a person's
    learner = LearnerFactory(organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=CampaignFactory(organization=org)))
    message = email.message_from_bytes(smtp_sink.messages[0].data, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    pixel_url = re.search(r'<img src="([^"]+)"', html).group(1)
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")

    client.get(urlsplit(pixel_url).path)
    client.post(urlsplit(unsubscribe_url).path, {"List-Unsubscribe": "One-Click"})

    learner.refresh_from_db()
    assert Send.objects.get(learner=learner).status == SendStatus.OPENED
    assert learner.status == DeliverabilityStatus.UNSUBSCRIBED
