"""contacts.deliverability's transitions, called with plain facts as campaigns calls them."""

from dataclasses import replace

import pytest

from campaigns.services.policy import fact_of
from contacts import deliverability
from contacts.deliverability import BounceFact, Outcome
from contacts.models import BouncePolicy, Clearance, Learner
from tests.factories import BLOCK, SOFT, BounceEventFactory, LearnerFactory, SendFactory, UserFactory

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


def test_a_sender_side_block_is_recorded_but_never_counts_by_default(org):
    learner = LearnerFactory(organization=org)
    events = [stored_event(org, learner, **BLOCK, sender_side=True) for _ in range(12)]

    result = deliverability.apply_bounces(bounces=[fact(event) for event in events])

    learner.refresh_from_db()
    assert set(result.outcomes.values()) == {Outcome.SENDER_SIDE}
    assert (learner.status, learner.soft_bounce_count, learner.bounce_count) == ("active", 0, 12)
    assert learner.last_bounce_category == "block"


def test_a_recipient_side_filter_rejection_still_counts(org):
    learner = LearnerFactory(organization=org)
    events = [stored_event(org, learner, **BLOCK, sender_side=False) for _ in range(10)]

    result = deliverability.apply_bounces(bounces=[fact(event) for event in events])

    learner.refresh_from_db()
    assert result.outcomes[events[-1].pk] == Outcome.SUPPRESSED
    assert (learner.status, learner.soft_bounce_count) == ("bounced", 10)


def test_the_policy_can_count_sender_side_bounces(org):
    BouncePolicy.objects.update_or_create(organization=org, defaults={"sender_side_counts": True})
    learner = LearnerFactory(organization=org)
    event = stored_event(org, learner, **SOFT, sender_side=True)

    result = deliverability.apply_bounces(bounces=[fact(event)])

    learner.refresh_from_db()
    assert result.outcomes == {event.pk: Outcome.COUNTED} and learner.soft_bounce_count == 1


def test_reverting_a_sender_side_bounce_takes_nothing_off_the_count(org):
    learner = LearnerFactory(organization=org, soft_bounce_count=3)
    event = stored_event(org, learner, **BLOCK, sender_side=True)
    deliverability.apply_bounces(bounces=[fact(event)])
    event.refresh_from_db()

    deliverability.revert_bounces(bounces=[fact(event, outcome=Outcome.SENDER_SIDE)], cleared_by=None)

    learner.refresh_from_db()
    assert learner.soft_bounce_count == 3


def test_a_bounce_of_an_organization_without_rules_or_never_suppress_list_reads_nothing_more(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = stored_event(org)
    BouncePolicy.objects.get_or_create(organization=org)

    with CaptureQueriesContext(connection) as queries:
        deliverability.apply_bounces(bounces=[fact(event)])

    tables = " ".join(q["sql"] for q in queries.captured_queries[1:])  # after the lock
    assert len(queries.captured_queries) == 2  # the lock (with whether there is anything to read), the write-back
    assert "contacts_automationrule" not in tables and "contacts_neversuppress" not in tables


def test_an_organization_with_a_list_and_rules_still_reads_them_for_each_batch(org):
    from contacts.models import AutomationRule, NeverSuppress

    protected, tagged = stored_event(org), stored_event(org, category="soft", subtype="mailbox_full", hard=False)
    domain = Learner.objects.get(pk=protected.learner_id).email.rpartition("@")[2]
    NeverSuppress.objects.create(
        organization=org, entry=f"x@{domain}", reason="an address, not this one", is_domain=False
    )
    NeverSuppress.objects.create(
        organization=org, entry=domain.split(".", 1)[-1], reason="the parent domain", is_domain=True
    )
    AutomationRule.objects.create(organization=org, category="soft", subtype="mailbox_full", action="tag", tag="full")

    result = deliverability.apply_bounces(bounces=[fact(protected), fact(tagged)])

    assert result.outcomes[protected.pk] == Outcome.PROTECTED
    assert Learner.objects.get(pk=tagged.learner_id).tags == ["full"]


@pytest.mark.postgres  # elsewhere QueryByIds runs the queryset itself: no sharing
def test_an_organization_without_a_policy_gets_the_defaults_once_for_a_whole_batch(org):
    """Its learners, locked together, share its instance: the policy made for the first learner is the
    one the others read (one look-up, not one per event)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.deliverability.locks import lock_learners_with_policy, policy_of

    BouncePolicy.objects.filter(organization=org).delete()
    events = [stored_event(org, category="soft", subtype="mailbox_full") for _ in range(3)]
    locked = lock_learners_with_policy(event.learner_id for event in events)

    with CaptureQueriesContext(connection) as queries:
        policies = [policy_of(learner) for learner in locked.values()]
        result = deliverability.apply_bounces(bounces=[fact(event) for event in events], locked=locked)

    assert policies[0] is policies[1] is policies[2] and policies[0].soft_threshold_unengaged == 10
    assert BouncePolicy.objects.filter(organization=org).count() == 1
    assert sum("contacts_bouncepolicy" in q["sql"] for q in queries.captured_queries) <= 2  # get_or_create
    assert set(result.outcomes.values()) == {Outcome.COUNTED}
