"""Who may do what: one function per capability, each taking ``(user, organization)``.

Views, templates (``can.<capability>`` from ``contacts.tenancy.organization_context``)
and the admin ask these functions and nothing else, so a rule changes in one place.

``organization`` is the organization acted on; ``None`` means the Django admin,
where customer-experience staff work across every organization with model
permissions instead of a membership.
"""

from django.core.exceptions import ObjectDoesNotExist

from contacts.choices import MemberRole

# Global permissions: held by customer-experience staff (the "Customer experience" group) or
# granted to one portal user.
CLEAR_BOUNCE_PERMISSION = "contacts.clear_bounce"
# The admin shows raw messages on the inbound message's own page, to staff who may view (or change) those.
VIEW_INBOUND_PERMISSIONS = ("campaigns.view_inboundmessage", "campaigns.change_inboundmessage")


def membership_in(user, organization):
    """Return the user's Membership when it is in ``organization``, else None."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        membership = user.membership
    except ObjectDoesNotExist:
        return None
    return membership if membership.organization_id == organization.pk else None


def is_org_admin(user, organization) -> bool:
    """True when the user is an admin member of ``organization``."""
    membership = membership_in(user, organization)
    return membership is not None and membership.role == MemberRole.ADMIN


def can_clear_bounce(user, organization) -> bool:
    """Clear learners' bounce statuses: the organization's admins, members it lets clear bounces,
    and holders of ``clear_bounce``."""
    membership = membership_in(user, organization)
    if organization is not None and membership is None:
        return False
    if membership is not None and membership.may_clear_bounces:
        return True
    return is_org_admin(user, organization) or user.has_perm(CLEAR_BOUNCE_PERMISSION)


def can_view_raw_messages(user, organization) -> bool:
    """See raw inbound messages: the organization's admins; in the admin, staff who may view inbound messages.

    Holding ``clear_bounce`` is not enough: a raw message may carry other people's data.
    """
    if organization is None:
        return any(user.has_perm(permission) for permission in VIEW_INBOUND_PERMISSIONS)
    return is_org_admin(user, organization)


def can_launch_runs(user, organization) -> bool:
    """Launch a campaign run from the portal: the organization's admins."""
    return is_org_admin(user, organization)


def can_edit_mailboxes(user, organization) -> bool:
    """Create, change and test bounce mailboxes: the organization's admins (members may look)."""
    return is_org_admin(user, organization)


CONFIGURE_MAILBOX_PERMISSION = "campaigns.configure_bouncemailbox"


def can_configure_mailboxes(user, organization=None) -> bool:
    """In the Django admin: set a bounce mailbox's organization, protocol, host, port and folder (or
    local Maildir path), or add one: superusers and operators holding ``configure_bouncemailbox``.

    Support staff with ``change_bouncemailbox`` only fix secrets, names, intervals and poll: pointing
    one customer's mailbox at another's server or Maildir would let the first read the second's mail.
    """
    return bool(user.is_active and (user.is_superuser or user.has_perm(CONFIGURE_MAILBOX_PERMISSION)))


def can_manage_settings(user, organization) -> bool:
    """Change the bounce policy and the email status automation: the organization's admins."""
    return is_org_admin(user, organization)


def can_use_api(user, organization) -> bool:
    """Use the organization's REST API (not built yet; its views will ask this): the organization's admins."""
    return is_org_admin(user, organization)


def can_review_inbound(user, organization) -> bool:
    """Review unmatched and unparseable mail (attach to a learner, dismiss): the organization's admins.

    Attaching applies a bounce and the page shows the raw reading, so it goes with admin rights.
    """
    return is_org_admin(user, organization)


def can_manage_webhooks(user, organization) -> bool:
    """See and change the organization's outbound webhook subscriptions: the organization's admins."""
    return is_org_admin(user, organization)


def can_manage_members(user, organization) -> bool:
    """See the members, invite colleagues, change roles, deactivate: the organization's admins."""
    return is_org_admin(user, organization)


# The template names of the capabilities: ``{% if can.clear_bounce %}``.
BY_NAME = {
    "clear_bounce": can_clear_bounce,
    "view_raw_messages": can_view_raw_messages,
    "launch_runs": can_launch_runs,
    "edit_mailboxes": can_edit_mailboxes,
    "manage_settings": can_manage_settings,
    "use_api": can_use_api,
    "review_inbound": can_review_inbound,
    "manage_webhooks": can_manage_webhooks,
    "manage_members": can_manage_members,
}


class Capabilities:
    """``can.clear_bounce`` and the like for templates: each capability of one user in one organization."""

    def __init__(self, user, organization):
        self.user, self.organization = user, organization

    def __getattr__(self, name: str) -> bool:
        try:
            capability = BY_NAME[name]
        except KeyError:
            raise AttributeError(f"No capability named {name!r}") from None
        return capability(self.user, self.organization)
