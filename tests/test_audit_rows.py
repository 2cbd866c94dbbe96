"""Clearance and bounce-event rows cannot be rewritten: PostgreSQL triggers refuse it (bounceportal/audit.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from bounceportal.audit import retention_path
from campaigns.models import BounceEvent
from contacts.choices import Category, ClearedVia, Subtype
from contacts.deliverability import clear_bounce_status
from contacts.models import Clearance
from tests.factories import BounceEventFactory, UserFactory, bounced_learner

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def refused(action) -> str:
    """Run ``action`` in a savepoint and return the database's refusal message."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    return str(caught.value)


@pytest.fixture
def clearance(org):
    learner = bounced_learner(org)
    return clear_bounce_status(
        learner=learner, cleared_by=UserFactory(username="clearer"), via=ClearedVia.PORTAL, note="checked with HR"
    )


def test_a_clearance_cannot_be_edited_or_deleted(clearance):
    assert "audit record" in refused(lambda: Clearance.objects.filter(pk=clearance.pk).update(note="nothing happened"))
    assert "audit record" in refused(lambda: Clearance.objects.filter(pk=clearance.pk).delete())

    clearance.refresh_from_db()
    assert clearance.note == "checked with HR"


def test_raw_sql_cannot_rewrite_who_cleared_either(clearance):
    def rewrite():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE contacts_clearance SET cleared_by_id = NULL WHERE id = %s", [clearance.pk])

    assert "audit record" in refused(rewrite)


def test_a_user_who_cleared_cannot_be_deleted(clearance):
    with pytest.raises(ProtectedError):
        get_user_model().objects.filter(username="clearer").delete()


@pytest.mark.parametrize(
    "change",
    [
        {"category": Category.SOFT, "subtype": Subtype.MAILBOX_FULL},
        {"diagnostic": "550 something else"},
        {"occurred_at": timezone.now()},
        {"address": "someone@else.example"},
        {"learner": None},
    ],
    ids=["classification", "diagnostic", "when", "address", "learner"],
)
def test_the_facts_of_a_bounce_event_cannot_be_rewritten(org, change):
    event = BounceEventFactory(send__run__campaign__organization=org)

    assert "audit record" in refused(lambda: BounceEvent.objects.filter(pk=event.pk).update(**change))


def test_a_bounce_event_cannot_be_deleted(org):
    event = BounceEventFactory(send__run__campaign__organization=org)

    assert "audit record" in refused(lambda: BounceEvent.objects.filter(pk=event.pk).delete())
    assert BounceEvent.objects.filter(pk=event.pk).exists()


def test_the_outcome_is_written_once_when_the_policy_applies_the_event(org):
    event = bounced_learner(org).bounce_events.get()  # applied by the policy: outcome and applied_at written
    assert event.applied_at is not None

    message = refused(lambda: BounceEvent.objects.filter(pk=event.pk).update(outcome="ignored"))

    assert "audit record" in message


def test_superseded_is_written_once(org):
    event = BounceEventFactory(send__run__campaign__organization=org)
    BounceEvent.objects.filter(pk=event.pk).update(superseded_at=timezone.now())

    assert "audit record" in refused(lambda: BounceEvent.all_objects.filter(pk=event.pk).update(superseded_at=None))
    assert not BounceEvent.objects.filter(pk=event.pk).exists()
    assert BounceEvent.all_objects.filter(pk=event.pk).exists()


def test_the_retention_path_may_delete_audit_rows(clearance):
    event_ids = list(BounceEvent.objects.filter(learner=clearance.learner).values_list("pk", flat=True))

    with retention_path():
        Clearance.objects.filter(pk=clearance.pk).delete()
        BounceEvent.objects.filter(pk__in=event_ids).delete()

    assert not Clearance.objects.filter(pk=clearance.pk).exists()
    assert not BounceEvent.all_objects.filter(pk__in=event_ids).exists()


def test_the_retention_setting_ends_with_its_transaction(clearance):
    with retention_path():
        pass

    assert "audit record" in refused(lambda: Clearance.objects.filter(pk=clearance.pk).delete())


def test_deleting_an_organization_goes_through_the_retention_path(clearance, org):
    assert "audit record" in refused(lambda: org.delete())

    with retention_path():
        org.delete()

    assert not Clearance.objects.filter(pk=clearance.pk).exists()
