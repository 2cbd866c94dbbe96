"""Settings → Email services: list, create and edit ESP connections (secrets write-only).

Everyone in the organization sees the connections, their webhook URL status and the events to
review; only admins may create or change one (MailboxAdminMixin: others get a 403 on POST).
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import CreateView, ListView, UpdateView

from campaigns.esp_forms import EspConnectionForm
from campaigns.esp_models import EspConnection, EspEventState
from campaigns.mailbox_views import MailboxAdminMixin
from campaigns.services.esp.connections import save_esp_connection
from contacts.tenancy import OrgScopedMixin

REVIEW_LIMIT = 25


def webhook_url(request, connection: EspConnection) -> str:
    return request.build_absolute_uri(reverse("tracking:esp-webhook", kwargs={"key": connection.webhook_key}))


class EspConnectionListView(OrgScopedMixin, ListView):
    template_name = "campaigns/esp_list.html"
    context_object_name = "connections"

    def get_queryset(self):
        return EspConnection.objects.filter(organization=self.organization).order_by("name", "pk")


class EspConnectionCreateView(OrgScopedMixin, MailboxAdminMixin, CreateView):
    template_name = "campaigns/esp_form.html"
    form_class = EspConnectionForm
    admin_only_get = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = EspConnection(organization=self.organization)
        return kwargs

    def form_valid(self, form):
        connection = save_esp_connection(connection=form.instance, secrets=form.secrets(), changed_by=self.request.user)
        messages.success(
            self.request,
            gettext("Connection “%(name)s” added. Give the service the webhook URL below.") % {"name": connection.name},
        )
        return redirect("campaigns:esp-edit", pk=connection.pk)


class EspConnectionEditView(OrgScopedMixin, MailboxAdminMixin, UpdateView):
    template_name = "campaigns/esp_form.html"
    form_class = EspConnectionForm
    context_object_name = "connection"

    def get_queryset(self):
        return EspConnection.objects.filter(organization=self.organization)

    def form_valid(self, form):
        save_esp_connection(connection=form.instance, secrets=form.secrets(), changed_by=self.request.user)
        messages.success(self.request, gettext("Connection saved."))
        return redirect("campaigns:esp-edit", pk=form.instance.pk)

    def get_context_data(self, **kwargs):
        review = self.object.events.filter(state__in=(EspEventState.UNKNOWN, EspEventState.UNMATCHED)).only(
            "pk", "received_at", "kind", "service_type", "recipient", "state"
        )[:REVIEW_LIMIT]
        return super().get_context_data(review=review, webhook_url=webhook_url(self.request, self.object), **kwargs)
