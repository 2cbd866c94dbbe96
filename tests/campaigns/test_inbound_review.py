"""Admins review the mail that matched no send or could not be read: attach it to a learner or dismiss it."""

import pytest
from django.urls import reverse

from campaigns.models import BounceEvent, InboundReview, MatchedBy
from campaigns.services.review import ReviewError, attach_inbound_message, inbound_to_review_for
from tests.factories import InboundMessageFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unmatched(org):
    """A hard bounce for an address that is no learner's (it was forwarded from the learner's old one)."""
    message = InboundMessageFactory(organization=org, subject="Undeliverable: Phishing awareness")
    BounceEvent.objects.create(
        organization=org,
        inbound_message=message,
        address="a.lovelace@old-school.example",
        status="5.1.1",
        reply_code="550",
        reason="userunknown",
        category="hard",
        subtype="address_unknown",
        hard=True,
        diagnostic="550 5.1.1 <a.lovelace@old-school.example>: Recipient address rejected: User unknown",
        outcome="no_learner",
        evidence=[{"rule": "RFC 3463 5.1.1: bad destination mailbox", "text": "5.1.1"}],
    )
    return message


@pytest.fixture
def unreadable(org):
    return InboundMessageFactory(organization=org, kind="unparseable", is_bounce=False, parse_error="no MIME boundary")


@pytest.fixture
def ada(org):
    return LearnerFactory(organization=org, email="ada@school.example")


def test_queue_lists_unmatched_and_unreadable_mail_only(org, unmatched, unreadable):
    matched = InboundMessageFactory(organization=org, matched_by=MatchedBy.VERP)
    not_a_bounce = InboundMessageFactory(organization=org, kind="not_bounce", is_bounce=False)

    queue = set(inbound_to_review_for(org))

    assert queue == {unmatched, unreadable}
    assert matched not in queue and not_a_bounce not in queue


def test_queue_page_shows_the_classifiers_reading(admin_client, unmatched, unreadable):
    page = admin_client.get(reverse("campaigns:review-list")).content.decode()

    assert "a.lovelace@old-school.example: Hard bounce" in page
    assert "no MIME boundary" in page


def test_message_page_shows_the_evidence(admin_client, unmatched):
    page = admin_client.get(reverse("campaigns:review-detail", args=[unmatched.pk])).content.decode()

    assert "RFC 3463 5.1.1: bad destination mailbox" in page
    assert "Recipient address rejected: User unknown" in page


def test_attaching_applies_the_bounce_to_the_learner_and_audits_it(admin_client, admin_member, unmatched, ada):
    event = unmatched.events.get()

    response = admin_client.post(
        reverse("campaigns:review-detail", args=[unmatched.pk]),
        {
            "decision": "attach",
            "event": event.pk,
            "email": "ADA@school.example",
            "note": "forwarded from her old address",
        },
    )

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.status == "bounced"
    applied = BounceEvent.objects.get(inbound_message=unmatched)
    assert (applied.learner, applied.matched_by, applied.outcome) == (ada, MatchedBy.REVIEW, "suppressed")
    assert BounceEvent.all_objects.get(pk=event.pk).superseded_at is not None
    review = InboundReview.objects.get(inbound_message=unmatched)
    assert (review.decision, review.learner, review.reviewed_by) == ("attached", ada, admin_member.user)
    assert review.note == "forwarded from her old address"
    assert unmatched not in inbound_to_review_for(unmatched.organization)


def test_dismissing_changes_no_learner_and_keeps_the_note(admin_client, admin_member, unreadable, ada):
    response = admin_client.post(
        reverse("campaigns:review-detail", args=[unreadable.pk]), {"decision": "dismiss", "note": "spam"}
    )

    assert response.status_code == 302
    review = InboundReview.objects.get(inbound_message=unreadable)
    assert (review.decision, review.note, review.reviewed_by) == ("dismissed", "spam", admin_member.user)
    ada.refresh_from_db()
    assert ada.status == "active"


def test_an_unknown_address_is_reshown_with_a_message(admin_client, unmatched):
    event = unmatched.events.get()

    response = admin_client.post(
        reverse("campaigns:review-detail", args=[unmatched.pk]),
        {"decision": "attach", "event": event.pk, "email": "nobody@school.example"},
    )

    assert response.status_code == 200
    assert "No learner of your organization has this address." in response.content.decode()
    assert not InboundReview.objects.exists()


def test_a_learner_of_another_organization_cannot_be_attached(admin_member, unmatched, other_org):
    stranger = LearnerFactory(organization=other_org)

    with pytest.raises(ReviewError):
        attach_inbound_message(
            message=unmatched, event=unmatched.events.get(), learner=stranger, reviewed_by=admin_member.user
        )

    stranger.refresh_from_db()
    assert stranger.status == "active"


def test_a_message_is_decided_once(admin_client, admin_member, unmatched, ada):
    event = unmatched.events.get()
    admin_client.post(reverse("campaigns:review-detail", args=[unmatched.pk]), {"decision": "dismiss", "note": "x"})

    with pytest.raises(ReviewError):
        attach_inbound_message(message=unmatched, event=event, learner=ada, reviewed_by=admin_member.user)

    assert admin_client.get(reverse("campaigns:review-detail", args=[unmatched.pk])).status_code == 404


def test_viewers_may_not_review(client, viewer_member, unmatched):
    client.force_login(viewer_member.user)

    assert client.get(reverse("campaigns:review-list")).status_code == 403
    assert (
        client.post(
            reverse("campaigns:review-detail", args=[unmatched.pk]), {"decision": "dismiss", "note": "x"}
        ).status_code
        == 403
    )


def test_dashboard_counts_the_messages_to_review(admin_client, unmatched, unreadable):
    page = admin_client.get(reverse("reports:index")).content.decode()

    assert "2 messages to review" in page
