"""Who reaches the admin: the "Customer experience" group can do the support job, portal users cannot."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    BounceEventFactory,
    BounceMailboxFactory,
    InboundMessageFactory,
    LearnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUPPORT_PAGES = [
    "admin:index",
    "admin:contacts_organization_changelist",
    "admin:contacts_membership_changelist",
    "admin:contacts_learner_changelist",
    "admin:contacts_clearance_changelist",
    "admin:contacts_bulkclearjob_changelist",
    "admin:contacts_webhooksubscription_changelist",
    "admin:contacts_webhookdelivery_changelist",
    "admin:contacts_learner_address_list",
    "admin:campaigns_campaign_changelist",
    "admin:campaigns_campaignrun_changelist",
    "admin:campaigns_send_changelist",
    "admin:campaigns_bouncemailbox_changelist",
    "admin:campaigns_inboundmessage_changelist",
    "admin:campaigns_bounceevent_changelist",
]


def test_the_group_holds_exactly_the_support_permissions():
    group = Group.objects.get(name="Customer experience")

    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    assert granted == {
        "contacts.view_organization",
        "contacts.view_membership",
        "contacts.view_bouncepolicy",
        "contacts.view_automationrule",
        "contacts.view_learner",
        "contacts.clear_bounce",
        "contacts.view_clearance",
        "contacts.view_bulkclearjob",
        "campaigns.view_campaign",
        "campaigns.view_campaignrun",
        "campaigns.view_send",
        "campaigns.view_bouncemailbox",
        "campaigns.change_bouncemailbox",
        "campaigns.view_inboundmessage",
        "campaigns.change_inboundmessage",
        "campaigns.view_bounceevent",
        # The never-suppress lists (contacts/migrations/0003): configuration audited with who added and
        # removed each entry, never deleted, so support may add entries and "change" unlocks the removal.
        "contacts.view_neversuppress",
        "contacts.add_neversuppress",
        "contacts.change_neversuppress",
        # Login lockouts (contacts/migrations/0008): support sees them and unlocks, which removes axes'
        # failure records (its admin's "Unlock" action); the only delete permission support holds.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Outbound webhooks (contacts/migrations/0015): support sees subscriptions and deliveries and
        # fixes subscriptions (edit, enable, disable); the secret is never shown in the admin.
        "contacts.view_webhooksubscription",
        "contacts.change_webhooksubscription",
        "contacts.view_webhookdelivery",
    }
    assert {p.codename for p in group.permissions.all() if p.codename.startswith("delete_")} == {"delete_accessattempt"}
    assert {p.codename for p in group.permissions.all() if p.codename.startswith("add_")} == {"add_neversuppress"}


@pytest.mark.parametrize("name", SUPPORT_PAGES)
def test_support_reaches_every_page_of_the_job(cx_client, name):
    assert cx_client.get(reverse(name)).status_code == 200


def test_support_opens_each_kind_of_record(cx_client, org):
    learner = LearnerFactory(organization=org)
    event = BounceEventFactory(
        send__learner=learner,
        send__run__campaign__organization=org,
        inbound_message=InboundMessageFactory(organization=org),
    )
    mailbox = BounceMailboxFactory(organization=org)
    pages = [
        reverse("admin:contacts_organization_change", args=[org.pk]),
        reverse("admin:contacts_learner_change", args=[learner.pk]),
        reverse("admin:campaigns_send_change", args=[event.send_id]),
        reverse("admin:campaigns_campaignrun_change", args=[event.send.run_id]),
        reverse("admin:campaigns_bounceevent_change", args=[event.pk]),
        reverse("admin:campaigns_inboundmessage_change", args=[event.inbound_message_id]),
        reverse("admin:campaigns_bouncemailbox_change", args=[mailbox.pk]),
    ]

    assert [cx_client.get(url).status_code for url in pages] == [200] * len(pages)


def test_support_cannot_edit_learners_or_manage_users(cx_client, org):
    learner = LearnerFactory(organization=org, email="ada@school.example")

    edit = cx_client.post(
        reverse("admin:contacts_learner_change", args=[learner.pk]),
        {"email": "evil@school.example", "organization": org.pk},
    )
    users = cx_client.get(reverse("admin:auth_user_changelist"))
    delete = cx_client.post(reverse("admin:contacts_learner_delete", args=[learner.pk]), {"post": "yes"})

    assert (edit.status_code, users.status_code, delete.status_code) == (403, 403, 403)
    learner.refresh_from_db()
    assert learner.email == "ada@school.example"


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:contacts_learner_changelist",
        "admin:contacts_learner_address_list",
        "admin:campaigns_inboundmessage_changelist",
    ],
)
def test_portal_only_user_cannot_reach_the_admin(admin_client, name):
    response = admin_client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_portal_admin_cannot_run_the_bulk_clear_through_the_admin(admin_client, org):
    learner = LearnerFactory(organization=org, status="bounced", last_bounced_at=timezone.now())

    response = admin_client.post(
        reverse("admin:contacts_learner_changelist"),
        {"action": "clear_bounce_status", "_selected_action": [learner.pk]},
    )

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    learner.refresh_from_db()
    assert learner.status == "bounced"


def test_staff_without_the_clear_permission_gets_no_clear_action_or_pages(client, org):
    viewer = UserFactory(username="intern", is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Customer experience").permissions.exclude(codename="clear_bounce")
    )
    client.force_login(viewer)

    changelist = client.get(reverse("admin:contacts_learner_changelist")).content.decode()
    address_list = client.get(reverse("admin:contacts_learner_address_list"))

    assert "clear_bounce_status" not in changelist and "Clear by address list" not in changelist
    assert address_list.status_code == 403
