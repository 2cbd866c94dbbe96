"""An organization's members: invite, revoke or resend an invitation, accept, change a role, deactivate,
reactivate (one audit row each, same transaction).

Every function is keyword-only and atomic. The last active admin of an organization can be
neither demoted nor deactivated, by themself or anyone: the organization would be left with
nobody who can manage it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contacts.choices import MemberRole
from contacts.models import Invitation, MemberAction, MemberChange, Membership, Organization

INVITATION_SALT = "contacts.members.invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds: an invitation link works for a week


class InvitationInvalid(Exception):
    """The invitation link is tampered with, expired, already used, or its address already has an account."""


class LastAdminError(ValidationError):
    """Refused: the change would leave the organization without an active admin."""


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a link names; InvitationInvalid when tampered with, expired or used."""
    try:
        pk = signing.TimestampSigner(salt=INVITATION_SALT).unsign(token, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvitationInvalid(
            gettext("This invitation has expired; ask your organization's admin for a new one.")
        ) from None
    except signing.BadSignature:
        raise InvitationInvalid(gettext("This invitation link is not valid.")) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(gettext("This invitation has already been used."))
    if invitation.revoked_at is not None:  # withdrawn, or replaced by a resent one with a new link
        raise InvitationInvalid(gettext("This invitation was withdrawn; ask your organization's admin for a new one."))
    return invitation


def _audit(*, organization, actor, action, member=None, **detail) -> MemberChange:
    return MemberChange.objects.create(
        organization=organization, actor=actor, member=member, action=action, detail=detail
    )


@transaction.atomic
def invite_member(
    *, organization, invited_by, email: str, role: str, may_clear_bounces: bool, accept_url
) -> Invitation:
    """Record an invitation and mail its link; ``accept_url(token)`` makes the absolute link."""
    email = get_user_model().objects.normalize_email(email)
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise ValidationError(gettext("%(email)s already has an account.") % {"email": email})
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, may_clear_bounces=may_clear_bounces, invited_by=invited_by
    )
    _audit(organization=organization, actor=invited_by, action=MemberAction.INVITED, email=email, role=role)
    _mail_invitation(invitation, invited_by=invited_by, accept_url=accept_url)
    return invitation


