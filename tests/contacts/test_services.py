"""Clearing a bounce status and changing an address, with their audit rows."""

import pytest

from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.deliverability import (
    LearnerStateError,
    change_learner_email,
    clear_bounce_status,
    clear_bounce_statuses,
)
from contacts.models import Clearance, Learner
from tests.factories import LearnerFactory, UserFactory, bounced_learner

pytestmark = pytest.mark.django_db


def test_clearing_makes_learner_active_and_writes_audit_row(org):
    learner = bounced_learner(org)
    staff = UserFactory()

    clearance = clear_bounce_status(learner=learner, cleared_by=staff, via=ClearedVia.PORTAL, note="Checked by phone")

    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE
    assert learner.soft_bounce_count == 0
    assert learner.status_event_id is None
    assert learner.times_cleared == 1
    assert (clearance.cleared_by, clearance.via, clearance.note) == (staff, "portal", "Checked by phone")
    assert (clearance.previous_status, clearance.previous_reason) == ("bounced", "userunknown")


def test_clearing_a_learner_that_is_not_bounced_is_refused(org):
    learner = LearnerFactory(organization=org)

    with pytest.raises(LearnerStateError):
        clear_bounce_status(learner=learner, cleared_by=None)

    assert Clearance.objects.count() == 0


def test_bulk_clear_only_touches_bounced_learners_and_audits_each(org):
    bounced = [bounced_learner(org) for _ in range(3)]
    active = LearnerFactory(organization=org)

    cleared = clear_bounce_statuses(
        learners=Learner.objects.filter(organization=org),
        cleared_by=None,
        via=ClearedVia.ADMIN_BULK,
        note="Customer confirmed",
    )

    assert cleared == 3
    assert Clearance.objects.filter(via="admin_bulk").count() == 3
    assert set(Learner.objects.filter(status="active").values_list("pk", flat=True)) == {
        *(learner.pk for learner in bounced),
        active.pk,
    }


def test_email_change_clears_a_bounced_learner_with_audit(org):
    learner = bounced_learner(org)
    old_email = learner.email

    change_learner_email(learner=learner, new_email="new.address@school.example", changed_by=None)

    learner.refresh_from_db()
    assert learner.email == "new.address@school.example"
    assert learner.status == DeliverabilityStatus.ACTIVE
    clearance = learner.clearances.get()
    assert (clearance.via, clearance.previous_email) == (ClearedVia.EMAIL_CHANGE, old_email)


def test_email_change_to_an_address_in_use_differing_only_in_case_is_refused(org):
    LearnerFactory(organization=org, email="taken@school.example")
    learner = bounced_learner(org)

    with pytest.raises(LearnerStateError):
        change_learner_email(learner=learner, new_email="TAKEN@School.example", changed_by=None)

    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED
    assert not learner.clearances.exists()


def test_email_change_differing_only_in_case_keeps_the_bounce_state(org):
    learner = bounced_learner(org, learner__email="Ada@School.example")

    change_learner_email(learner=learner, new_email="ada@school.example", changed_by=None)

    learner.refresh_from_db()
    assert (learner.email, learner.status) == ("ada@school.example", DeliverabilityStatus.BOUNCED)
    assert not learner.clearances.exists()


def test_email_change_of_an_active_learner_writes_no_clearance(org):
    learner = LearnerFactory(organization=org)

    change_learner_email(learner=learner, new_email="moved@school.example", changed_by=None)

    assert not Clearance.objects.exists()
