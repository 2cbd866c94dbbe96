"""Django admin for ESP connections (secrets write-only) and the raw events their webhooks delivered.

Events are read-only: the service's JSON is shown as escaped text in <pre>, never rendered.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bounceportal.admin_tools import ReadOnlyAdminMixin
from campaigns.esp_forms import SECRET_FIELDS, EspConnectionForm
from campaigns.esp_models import EspConnection, EspEvent


@admin.register(EspConnection)
class EspConnectionAdmin(admin.ModelAdmin):
    form = EspConnectionForm
    list_display = ("name", "organization", "service", "enabled", "last_event_at", "events_received", "last_error_at")
    list_filter = ("service", "enabled", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = (
        "webhook_path",
        "stored_secrets",
        "last_event_at",
        "events_received",
        "last_error",
        "last_error_at",
        "subscription_confirmed_at",
    )

    def get_fields(self, request, obj=None):
        return ["organization", *EspConnectionForm.Meta.fields, *SECRET_FIELDS, *self.readonly_fields]

    @admin.display(description=_("Webhook path"))
    def webhook_path(self, obj):
        return f"/hooks/esp/{obj.webhook_key}/" if obj.pk else "—"

    @admin.display(description=_("Secrets stored"))
    def stored_secrets(self, obj):
        return ", ".join(obj.secret_names) or "none"


@admin.register(EspEvent)
class EspEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "organization",
        "connection",
        "kind",
        "service_type",
        "recipient",
        "state",
        "matched_by",
    )
    list_filter = ("state", "kind", "connection__service", "organization")
    list_select_related = ("organization", "connection")
    search_fields = ("recipient", "event_id", "message_id")
    exclude = ("raw",)
    readonly_fields = ("raw_json",)

    @admin.display(description=_("Raw event (as received)"))
    def raw_json(self, obj):
        shown = format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2, sort_keys=True))
        if obj.raw_purged_at is None:
            return shown
        return format_html(
            "<p>Purged on {} UTC after the retention period: only its short top-level fields remain; "
            "the verdicts are kept.</p>{}",
            f"{obj.raw_purged_at:%Y-%m-%d %H:%M}",
            shown,
        )