def _mail_invitation(invitation: Invitation, *, invited_by, accept_url) -> None:
    """Mail the invitation's link after commit; ``accept_url(token)`` makes the absolute link."""
    organization = invitation.organization
    link = accept_url(invitation_token(invitation))
    # In the inviting admin's language (the invitee has none yet), built now, mailed after commit.
    subject = gettext("Join %(organization)s on BouncePortal") % {"organization": organization.name}
    body = gettext(
        "%(inviter)s invites you to %(organization)s on BouncePortal as %(role)s.\n\n"
        "Choose your username and password here (the link works for %(days)s days):\n%(link)s\n"
    ) % {
        "inviter": invited_by.get_username(),
        "organization": organization.name,
        "role": invitation.get_role_display().lower(),
        "days": INVITATION_MAX_AGE // 86400,
        "link": link,
    }
    email = invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _withdraw_open_invitation(invitation: Invitation) -> Invitation:
    """Mark the invitation revoked, read afresh under a row lock (its link stops working); ValidationError
    when it was accepted or revoked meanwhile."""
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(gettext("%(email)s has already accepted the invitation.") % {"email": invitation.email})
    if invitation.revoked_at is not None:
        raise ValidationError(gettext("This invitation was already withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, revoked_by) -> Invitation:
    """Withdraw an open invitation: its link stops working."""
    invitation = _withdraw_open_invitation(invitation)
    _audit(
        organization=invitation.organization,
        actor=revoked_by,
        action=MemberAction.INVITATION_REVOKED,
        invitation=invitation.pk,
        email=invitation.email,
    )
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, resent_by, accept_url) -> Invitation:
    """Replace an open invitation by a new one (same address and role, a fresh week) and mail its link;
    the old link stops working. Returns the new invitation."""
    old = _withdraw_open_invitation(invitation)
    new = Invitation.objects.create(
        organization=old.organization,
        email=old.email,
        role=old.role,
        may_clear_bounces=old.may_clear_bounces,
        invited_by=resent_by,
    )
    _audit(
        organization=old.organization,
        actor=resent_by,
        action=MemberAction.INVITATION_RESENT,
        invitation=new.pk,
        replaces=old.pk,
        email=old.email,
    )
    _mail_invitation(new, invited_by=resent_by, accept_url=accept_url)
    return new


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str) -> Membership:
    """Make the invitee a user and member with the invited role; the link then no longer works."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationInvalid(gettext("This invitation has already been used."))
    if invitation.revoked_at is not None:  # revoked while the invitee filled in the form
        raise InvitationInvalid(gettext("This invitation was withdrawn; ask your organization's admin for a new one."))
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalid(
            gettext("%(email)s already has an account; log in with it.") % {"email": invitation.email}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": gettext("That username is taken.")})
    user = User(username=username, email=invitation.email)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(
        user=user,
        organization=invitation.organization,
        role=invitation.role,
        may_clear_bounces=invitation.may_clear_bounces,
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        organization=invitation.organization,
        actor=user,
        member=user,
        action=MemberAction.JOINED,
        invitation=invitation.pk,
        role=invitation.role,
    )
    return membership


def _locked_membership(membership: Membership) -> Membership:
    """Lock the organization first (so two admins demoting each other at once are serialised, not
    deadlocked, and the second sees the first's change), then read the membership afresh."""
    Organization.objects.select_for_update().filter(pk=membership.organization_id).first()
    return Membership.objects.select_related("user", "organization").get(pk=membership.pk)


def _refuse_losing_last_admin(membership: Membership) -> None:
    if membership.role != MemberRole.ADMIN or not membership.user.is_active:
        return
    admins = Membership.objects.filter(
        organization_id=membership.organization_id, role=MemberRole.ADMIN, user__is_active=True
    )
    if not admins.exclude(pk=membership.pk).exists():
        raise LastAdminError(
            gettext("The organization's last admin cannot be demoted or deactivated; make another admin first.")
        )


@transaction.atomic
def change_member_role(*, membership: Membership, changed_by, role: str, may_clear_bounces: bool) -> Membership:
    """Set a member's role and whether they may clear bounces (the last admin stays an admin)."""
    membership = _locked_membership(membership)
    before = {"role": membership.role, "may_clear_bounces": membership.may_clear_bounces}
    if role != MemberRole.ADMIN:
        _refuse_losing_last_admin(membership)
    membership.role, membership.may_clear_bounces = role, may_clear_bounces
    membership.save(update_fields=["role", "may_clear_bounces"])
    after = {"role": role, "may_clear_bounces": may_clear_bounces}
    _audit(
        organization=membership.organization,
        actor=changed_by,
        member=membership.user,
        action=MemberAction.ROLE_CHANGED,
        before=before,
        after=after,
    )
    return membership


def end_sessions(user) -> int:
    """Delete every stored session of ``user``; returns how many ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def deactivate_member(*, membership: Membership, deactivated_by) -> Membership:
    """The member can no longer log in and every session of theirs ends (the last admin cannot be)."""
    membership = _locked_membership(membership)
    _refuse_losing_last_admin(membership)
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    _audit(
        organization=membership.organization,
        actor=deactivated_by,
        member=user,
        action=MemberAction.DEACTIVATED,
        sessions_ended=ended,
    )
    return membership


@transaction.atomic
def reactivate_member(*, membership: Membership, reactivated_by) -> Membership:
    """A deactivated member may log in again, with the role and flags they had."""
    membership = _locked_membership(membership)
    user = membership.user
    if user.is_active:
        raise ValidationError(gettext("%(username)s is active already.") % {"username": user.get_username()})
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(
        organization=membership.organization,
        actor=reactivated_by,
        member=user,
        action=MemberAction.REACTIVATED,
        role=membership.role,
    )
    return membership


@transaction.atomic
def add_member(*, user, organization, role: str, may_clear_bounces: bool, added_by) -> Membership:
    """Make an existing user a member (support staff in the Django admin; the portal invites instead)."""
    membership = Membership.objects.create(
        user=user, organization=organization, role=role, may_clear_bounces=may_clear_bounces
    )
    _audit(
        organization=organization,
        actor=added_by,
        member=user,
        action=MemberAction.ADDED,
        role=role,
        may_clear_bounces=may_clear_bounces,
    )
    return membership


def refuse_losing_last_admin(*, membership: Membership, role: str) -> None:
    """LastAdminError when giving ``membership`` this role would leave its organization without an active
    admin (a form's check before saving; the services check again under the lock)."""
    if role != MemberRole.ADMIN:
        _refuse_losing_last_admin(Membership.objects.select_related("user").get(pk=membership.pk))
