"""contacts.deliverability's transitions, called with plain facts as campaigns calls them."""

from dataclasses import replace

import pytest

from campaigns.services.policy import fact_of
from contacts import deliverability
from contacts.deliverability import BounceFact, Outcome
from contacts.models import Clearance, Learner
from tests.factories import SOFT, BounceEventFactory, LearnerFactory, SendFactory, UserFactory

pytestmark = pytest.mark.django_db


def fact(event, **changes) -> BounceFact:
    """The facts of a stored event, as campaigns.services.policy passes them."""
    return replace(fact_of(event), **changes)


def stored_event(org, learner=None, **kind):
    send = SendFactory(run__campaign__organization=org, **({"learner": learner} if learner else {}))
    return BounceEventFactory(send=send, **kind)


def test_a_hard_bounce_fact_suppresses_the_learner_and_says_so(org):
    event = stored_event(org)

    result = deliverability.apply_bounces(bounces=[fact(event)])

    learner = Learner.objects.get(pk=event.learner_id)
    assert result.outcomes == {event.pk: Outcome.SUPPRESSED}
    assert result.suppressed == {learner.pk}
    assert (learner.status, learner.status_reason, learner.status_event_id) == ("bounced", "userunknown", event.pk)
    assert (learner.bounce_count, learner.last_bounce_category) == (1, "hard")


def test_a_fact_without_a_learner_changes_nobody(org):
    event = stored_event(org)

    result = deliverability.apply_bounces(bounces=[fact(event, learner_id=None)])

    assert result.outcomes == {event.pk: Outcome.NO_LEARNER} and not result.suppressed
    assert Learner.objects.get(pk=event.learner_id).status == "active"


def test_a_click_makes_the_learner_engaged_and_clears_a_bounce(org):
    event = stored_event(org)
    deliverability.apply_bounces(bounces=[fact(event)])

    result = deliverability.record_click(learner_id=event.learner_id)

    learner = Learner.objects.get(pk=event.learner_id)
    clearance = Clearance.objects.get(learner=learner)
    assert result.cleared
    assert learner.status == "active" and learner.last_clicked_at == learner.last_engaged_at is not None
    assert learner.last_opened_at is None and learner.times_cleared == 1
    assert (clearance.via, clearance.cleared_by, clearance.previous_status) == ("open", None, "bounced")


def test_a_delivery_resets_the_consecutive_soft_bounce_count(org):
    event = stored_event(org, **SOFT)
    deliverability.apply_bounces(bounces=[fact(event)])

    deliverability.record_deliveries(learner_ids=[event.learner_id])

    assert Learner.objects.get(pk=event.learner_id).soft_bounce_count == 0


def test_reverting_the_event_that_suppressed_a_learner_clears_them_naming_actor_and_channel(org):
    event = stored_event(org)
    deliverability.apply_bounces(bounces=[fact(event)])
    support = UserFactory(username="sam")

    result = deliverability.revert_bounces(
        bounces=[fact(event, outcome=Outcome.SUPPRESSED)], cleared_by=support, note="wrong verdict"
    )

    learner = Learner.objects.get(pk=event.learner_id)
    clearance = Clearance.objects.get(learner=learner)
    assert result.cleared == {learner.pk}
    assert (learner.status, learner.status_event_id, learner.bounce_count, learner.times_cleared) == (
        "active",
        None,
        0,
        1,
    )
    assert (clearance.cleared_by, clearance.via, clearance.note) == (support, "reclassify", "wrong verdict")
    assert (clearance.previous_status, clearance.previous_reason) == ("bounced", "userunknown")


def test_a_replacement_that_suppresses_again_leaves_no_clearance(org):
    learner = LearnerFactory(organization=org)
    old = stored_event(org, learner=learner, reason="hostunknown")
    deliverability.apply_bounces(bounces=[fact(old)])
    new = stored_event(org, learner=learner)

    result = deliverability.revert_bounces(
        bounces=[fact(old, outcome=Outcome.SUPPRESSED)], replacements=[fact(new)], cleared_by=None
    )

    learner.refresh_from_db()
    assert result.outcomes == {new.pk: Outcome.SUPPRESSED} and not result.cleared
    assert (learner.status, learner.status_event_id, learner.status_reason) == ("bounced", new.pk, "userunknown")
    assert learner.bounce_count == 1 and learner.times_cleared == 0
    assert not Clearance.objects.exists()


def test_an_unapplied_event_has_nothing_to_take_back(org):
    event = stored_event(org, **SOFT)
    deliverability.apply_bounces(bounces=[fact(event)])

    deliverability.revert_bounces(bounces=[fact(event, outcome="")], cleared_by=None)

    learner = Learner.objects.get(pk=event.learner_id)
    assert (learner.soft_bounce_count, learner.bounce_count) == (1, 1)
