"""What campaigns adds to contacts' learner pages (campaigns/learner_pages.py, the contacts.extensions point)."""

import pytest
from django.urls import reverse

from bounceportal.audit import retention_path
from campaigns.models import BounceEvent
from tests.factories import bounced_learner

pytestmark = pytest.mark.django_db


def test_the_profile_and_edit_pages_name_the_bounce_event_that_set_the_status(admin_client, org):
    learner = bounced_learner(org)
    event = BounceEvent.objects.get(pk=learner.status_event_id)

    profile = admin_client.get(reverse("contacts:learner-detail", args=[learner.pk])).content.decode()
    edit = admin_client.get(reverse("contacts:learner-edit", args=[learner.pk])).content.decode()

    assert f"{learner.status_reason} — {event.get_subtype_display()}" in profile
    assert f"({learner.status_reason}: {event.get_subtype_display()})" in edit
    assert "What the receiving server said" in edit


def test_a_status_event_deleted_since_leaves_the_pages_working_without_it(admin_client, org):
    learner = bounced_learner(org)
    with retention_path():  # the one way an event goes (bounceportal/audit.py)
        BounceEvent.objects.filter(pk=learner.status_event_id).delete()

    edit = admin_client.get(reverse("contacts:learner-edit", args=[learner.pk]))

    assert edit.status_code == 200
    assert "What the receiving server said" not in edit.content.decode()
