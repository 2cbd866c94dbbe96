"""Tenancy: which organization a portal request acts for (STYLE rule 4).

The middleware puts ``request.organization`` and ``request.membership`` on
every request (lazily, so public endpoints pay nothing); ``OrgScopedMixin``
makes a view require both, and every portal queryset starts from
``request.organization`` so another organization's object is a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from contacts.choices import MemberRole
from contacts.models import Membership


def _membership_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("organization").filter(user=user).first()


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _membership_for(request))
        request.membership = membership
        request.organization = SimpleLazyObject(lambda: membership.organization if membership else None)
        return self.get_response(request)


def can_clear_bounce(request) -> bool:
    """True when the portal user may clear bounce statuses (admins of the organization)."""
    membership = request.membership
    return bool(membership) and (membership.role == MemberRole.ADMIN or request.user.has_perm("contacts.clear_bounce"))


class OrgScopedMixin(LoginRequiredMixin):
    """Requires a logged-in member of an organization; sets ``self.organization``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.membership:
            raise PermissionDenied("Your account is not a member of any organization.")
        self.organization = request.membership.organization
        return super().dispatch(request, *args, **kwargs)


class ClearBouncePermissionMixin:
    """Refuses (403) users who may not clear bounce statuses."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership and not can_clear_bounce(request):
            raise PermissionDenied("Clearing a bounce status needs the clear_bounce permission.")
        return super().dispatch(request, *args, **kwargs)


def organization_context(request):
    """Template context: the organization and whether the user may clear bounces."""
    if not hasattr(request, "membership") or not request.user.is_authenticated:
        return {}
    membership = request.membership
    return {
        "organization": membership.organization if membership else None,
        "membership": membership or None,
        "can_clear_bounce": can_clear_bounce(request) if membership else False,
    }
