"""Who may do what (contacts.capabilities): one rule per capability, the same in every page that asks."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from campaigns.services.policy import apply_bounce_event
from contacts import capabilities
from tests.factories import BounceEventFactory, InboundMessageFactory, SendFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_CAPABILITY = (
    capabilities.can_clear_bounce,
    capabilities.can_view_raw_messages,
    capabilities.can_launch_runs,
    capabilities.can_edit_mailboxes,
    capabilities.can_manage_settings,
    capabilities.can_use_api,
)


def grant_clear_bounce(user):
    user.user_permissions.add(Permission.objects.get(codename="clear_bounce"))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: permissions are cached per instance


def test_an_organization_admin_holds_every_capability_in_their_organization_only(admin_member, org, other_org):
    user = admin_member.user

    assert all(capability(user, org) for capability in EVERY_CAPABILITY)
    assert not any(capability(user, other_org) for capability in EVERY_CAPABILITY)


def test_a_viewer_holds_none_until_granted_clear_bounce_which_gives_only_that(viewer_member, org):
    before = [capability(viewer_member.user, org) for capability in EVERY_CAPABILITY]

    user = grant_clear_bounce(viewer_member.user)

    assert not any(before)
    assert [capability(user, org) for capability in EVERY_CAPABILITY] == [True, False, False, False, False, False]


def test_in_the_admin_clearing_and_raw_messages_follow_model_permissions(cx_user):
    nobody = UserFactory(username="staffer", is_staff=True)

    assert capabilities.can_clear_bounce(cx_user, None) and capabilities.can_view_raw_messages(cx_user, None)
    assert not capabilities.can_clear_bounce(nobody, None) and not capabilities.can_view_raw_messages(nobody, None)


def test_a_viewer_holding_clear_bounce_sees_no_raw_message_link_and_the_raw_page_refuses_them(
    client, viewer_member, org
):
    user = grant_clear_bounce(viewer_member.user)
    message = InboundMessageFactory(organization=org)
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=send, inbound_message=message))
    raw_url = reverse("campaigns:inbound-raw", args=[message.pk])
    client.force_login(user)

    profile = client.get(reverse("contacts:learner-detail", args=[send.learner.pk])).content.decode()
    raw = client.get(raw_url)

    assert "Edit or clear bounce" in profile  # the clear_bounce permission is honoured on the same page
    assert raw_url not in profile
    assert raw.status_code == 403


def test_an_admin_sees_the_raw_message_link_and_the_page_it_leads_to(admin_client, org):
    message = InboundMessageFactory(organization=org)
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=send, inbound_message=message))
    raw_url = reverse("campaigns:inbound-raw", args=[message.pk])

    profile = admin_client.get(reverse("contacts:learner-detail", args=[send.learner.pk])).content.decode()

    assert raw_url in profile
    assert admin_client.get(raw_url).status_code == 200
