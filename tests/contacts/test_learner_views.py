"""The learner pages: list filters, profile, and the acknowledge-to-clear edit form."""

import pytest
from django.urls import reverse

from campaigns.services.policy import apply_bounce_event
from contacts.choices import DeliverabilityStatus
from tests.factories import BounceEventFactory, LearnerFactory, SendFactory, bounced_learner

pytestmark = pytest.mark.django_db


def edit(client, learner, **data):
    form = {
        "email": learner.email,
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "department": learner.department,
        **data,
    }
    return client.post(reverse("contacts:learner-edit", args=[learner.pk]), form)


def test_learner_list_filters_by_status(admin_client, org):
    bounced = bounced_learner(org)
    active = LearnerFactory(organization=org)

    response = admin_client.get(reverse("contacts:learner-list"), {"status": "bounced"})

    body = response.content.decode()
    assert bounced.email in body
    assert active.email not in body


def test_ticking_acknowledge_clears_the_bounce_status(admin_client, org):
    learner = bounced_learner(org)

    response = edit(admin_client, learner, acknowledge_valid="on", note="Confirmed with IT")

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE
    clearance = learner.clearances.get()
    assert (clearance.via, clearance.note, clearance.cleared_by.username) == ("portal", "Confirmed with IT", "alice")


def test_saving_without_the_checkbox_keeps_the_learner_bounced(admin_client, org):
    learner = bounced_learner(org)

    edit(admin_client, learner, first_name="Renamed")

    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED
    assert learner.first_name == "Renamed"


def test_checkbox_is_only_offered_for_bounced_learners(admin_client, org):
    learner = LearnerFactory(organization=org)

    response = admin_client.get(reverse("contacts:learner-edit", args=[learner.pk]))

    assert "I acknowledge this email address is valid" not in response.content.decode()


def test_a_learner_cleared_before_needs_a_note_to_be_cleared_again(admin_client, org):
    learner = bounced_learner(org)
    edit(admin_client, learner, acknowledge_valid="on")
    apply_bounce_event(event=BounceEventFactory(send=SendFactory(run__campaign__organization=org, learner=learner)))

    response = edit(admin_client, learner, acknowledge_valid="on")

    assert response.status_code == 200
    assert "cleared before" in response.content.decode()
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_changing_the_email_clears_the_bounce_status(admin_client, org):
    learner = bounced_learner(org)

    edit(admin_client, learner, email="fixed@school.example")

    learner.refresh_from_db()
    assert (learner.email, learner.status) == ("fixed@school.example", DeliverabilityStatus.ACTIVE)
    assert learner.clearances.get().via == "email_change"


def test_correcting_the_case_of_the_email_saves_it_without_clearing(admin_client, org):
    learner = bounced_learner(org, learner__email="Ada.Lovelace@School.example")

    edit(admin_client, learner, email="ada.lovelace@school.example")

    learner.refresh_from_db()
    assert (learner.email, learner.status) == ("ada.lovelace@school.example", DeliverabilityStatus.BOUNCED)
    assert not learner.clearances.exists()


def test_correcting_the_case_and_acknowledging_clears_as_acknowledged(admin_client, org):
    learner = bounced_learner(org, learner__email="Ada.Lovelace@School.example")

    edit(admin_client, learner, email="ada.lovelace@school.example", acknowledge_valid="on")

    learner.refresh_from_db()
    assert (learner.email, learner.status) == ("ada.lovelace@school.example", DeliverabilityStatus.ACTIVE)
    assert learner.clearances.get().via == "portal"


def test_duplicate_email_is_reshown_with_a_message(admin_client, org):
    LearnerFactory(organization=org, email="taken@school.example")
    learner = LearnerFactory(organization=org)

    response = edit(admin_client, learner, email="TAKEN@school.example")

    assert response.status_code == 200
    assert "already uses this address" in response.content.decode()


def test_viewer_sees_no_edit_link_and_gets_403_on_post(viewer_client, org):
    learner = bounced_learner(org)

    page = viewer_client.get(reverse("contacts:learner-detail", args=[learner.pk]))
    response = edit(viewer_client, learner, acknowledge_valid="on")

    assert reverse("contacts:learner-edit", args=[learner.pk]) not in page.content.decode()
    assert response.status_code == 403
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_learner_edit_saves_nothing_when_the_new_address_is_taken(org, admin_member):
    from contacts.deliverability import LearnerStateError
    from contacts.services import edit_learner

    LearnerFactory(organization=org, email="taken@school.example")
    learner = bounced_learner(org, learner__first_name="Ada")

    with pytest.raises(LearnerStateError):
        edit_learner(
            learner=learner,
            first_name="Renamed",
            last_name=learner.last_name,
            department="Finance",
            email="taken@school.example",
            acknowledge_valid=False,
            edited_by=admin_member.user,
        )

    learner.refresh_from_db()
    assert (learner.first_name, learner.department) == ("Ada", "")
    assert learner.email != "taken@school.example"
    assert learner.status == DeliverabilityStatus.BOUNCED and not learner.clearances.exists()


def test_learner_edit_page_keeps_the_old_name_when_the_address_was_taken_after_validation(
    admin_client, org, monkeypatch
):
    from contacts.forms import LearnerEditForm

    learner = LearnerFactory(organization=org, first_name="Ada")
    # The form checked the address before another admin saved a learner with it (the race).
    monkeypatch.setattr(LearnerEditForm, "clean_email", lambda form: form.cleaned_data["email"].strip())
    LearnerFactory(organization=org, email="taken@school.example")

    response = edit(admin_client, learner, first_name="Renamed", email="taken@school.example")

    assert response.status_code == 200
    assert "already uses taken@school.example" in response.content.decode()
    learner.refresh_from_db()
    assert (learner.first_name, learner.email) == ("Ada", learner.email)


def test_learner_edit_saves_nothing_when_the_learner_was_cleared_meanwhile(org, admin_member):
    from contacts.deliverability import LearnerStateError, clear_bounce_status
    from contacts.services import edit_learner

    learner = bounced_learner(org, learner__first_name="Ada")
    clear_bounce_status(learner=learner, cleared_by=None, note="cleared by a colleague")

    with pytest.raises(LearnerStateError):
        edit_learner(
            learner=learner,
            first_name="Renamed",
            last_name="",
            department="",
            email=learner.email,
            acknowledge_valid=True,
            edited_by=admin_member.user,
        )

    learner.refresh_from_db()
    assert learner.first_name == "Ada" and learner.clearances.count() == 1
