"""The portal's login: Django's own view, plus the browser's time zone for a new organization."""

from django.contrib.auth import views as auth_views

from contacts.capabilities import can_manage_settings
from contacts.services import adopt_browser_time_zone


class PortalLoginView(auth_views.LoginView):
    """Logs in; an admin's first login takes their browser's time zone for the organization.

    The zone arrives in the hidden ``browser_time_zone`` field that static/js/portal.js fills
    (``Intl.DateTimeFormat().resolvedOptions().timeZone``); without JavaScript nothing changes.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        membership = getattr(user, "membership", None)
        browser_zone = self.request.POST.get("browser_time_zone", "")[:64]
        if membership and browser_zone and can_manage_settings(user, membership.organization):
            adopt_browser_time_zone(organization=membership.organization, time_zone=browser_zone)
        return response
