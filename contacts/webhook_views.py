"""Settings → Webhooks: admins subscribe URLs to events, see every delivery and attempt, and act on them.

The secret is shown in the response that makes (or rotates) it and never again.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views import View

from contacts.capabilities import can_manage_webhooks
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin
from contacts.webhook_forms import WebhookSubscriptionForm
from contacts.webhook_models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from contacts.webhooks import subscriptions as service
from contacts.webhooks.signing import SIGNATURE_HEADER

RECENT_DELIVERIES = 20
DETAIL_DELIVERIES = 50
ATTEMPTS_SHOWN = 10


class WebhookAdminMixin(OrgScopedMixin, CapabilityRequiredMixin):
    capability = staticmethod(can_manage_webhooks)
    denied_message = gettext_lazy("Only organization admins may manage webhooks.")

    def subscriptions(self):
        return WebhookSubscription.objects.for_organization(self.organization)

    def get_subscription(self, pk):
        return get_object_or_404(self.subscriptions(), pk=pk)


def _deliveries(queryset, limit: int):
    attempts = WebhookAttempt.objects.order_by("-number")
    return queryset.select_related("subscription").prefetch_related(Prefetch("attempt_rows", queryset=attempts))[:limit]


class WebhookListView(WebhookAdminMixin, View):
    template_name = "contacts/webhook_list.html"

    def render_page(self, form, *, secret="", created=None):
        deliveries = WebhookDelivery.objects.filter(subscription__organization=self.organization)
        context = {
            "form": form,
            "subscriptions": self.subscriptions(),
            "deliveries": _deliveries(deliveries, RECENT_DELIVERIES),
            "secret": secret,
            "created": created,
            "signature_header": SIGNATURE_HEADER,
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render_page(WebhookSubscriptionForm())

    def post(self, request):
        form = WebhookSubscriptionForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        try:
            subscription, secret = service.create_subscription(
                organization=self.organization, created_by=request.user, **form.cleaned_data
            )
        except service.WebhookError as error:
            form.add_error(None, str(error))
            return self.render_page(form)
        # Rendered, not redirected: the secret exists in plain text only in this response.
        return self.render_page(WebhookSubscriptionForm(), secret=secret, created=subscription)


class WebhookDetailView(WebhookAdminMixin, View):
    template_name = "contacts/webhook_detail.html"

    def render_page(self, subscription, form=None, *, secret=""):
        form = form or WebhookSubscriptionForm(
            initial={"url": subscription.url, "description": subscription.description, "events": subscription.events}
        )
        context = {
            "subscription": subscription,
            "form": form,
            "deliveries": _deliveries(subscription.deliveries.all(), DETAIL_DELIVERIES),
            "attempts_shown": ATTEMPTS_SHOWN,
            "secret": secret,
            "signature_header": SIGNATURE_HEADER,
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_page(self.get_subscription(pk))

    def post(self, request, pk):
        subscription = self.get_subscription(pk)
        form = WebhookSubscriptionForm(request.POST)
        if not form.is_valid():
            return self.render_page(subscription, form)
        service.update_subscription(subscription=subscription, **form.cleaned_data)
        messages.success(request, gettext("Webhook saved."))
        return redirect("contacts:webhook-detail", pk=subscription.pk)


class WebhookActionView(WebhookAdminMixin, View):
    """POST-only actions on one subscription (a GET of another organization's id is a 404 too)."""

    action = ""

    def get(self, request, pk):
        return redirect("contacts:webhook-detail", pk=self.get_subscription(pk).pk)

    def post(self, request, pk):
        subscription = self.get_subscription(pk)
        if self.action == "rotate":
            secret = service.rotate_secret(subscription=subscription)
            return WebhookDetailView(request=request, organization=self.organization).render_page(
                subscription, secret=secret
            )
        if self.action == "delete":
            service.delete_subscription(subscription=subscription)
            messages.success(request, gettext("Webhook to %(url)s removed.") % {"url": subscription.url})
            return redirect("contacts:webhook-list")
        if self.action == "enable":
            pending = service.enable_subscription(subscription=subscription)
            messages.success(
                request,
                ngettext(
                    "Webhook enabled; %(count)s waiting delivery go out now.",
                    "Webhook enabled; %(count)s waiting deliveries go out now.",
                    pending,
                )
                % {"count": pending},
            )
        elif self.action == "disable":
            service.disable_subscription(subscription=subscription, by=request.user)
            messages.success(request, gettext("Webhook disabled: no events are recorded for it until you enable it."))
        elif self.action == "test":
            service.send_test_event(subscription=subscription, sent_by=request.user)
            messages.success(request, gettext("Test event queued; its attempt shows below in a moment."))
        return redirect("contacts:webhook-detail", pk=subscription.pk)
