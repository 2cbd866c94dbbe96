"""The login's second step: until a user with two-factor authentication gives a code, no portal page answers.

Django logs the user in after the password (so django-axes, the password reset and every
other login path work unchanged); the ``user_logged_in`` receiver below then marks the session
as waiting for a code when the user has a device, and the middleware sends every request of
such a session to the code step. An admin of an organization that requires two-factor
authentication, logged in without it, is sent to set it up instead. Both checks read only the
session and the membership the portal loads anyway, so pages cost no extra query.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from contacts.choices import MemberRole
from contacts.two_factor import has_two_factor

CODE_PENDING_SESSION_KEY = "two_factor_code_pending"

# Pages a session waiting for its code (or for enrolment) may still open: logging in and out,
# the code step and enrolment themselves, and what is not the portal (the admin has its own
# check, bounceportal/admin_site.py; tracking links and health checks carry no login).
OPEN_URL_NAMES = {
    "login",
    "logout",
    "two-factor-verify",
    "contacts:two-factor-enrol",
    "invitation-accept",
    "digest-unsubscribe",  # one-click, by the token in the mail
    "contacts:language",  # the language picker of the code step's page
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
OPEN_NAMESPACES = {"admin", "tracking", "ops"}


@receiver(user_logged_in, dispatch_uid="contacts.two_factor_gate.ask_for_code")
def ask_for_code(sender, request, user, **kwargs):
    """After any password login of a user with a device, the session waits for a code."""
    if request is not None and hasattr(request, "session") and has_two_factor(user):
        request.session[CODE_PENDING_SESSION_KEY] = True


def complete_code_step(request, device) -> None:
    """The session's user gave a right code from ``device``: the session is verified (django-otp)."""
    otp_login(request, device)
    request.session.pop(CODE_PENDING_SESSION_KEY, None)


def must_enrol(request) -> bool:
    """True for an unverified admin of an organization that requires two-factor authentication of its admins."""
    membership = request.membership
    return bool(
        membership
        and membership.role == MemberRole.ADMIN
        and membership.organization.require_admin_two_factor
        and not request.user.is_verified()
    )


def redirect_to(url_name: str, wanted: str) -> HttpResponseRedirect:
    """A redirect to ``url_name`` that goes on to ``wanted`` afterwards (its ``next``)."""
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: wanted})}")


def redirect_with_next(url_name: str, request) -> HttpResponseRedirect:
    """A redirect to ``url_name`` that comes back to the page asked for."""
    return redirect_to(url_name, request.get_full_path())


class TwoFactorGateMiddleware:
    """Sends a session waiting for its code to the code step, and an admin who must enrol to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in OPEN_URL_NAMES or OPEN_NAMESPACES.intersection(match.namespaces):
            return None
        if not request.user.is_authenticated:
            return None
        if request.session.get(CODE_PENDING_SESSION_KEY):
            return redirect_with_next("two-factor-verify", request)
        if must_enrol(request):
            messages.warning(
                request,
                _("Your organization requires two-factor authentication for admins: set it up to continue."),
            )
            return redirect_with_next("contacts:two-factor-enrol", request)
        return None
