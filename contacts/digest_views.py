"""The digest email: an admin's own frequency (Settings → Digest email) and the public one-click unsubscribe.

The unsubscribe page needs no login: the signed link is the credential, and names one
subscription. GET shows a button; POST (the button, or a mail program's RFC 8058 one-click
``List-Unsubscribe=One-Click``, which carries no CSRF token) switches the digest off.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView

from contacts.capabilities import can_manage_settings
from contacts.digest_subscriptions import (
    UnsubscribeLinkInvalid,
    set_digest_frequency,
    subscription_for,
    subscription_for_token,
    unsubscribe_digest,
)
from contacts.models import DigestFrequency
from contacts.settings_forms import DigestFrequencyForm
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin


class DigestSettingsView(OrgScopedMixin, CapabilityRequiredMixin, FormView):
    """The signed-in admin's own digest frequency (viewers get no digest: a 403)."""

    template_name = "contacts/settings_digest.html"
    form_class = DigestFrequencyForm
    capability = staticmethod(can_manage_settings)
    denied_message = "The digest email is for organization admins."

    def get_initial(self):
        return {"frequency": subscription_for(self.request.membership).frequency}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscription = subscription_for(self.request.membership)
        context["subscription"] = subscription
        context["email"] = self.request.user.email
        context["zone"] = self.organization.time_zone
        return context

    def form_valid(self, form):
        frequency = form.cleaned_data["frequency"]
        set_digest_frequency(membership=self.request.membership, frequency=frequency)
        if frequency == DigestFrequency.OFF:
            messages.success(self.request, _("You will get no digest email."))
        else:
            messages.success(
                self.request, _("Saved: your digest email is %(label)s.") % {"label": frequency_label(frequency)}
            )
        return redirect("contacts:settings-digest")


def frequency_label(frequency: str) -> str:
    return str(DigestFrequency(frequency).label).lower()


@method_decorator(csrf_exempt, name="dispatch")
class DigestUnsubscribeView(View):
    def dispatch(self, request, *args, **kwargs):
        try:
            self.subscription = subscription_for_token(kwargs["token"])
        except UnsubscribeLinkInvalid:
            raise Http404("This unsubscribe link is not valid.") from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        context = {"subscription": self.subscription, "already": self.subscription.frequency == DigestFrequency.OFF}
        return render(request, "contacts/digest_unsubscribe.html", context)

    def post(self, request, token):
        unsubscribe_digest(subscription=self.subscription)
        return render(request, "contacts/digest_unsubscribe_done.html", {"subscription": self.subscription})
