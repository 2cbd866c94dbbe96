"""Tenancy: which organization a portal request acts for (STYLE rule 4).

The middleware puts ``request.organization`` and ``request.membership`` on
every request (lazily, so public endpoints pay nothing); ``OrgScopedMixin``
makes a view require both, and every portal queryset starts from
``request.organization`` so another organization's object is a 404. What a
member may do is asked of ``contacts.capabilities``.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext, gettext_lazy

from contacts.capabilities import Capabilities, can_clear_bounce, can_manage_settings
from contacts.models import Membership


def _membership_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    if membership is not None:
        membership.user = user  # also caches user.membership, which the capabilities read
    return membership


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _membership_for(request))
        request.membership = membership
        request.organization = SimpleLazyObject(lambda: membership.organization if membership else None)
        return self.get_response(request)


class OrganizationTimeZoneMiddleware:
    """Shows a member's pages (and what they export) in their organization's time zone.

    Dates in templates, tables and date filters follow Django's current time zone; staff
    without an organization and public endpoints stay in ``TIME_ZONE``. Goes after
    ``OrganizationMiddleware``; anonymous requests cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = request.organization if request.user.is_authenticated else None
        if not organization:
            return self.get_response(request)
        with timezone.override(organization.zone):
            return self.get_response(request)


class OrgScopedMixin(LoginRequiredMixin):
    """Requires a logged-in member of an organization; sets ``self.organization``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.membership:
            raise PermissionDenied(gettext("Your account is not a member of any organization."))
        self.organization = request.membership.organization
        return super().dispatch(request, *args, **kwargs)


# Methods that only read; every other one (POST, PUT, PATCH, DELETE, anything) may change something.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_unsafe(request) -> bool:
    """True for a request whose method may change something (anything but GET, HEAD and OPTIONS)."""
    return request.method not in SAFE_METHODS


class CapabilityRequiredMixin:
    """Refuses (403) members without ``capability``; with ``only_for_post`` only their unsafe requests
    (POST and any other method but GET, HEAD and OPTIONS) are refused.

    Goes after ``OrgScopedMixin`` in the bases, so anonymous users and non-members are handled first.
    """

    capability: Callable[[Any, Any], bool]  # (user, organization) -> may they; set by each subclass
    only_for_post = False
    denied_message: str | Promise = gettext_lazy("You may not do this in your organization.")

    def dispatch(self, request, *args, **kwargs):
        guarded = is_unsafe(request) or not self.only_for_post
        member = request.user.is_authenticated and request.membership
        if guarded and member and not self.capability(request.user, request.membership.organization):
            raise PermissionDenied(str(self.denied_message))
        return super().dispatch(request, *args, **kwargs)


class ClearBouncePermissionMixin(CapabilityRequiredMixin):
    """Refuses (403) users who may not clear bounce statuses."""

    capability = staticmethod(can_clear_bounce)
    denied_message = gettext_lazy("Clearing a bounce status needs the clear_bounce permission.")


class AdminRequiredForPostMixin(CapabilityRequiredMixin):
    """Viewers may look (GET) at the settings but every POST (or PUT, PATCH, DELETE…) from them is a 403."""

    capability = staticmethod(can_manage_settings)
    only_for_post = True
    denied_message = gettext_lazy("Only organization admins may change settings.")


def organization_context(request):
    """Template context: the organization, the membership and ``can`` (the user's capabilities in it)."""
    if not hasattr(request, "membership"):
        return {}
    membership = request.membership if request.user.is_authenticated else None
    organization = membership.organization if membership else None
    return {
        "organization": organization,
        "membership": membership or None,
        "can": Capabilities(request.user, organization),
    }
