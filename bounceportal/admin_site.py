"""The Django admin's site: with ``ADMIN_REQUIRES_TWO_FACTOR`` (always in production) staff need a verified code.

Staff log in through the portal's login (password, throttled by django-axes, then the code
step), never through the admin's own password form: one login path, one throttle. A staff
member who is logged in but has not given a code is sent to the code step; one without a
device is sent from there to set one up.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class PortalAdminSite(AdminSite):
    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRES_TWO_FACTOR or request.user.is_verified()

    def login(self, request, extra_context=None):
        if not settings.ADMIN_REQUIRES_TWO_FACTOR or (request.user.is_authenticated and request.user.is_verified()):
            return super().login(request, extra_context)  # a verified non-staff user sees "not authorized"
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
            wanted = reverse("admin:index", current_app=self.name)
        step = "two-factor-verify" if request.user.is_authenticated else "login"
        return HttpResponseRedirect(f"{reverse(step)}?{urlencode({REDIRECT_FIELD_NAME: wanted})}")
