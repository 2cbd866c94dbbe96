"""Settings → Members: admins invite colleagues by a signed, expiring link, change roles, deactivate members.

Every change leaves a MemberChange row; the last admin stays; viewers are refused.
"""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse

from contacts import members
from contacts.capabilities import can_clear_bounce
from contacts.models import Invitation, MemberAction, MemberChange, Membership
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
MEMBERS = reverse("contacts:member-list")
PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Post the invite form; the mail goes out once the transaction commits, as in production."""

    def post(client, email="dora@acme.example", role="viewer", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(MEMBERS, {"email": email, "role": role, **extra})

    return post


def log_in(client, username, password) -> bool:
    """Log in through the portal's login page (as a person would); True when a session was made."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def mailed_link(mail) -> str:
    found = re.search(r"http://testserver(/accounts/invitation/\S+/)", mail.body)
    assert found, mail.body
    return found.group(1)


def test_the_members_page_lists_each_member_with_role_clear_right_last_login_and_state(admin_client, org, other_org):
    MembershipFactory(organization=org, user__username="vera", role="viewer", may_clear_bounces=True)
    MembershipFactory(organization=org, user__username="gone", user__is_active=False, role="viewer")
    MembershipFactory(organization=other_org, user__username="stranger")

    body = admin_client.get(MEMBERS).content.decode()

    assert "vera@portal.example" in body and "alice@portal.example" in body
    assert re.search(r"vera</a></td>\s*<td>[^<]*</td>\s*<td>Viewer</td>\s*<td>Yes</td>", body)
    assert re.search(r"gone</a>.*?<td>Never</td>\s*<td>Deactivated</td>", body, re.S)
    assert "stranger" not in body


def test_an_invitee_follows_the_mailed_link_sets_a_password_and_joins_with_the_invited_role(
    invite, admin_client, admin_member, org, mailoutbox, client
):
    response = invite(admin_client, role="viewer", may_clear_bounces="on")
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["dora@acme.example"] and "Acme Training" in mail.subject
    admin_client.logout()

    page = client.get(mailed_link(mail))
    assert page.status_code == 200 and "Join Acme Training" in page.content.decode()
    joined = client.post(mailed_link(mail), {"username": "dora", "password1": PASSWORD, "password2": PASSWORD})

    assert joined.status_code == 302 and joined["Location"] == reverse("login")
    membership = Membership.objects.get(user__username="dora")
    assert (membership.organization, membership.role, membership.may_clear_bounces) == (org, "viewer", True)
    assert membership.user.email == "dora@acme.example" and membership.user.check_password(PASSWORD)
    assert can_clear_bounce(membership.user, org)
    assert log_in(client, "dora", PASSWORD)
    actions = list(MemberChange.objects.filter(organization=org).values_list("action", "actor__username"))
    assert actions == [(MemberAction.JOINED, "dora"), (MemberAction.INVITED, "alice")]
    # The link works once.
    assert client.get(mailed_link(mail)).status_code == 404


