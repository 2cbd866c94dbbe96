"""Two-factor pages: the user's own (status, set up, backup codes, turn off), the login's code step, the admins' rule.

The user's own pages need a login only, not an organization: support staff set up the code the
Django admin asks them for here too.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_static.models import StaticDevice

from contacts.choices import MemberRole
from contacts.models import Membership
from contacts.settings_views import InstanceSettingsView
from contacts.two_factor import (
    WrongCode,
    app_device_for,
    backup_codes_left,
    code_wait_until,
    disable_two_factor,
    enable_two_factor,
    has_two_factor,
    key_in_base32,
    new_totp_key,
    provisioning_uri,
    qr_code_data_uri,
    replace_backup_codes,
    set_admin_two_factor_rule,
    verify_code,
)
from contacts.two_factor_forms import AppCodeForm, CodeForm, TwoFactorRuleForm
from contacts.two_factor_gate import CODE_PENDING_SESSION_KEY, complete_code_step, redirect_to, redirect_with_next

NEW_KEY_SESSION_KEY = "two_factor_new_key"  # the secret shown while setting up, until a code confirms it
NEW_CODES_SESSION_KEY = "two_factor_new_backup_codes"  # shown once, on the next backup-codes page


def next_url(request, default: str = "portal-home") -> str:
    """The ``next`` of the request when it is a path of this site, else ``default``'s URL."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return redirect(default).url


class NextMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = next_url(self.request)
        return context


class TwoFactorView(LoginRequiredMixin, TemplateView):
    template_name = "contacts/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        membership = self.request.membership
        return super().get_context_data(
            device=app_device_for(user),
            backup_left=backup_codes_left(user),
            required=bool(
                membership and membership.role == MemberRole.ADMIN and membership.organization.require_admin_two_factor
            ),
            **kwargs,
        )


class TwoFactorEnrolView(LoginRequiredMixin, NextMixin, FormView):
    """Shows a new secret (QR code and text) until a code from the app confirms it."""

    template_name = "contacts/two_factor_enrol.html"
    form_class = AppCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_two_factor(request.user):
            if not request.user.is_verified():
                return redirect_with_next("two-factor-verify", request)
            messages.info(request, _("Two-factor authentication is on already."))
            return redirect("contacts:two-factor")
        return super().dispatch(request, *args, **kwargs)

    def key(self) -> str:
        return self.request.session.setdefault(NEW_KEY_SESSION_KEY, new_totp_key())

    def get_context_data(self, **kwargs):
        key = self.key()
        return super().get_context_data(
            secret=key_in_base32(key),
            qr_code=qr_code_data_uri(provisioning_uri(key=key, user=self.request.user)),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            device, codes = enable_two_factor(user=self.request.user, key=self.key(), code=form.cleaned_data["code"])
        except WrongCode as wrong:
            form.add_error("code", str(wrong))
            return self.form_invalid(form)
        self.request.session.pop(NEW_KEY_SESSION_KEY, None)
        complete_code_step(self.request, device)
        self.request.session[NEW_CODES_SESSION_KEY] = codes
        messages.success(self.request, _("Two-factor authentication is on. Keep your backup codes somewhere safe."))
        return redirect_to("contacts:two-factor-backup-codes", next_url(self.request))


class TwoFactorBackupCodesView(LoginRequiredMixin, NextMixin, TemplateView):
    """New backup codes are shown once, on the page that follows their making; POST makes a new set."""

    template_name = "contacts/two_factor_backup_codes.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            codes=self.request.session.pop(NEW_CODES_SESSION_KEY, None),
            on=app_device_for(user) is not None,
            backup_left=backup_codes_left(user),
            **kwargs,
        )

    def post(self, request):
        if not request.user.is_verified():  # has no device, or has not given a code in this session
            messages.error(request, _("Turn on two-factor authentication first."))
            return redirect("contacts:two-factor")
        request.session[NEW_CODES_SESSION_KEY] = replace_backup_codes(user=request.user)
        messages.success(request, _("New backup codes made: the old ones no longer work."))
        return redirect("contacts:two-factor-backup-codes")


class TwoFactorRemoveView(LoginRequiredMixin, FormView):
    template_name = "contacts/two_factor_remove.html"
    form_class = CodeForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(on=has_two_factor(self.request.user), **kwargs)

    def form_valid(self, form):
        wait = wait_message(self.request.user)
        if wait:
            form.add_error("code", wait)
            return self.form_invalid(form)
        try:
            disable_two_factor(user=self.request.user, code=form.cleaned_data["code"])
        except WrongCode as wrong:
            form.add_error("code", str(wrong))
            return self.form_invalid(form)
        messages.success(self.request, _("Two-factor authentication is off: your password alone logs you in."))
        return redirect("contacts:two-factor")


def wait_message(user) -> str:
    """ "Wait until …" when the user's devices refuse codes for a while after wrong ones; else ''."""
    until = code_wait_until(user)
    if until is None:
        return ""
    when = formats.time_format(timezone.localtime(until), "H:i:s")
    return _("Too many wrong codes in a row: wait until %(time)s, then try again.") % {"time": when}


class TwoFactorVerifyView(LoginRequiredMixin, NextMixin, FormView):
    """The login's second step. A wrong code is a failed login for django-axes: at its limit the
    account (and the address) are locked like after wrong passwords, and the half-done login ends."""

    template_name = "registration/two_factor_verify.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return redirect(next_url(request))
            if not has_two_factor(request.user):  # e.g. staff the Django admin asks for a code they have no device for
                request.session.pop(CODE_PENDING_SESSION_KEY, None)
                messages.info(request, _("Set up two-factor authentication to continue."))
                return redirect_to("contacts:two-factor-enrol", next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        request, user = self.request, self.request.user
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            logout(request)
            return get_lockout_response(request, None, credentials)
        # Asked before the code is tried: right after a wrong code the device refuses every code for a while.
        wait = wait_message(user)
        device = None if wait else verify_code(user=user, code=form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return get_lockout_response(request, None, credentials)
            form.add_error("code", wait or _("That code is not right. Try the one your app shows now."))
            return self.form_invalid(form)
        complete_code_step(request, device)
        if isinstance(device, StaticDevice):
            left = backup_codes_left(user)
            messages.warning(request, _("You logged in with a backup code; %(left)d are left.") % {"left": left})
        return redirect(next_url(request))


class TwoFactorRuleSettingsView(InstanceSettingsView):
    """Settings → Security: whether the organization's admins must use two-factor authentication."""

    template_name = "contacts/settings_security.html"
    form_class = TwoFactorRuleForm
    saved_message = gettext_lazy("Security settings saved.")
    success_url_name = "contacts:settings-security"

    def get_instance(self):
        return self.organization

    def get_context_data(self, **kwargs):
        admins = Membership.objects.filter(organization=self.organization, role=MemberRole.ADMIN, user__is_active=True)
        without = admins.exclude(user__totpdevice__confirmed=True).select_related("user").order_by("user__username")
        return super().get_context_data(admins_without_two_factor=[m.user.get_username() for m in without], **kwargs)

    def save(self, instance, changes: dict) -> None:
        if "require_admin_two_factor" in changes:
            set_admin_two_factor_rule(
                organization=instance, required=changes["require_admin_two_factor"], changed_by=self.request.user
            )
