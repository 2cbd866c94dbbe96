"""The learner profile: deliverability box and the activity log (sends, opens, bounces, clearances)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.services.policy import apply_bounce_event, record_open
from contacts.deliverability import clear_bounce_status
from tests.factories import SOFT, BounceEventFactory, InboundMessageFactory, LearnerFactory, SendFactory
from tests.pager_links import follow, link

pytestmark = pytest.mark.django_db


def profile(client, learner, **params):
    return client.get(reverse("contacts:learner-detail", args=[learner.pk]), params)


def test_activity_log_lists_sends_opens_bounces_and_clearances_newest_first(admin_client, org, admin_member):
    now = timezone.now()
    learner = LearnerFactory(organization=org)
    first = SendFactory(
        run__campaign__organization=org,
        run__campaign__name="Welcome",
        learner=learner,
        created_at=now - timedelta(days=3),
        sent_at=now - timedelta(days=3),
    )
    record_open(send=first, now=now - timedelta(days=2, hours=12))
    second = SendFactory(
        run__campaign__organization=org,
        run__campaign__name="Phish test",
        learner=learner,
        created_at=now - timedelta(days=2),
        sent_at=now - timedelta(days=2),
    )
    apply_bounce_event(event=BounceEventFactory(send=second, occurred_at=now - timedelta(days=1)))
    learner.refresh_from_db()
    clear_bounce_status(learner=learner, cleared_by=admin_member.user, note="Mailbox restored")

    body = profile(admin_client, learner).content.decode()

    log = body[body.index('id="activity-title"') :]
    order = [
        log.index(marker)
        for marker in ("Bounce status cleared", "Hard bounce", "Sent\n    <a", "Opened", "Welcome</a>")
    ]
    assert order == sorted(order)
    assert "Mailbox restored" in body
    assert "by alice" in body


def test_each_bounce_expands_in_place_with_the_server_message(admin_client, org):
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(
        event=BounceEventFactory(
            send=send, diagnostic="550 5.1.1 <x@school.example> no such user", remote_mta="mx9.school.example"
        )
    )

    body = profile(admin_client, send.learner).content.decode()

    assert '<details class="bounce-details">' in body
    assert "550 5.1.1 &lt;x@school.example&gt; no such user" in body
    assert "mx9.school.example" in body
    assert "Verified" in body


def test_unverified_bounces_say_so(admin_client, org):
    send = SendFactory(run__campaign__organization=org)
    BounceEventFactory(send=send, matched_by="address")

    body = profile(admin_client, send.learner).content.decode()

    assert "Unverified" in body


def test_raw_message_link_is_for_admins_only(admin_client, viewer_member, client, org):
    send = SendFactory(run__campaign__organization=org)
    message = InboundMessageFactory(organization=org)
    BounceEventFactory(send=send, inbound_message=message)
    raw_url = reverse("campaigns:inbound-raw", args=[message.pk])

    admin_body = profile(admin_client, send.learner).content.decode()
    client.force_login(viewer_member.user)
    viewer_body = profile(client, send.learner).content.decode()

    assert raw_url in admin_body
    assert raw_url not in viewer_body


def test_activity_log_is_paged_by_older_and_newer_links(admin_client, org):
    learner = LearnerFactory(organization=org)
    for _ in range(30):
        SendFactory(run__campaign__organization=org, learner=learner)

    first = profile(admin_client, learner)
    second = follow(admin_client, first, "next")
    back = follow(admin_client, second, "prev")

    assert first.content.decode().count('class="activity-entry') == 25
    assert second.content.decode().count('class="activity-entry') == 5
    assert link(second, "next") is None and "30 entries in all" in second.content.decode()
    assert back.content.decode().count('class="activity-entry') == 25


def test_deliverability_box_shows_the_soft_count_against_the_threshold(admin_client, org):
    learner = LearnerFactory(
        organization=org, soft_bounce_count=8, last_bounce_category="soft", last_bounce_subtype="mailbox_full"
    )

    body = profile(admin_client, learner).content.decode()

    assert "8 of 10" in body
    assert "Near the threshold" in body


def test_profile_query_count_does_not_grow_with_history(admin_client, org, django_assert_max_num_queries):
    learner = LearnerFactory(organization=org)
    small = SendFactory(run__campaign__organization=org, learner=learner)
    apply_bounce_event(event=BounceEventFactory(send=small, **SOFT))
    with django_assert_max_num_queries(12):
        profile(admin_client, learner)
    for _ in range(40):
        send = SendFactory(run__campaign__organization=org, learner=learner)
        apply_bounce_event(event=BounceEventFactory(send=send, **SOFT))

    with django_assert_max_num_queries(12):
        response = profile(admin_client, learner)

    assert response.status_code == 200