def test_the_invitee_password_must_pass_djangos_validators(invite, admin_client, mailoutbox, client):
    invite(admin_client)
    link = mailed_link(mailoutbox[0])

    response = client.post(link, {"username": "dora", "password1": "12345678", "password2": "12345678"})

    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not get_user_model().objects.filter(username="dora").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_tampered_invitation_link_is_refused(invite, admin_client, mailoutbox, client):
    invite(admin_client)
    token = members.invitation_token(Invitation.objects.get())
    forged = str(Invitation.objects.get().pk + 1) + token[token.index(":") :]

    for bad in (token[:-2] + "xx", forged):
        url = reverse("invitation-accept", args=[bad])
        assert client.get(url).status_code == 404
        response = client.post(url, {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 404 and "not valid" in response.content.decode()
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_an_expired_invitation_link_is_refused(invite, admin_client, client):
    invite(admin_client)

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - members.INVITATION_MAX_AGE - 86400)

    token = EightDaysAgo(salt=members.INVITATION_SALT).sign(str(Invitation.objects.get().pk))
    url = reverse("invitation-accept", args=[token])

    response = client.post(url, {"username": "late", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 404 and "expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="late").exists()


def test_an_address_that_already_has_an_account_is_not_invited(invite, admin_client, mailoutbox):
    response = invite(admin_client, email="ALICE@portal.example")

    assert response.status_code == 200 and "already has an account" in response.content.decode()
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_an_admin_changes_a_members_role_and_clear_right_audited(admin_client, admin_member, viewer_member, org):
    url = reverse("contacts:member-detail", args=[viewer_member.pk])
    assert not can_clear_bounce(viewer_member.user, org)

    admin_client.post(url, {"role": "viewer", "may_clear_bounces": "on"})
    viewer_member.refresh_from_db()
    assert viewer_member.may_clear_bounces and can_clear_bounce(viewer_member.user, org)

    admin_client.post(url, {"role": "admin"})
    viewer_member.refresh_from_db()
    assert (viewer_member.role, viewer_member.may_clear_bounces) == ("admin", False)
    change = MemberChange.objects.filter(member=viewer_member.user).first()
    assert (change.actor, change.action) == (admin_member.user, MemberAction.ROLE_CHANGED)
    assert change.detail == {
        "before": {"role": "viewer", "may_clear_bounces": True},
        "after": {"role": "admin", "may_clear_bounces": False},
    }


def test_the_last_admin_can_neither_demote_nor_deactivate_themself(admin_client, admin_member, viewer_member):
    detail = reverse("contacts:member-detail", args=[admin_member.pk])

    demoted = admin_client.post(detail, {"role": "viewer"})
    deactivated = admin_client.post(reverse("contacts:member-deactivate", args=[admin_member.pk]), follow=True)

    assert "last admin" in demoted.content.decode()
    assert "last admin" in deactivated.content.decode()
    admin_member.refresh_from_db()
    admin_member.user.refresh_from_db()
    assert admin_member.role == "admin" and admin_member.user.is_active
    assert not MemberChange.objects.exists()


def test_with_a_second_admin_an_admin_may_step_down(admin_client, admin_member, org):
    MembershipFactory(organization=org, user__username="bob", role="admin")

    admin_client.post(reverse("contacts:member-detail", args=[admin_member.pk]), {"role": "viewer"})

    admin_member.refresh_from_db()
    assert admin_member.role == "viewer"


def test_a_deactivated_admin_does_not_count_as_the_other_admin(admin_client, admin_member, org):
    MembershipFactory(organization=org, user__username="bob", role="admin", user__is_active=False)

    admin_client.post(reverse("contacts:member-detail", args=[admin_member.pk]), {"role": "viewer"})

    admin_member.refresh_from_db()
    assert admin_member.role == "admin"


def test_deactivating_a_member_ends_their_sessions_and_their_login(admin_client, viewer_member, client, org):
    from django.test import Client

    victor = Client()
    assert log_in(victor, "victor", "correct horse battery staple")
    assert victor.get(reverse("contacts:learner-list")).status_code == 200
    other_device = Client()
    other_device.force_login(viewer_member.user)

    response = admin_client.post(reverse("contacts:member-deactivate", args=[viewer_member.pk]))

    assert response.status_code == 302
    viewer_member.user.refresh_from_db()
    assert not viewer_member.user.is_active
    for device in (victor, other_device):
        assert device.get(reverse("contacts:learner-list")).status_code == 302  # to the login page
    assert not log_in(Client(), "victor", "correct horse battery staple")
    change = MemberChange.objects.get(action=MemberAction.DEACTIVATED)
    assert change.member == viewer_member.user and change.detail == {"sessions_ended": 2}
    assert members.end_sessions(viewer_member.user) == 0  # no stored session of theirs is left
    # The admin's own session is untouched.
    assert admin_client.get(MEMBERS).status_code == 200


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", MEMBERS),
        ("post", MEMBERS),
        ("get", "detail"),
        ("post", "detail"),
        ("post", "deactivate"),
    ],
)
def test_viewers_are_refused_every_members_page(viewer_client, admin_member, method, url):
    if url in ("detail", "deactivate"):
        url = reverse(f"contacts:member-{url}", args=[admin_member.pk])

    response = getattr(viewer_client, method)(
        url, {"email": "x@acme.example", "role": "admin"} if method == "post" else None
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists() and not MemberChange.objects.exists()


def test_another_organizations_member_is_a_404(admin_client, other_org):
    stranger = MembershipFactory(organization=other_org, user__username="stranger", role="viewer")

    assert admin_client.get(reverse("contacts:member-detail", args=[stranger.pk])).status_code == 404
    assert admin_client.post(reverse("contacts:member-deactivate", args=[stranger.pk])).status_code == 404
    stranger.user.refresh_from_db()
    assert stranger.user.is_active


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(org):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    alice = MembershipFactory(organization=org, user__username="alice", role="admin")
    bob = MembershipFactory(organization=org, user__username="bob", role="admin")
    barrier = Barrier(2)

    def demote(target, by):
        try:
            barrier.wait(timeout=10)
            members.change_member_role(membership=target, changed_by=by.user, role="viewer", may_clear_bounces=False)
            return "demoted"
        except members.LastAdminError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(demote, [alice, bob], [bob, alice]))

    assert outcomes == ["demoted", "refused"]
    assert Membership.objects.filter(organization=org, role="admin").count() == 1
    assert MemberChange.objects.filter(action=MemberAction.ROLE_CHANGED).count() == 1


def test_a_member_change_cannot_be_edited_or_deleted(admin_client, viewer_member):
    from django.db import IntegrityError, transaction

    admin_client.post(reverse("contacts:member-detail", args=[viewer_member.pk]), {"role": "admin"})
    change = MemberChange.objects.get()

    for rewrite in (lambda: MemberChange.objects.update(action="joined"), lambda: MemberChange.objects.all().delete()):
        with pytest.raises(IntegrityError, match="audit record"), transaction.atomic():
            rewrite()
    change.refresh_from_db()
    assert change.action == MemberAction.ROLE_CHANGED


def test_a_second_invitation_of_the_same_address_cannot_make_a_second_account(invite, admin_client, mailoutbox, client):
    invite(admin_client)
    invite(admin_client)
    first, second = (mailed_link(mail) for mail in mailoutbox)
    client.post(first, {"username": "dora", "password1": PASSWORD, "password2": PASSWORD})

    response = client.post(second, {"username": "dora2", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 404 and "already has an account" in response.content.decode()
    assert list(get_user_model().objects.filter(email="dora@acme.example").values_list("username", flat=True)) == [
        "dora"
    ]


def test_an_admin_revokes_an_open_invitation_and_its_link_stops_working(invite, admin_client, org, mailoutbox, client):
    invite(admin_client)
    invitation = Invitation.objects.get()
    link = mailed_link(mailoutbox[0])

    response = admin_client.post(reverse("contacts:invitation-revoke", args=[invitation.pk]), follow=True)

    assert "The invitation of dora@acme.example is withdrawn" in response.content.decode()
    assert "Open invitations" not in response.content.decode()
    refused = client.post(link, {"username": "dora", "password1": PASSWORD, "password2": PASSWORD})
    assert refused.status_code == 404 and "withdrawn" in refused.content.decode()
    assert not get_user_model().objects.filter(username="dora").exists()
    change = MemberChange.objects.filter(organization=org).first()
    assert (change.action, change.actor.username, change.detail["email"]) == (
        MemberAction.INVITATION_REVOKED,
        "alice",
        "dora@acme.example",
    )


def test_resending_mails_a_new_link_and_the_old_one_stops_working(
    invite, admin_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    invite(admin_client, role="admin")
    old = Invitation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("contacts:invitation-resend", args=[old.pk]), follow=True)
    assert "A new invitation was sent to dora@acme.example" in response.content.decode()

    first, second = (mailed_link(mail) for mail in mailoutbox)
    assert first != second
    assert client.get(first).status_code == 404
    joined = client.post(second, {"username": "dora", "password1": PASSWORD, "password2": PASSWORD})
    assert joined.status_code == 302
    assert Membership.objects.get(user__username="dora").role == "admin"
    resent = MemberChange.objects.get(action=MemberAction.INVITATION_RESENT)
    assert resent.detail["replaces"] == old.pk and resent.detail["invitation"] != old.pk


def test_a_revoked_invitation_cannot_be_resent_or_revoked_again(invite, admin_client, mailoutbox):
    invite(admin_client)
    invitation = Invitation.objects.get()
    admin_client.post(reverse("contacts:invitation-revoke", args=[invitation.pk]))

    again = admin_client.post(reverse("contacts:invitation-resend", args=[invitation.pk]), follow=True)

    assert "This invitation was already withdrawn." in again.content.decode()
    assert len(mailoutbox) == 1 and Invitation.objects.count() == 1


def test_an_admin_reactivates_a_deactivated_member_who_can_then_log_in(admin_client, org):
    client = Client()  # the member's own browser (admin_client is the test's ``client``)
    gone = MembershipFactory(organization=org, user__username="gone", role="viewer", may_clear_bounces=True)
    admin_client.post(reverse("contacts:member-deactivate", args=[gone.pk]))
    assert not log_in(client, "gone", "correct horse battery staple")

    page = admin_client.get(reverse("contacts:member-detail", args=[gone.pk])).content.decode()
    response = admin_client.post(reverse("contacts:member-reactivate", args=[gone.pk]), follow=True)

    assert "Reactivate gone" in page
    assert "gone can log in again." in response.content.decode()
    assert log_in(client, "gone", "correct horse battery staple")
    gone.refresh_from_db()
    assert (gone.role, gone.may_clear_bounces) == ("viewer", True)
    actions = list(MemberChange.objects.filter(member=gone.user).values_list("action", flat=True))
    assert actions == [MemberAction.REACTIVATED, MemberAction.DEACTIVATED]


def test_reactivating_an_active_member_is_refused_and_writes_nothing(admin_client, viewer_member):
    response = admin_client.post(reverse("contacts:member-reactivate", args=[viewer_member.pk]), follow=True)

    assert "victor is active already." in response.content.decode()
    assert not MemberChange.objects.exists()


def test_viewers_may_not_revoke_resend_or_reactivate(viewer_client, org):
    invitation = Invitation.objects.create(organization=org, email="dora@acme.example")
    gone = MembershipFactory(organization=org, user__username="gone", user__is_active=False)

    for url in (
        reverse("contacts:invitation-revoke", args=[invitation.pk]),
        reverse("contacts:invitation-resend", args=[invitation.pk]),
        reverse("contacts:member-reactivate", args=[gone.pk]),
    ):
        assert viewer_client.post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and not get_user_model().objects.get(username="gone").is_active
