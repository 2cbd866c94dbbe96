"""Support staff editing memberships in the Django admin go through contacts/members.py: audited, last admin kept."""

import pytest
from django.urls import reverse

from contacts.models import MemberAction, MemberChange, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@ops.example", "x"))
    return client


def change(client, membership, **data):
    url = reverse("admin:contacts_membership_change", args=[membership.pk])
    return client.post(url, {"role": membership.role, **data})


def test_a_role_change_in_the_admin_is_a_member_change_row(superuser_client, admin_member, viewer_member):
    response = change(superuser_client, viewer_member, role="admin", may_clear_bounces="on")

    assert response.status_code == 302
    viewer_member.refresh_from_db()
    assert (viewer_member.role, viewer_member.may_clear_bounces) == ("admin", True)
    row = MemberChange.objects.get()
    assert (row.action, row.actor.username, row.member) == (MemberAction.ROLE_CHANGED, "root", viewer_member.user)
    assert row.detail == {
        "before": {"role": "viewer", "may_clear_bounces": False},
        "after": {"role": "admin", "may_clear_bounces": True},
    }


def test_saving_unchanged_writes_no_row(superuser_client, viewer_member):
    change(superuser_client, viewer_member)

    assert not MemberChange.objects.exists()


def test_the_admin_cannot_demote_the_last_admin(superuser_client, admin_member):
    response = change(superuser_client, admin_member, role="viewer")

    assert response.status_code == 200 and "last admin" in response.content.decode()
    admin_member.refresh_from_db()
    assert admin_member.role == "admin" and not MemberChange.objects.exists()


def test_adding_a_membership_in_the_admin_is_audited(superuser_client, org):
    user = UserFactory(username="newcomer")

    response = superuser_client.post(
        reverse("admin:contacts_membership_add"), {"user": user.pk, "organization": org.pk, "role": "viewer"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    row = MemberChange.objects.get()
    assert (row.action, row.member, row.organization, row.detail["role"]) == (MemberAction.ADDED, user, org, "viewer")
    assert membership.role == "viewer"


def test_memberships_are_not_deleted_in_the_admin(superuser_client, org):
    membership = MembershipFactory(organization=org, user__username="stays")

    response = superuser_client.post(reverse("admin:contacts_membership_delete", args=[membership.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
