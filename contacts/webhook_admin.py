"""Outbound webhooks in the Django admin: support staff see and fix any organization's subscriptions.

Adding and changing go through ``contacts.webhooks.subscriptions``; the secret is never shown
here (the organization's admins rotate it in the portal to see a new one). Deliveries and their
attempts are read only.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bounceportal.admin_tools import ReadOnlyAdminMixin
from contacts.webhook_forms import WebhookSubscriptionForm
from contacts.webhook_models import WebhookAttempt, WebhookDelivery, WebhookEventType, WebhookSubscription
from contacts.webhooks import subscriptions as service


class WebhookSubscriptionAdminForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple)
    clean_url = WebhookSubscriptionForm.clean_url

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "url", "description", "events"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionAdminForm
    list_display = ["url", "organization", "events", "failing_since", "last_success_at", "disabled_at"]
    list_filter = ["organization", ("disabled_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "description", "organization__name"]
    readonly_fields = ["secret_hint", "created_by", "created_at", "failing_since", "last_success_at"]
    readonly_fields += ["disabled_at", "disabled_reason"]
    actions = ["enable_selected", "disable_selected"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("url", "events", "description")}
        if change:
            service.update_subscription(subscription=obj, **data)
            return
        created, _secret = service.create_subscription(
            organization=form.cleaned_data["organization"], created_by=request.user, **data
        )
        obj.pk = created.pk
        messages.info(
            request,
            gettext(
                "Subscription made. Its secret is not shown here: "
                "the organization's admins rotate it in Settings → Webhooks."
            ),
        )

    @admin.action(description=_("Enable the selected subscriptions (their waiting deliveries go out)"))
    def enable_selected(self, request, queryset):
        for subscription in queryset:
            service.enable_subscription(subscription=subscription)

    @admin.action(description=_("Disable the selected subscriptions"))
    def disable_selected(self, request, queryset):
        for subscription in queryset:
            service.disable_subscription(subscription=subscription, by=request.user)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("contacts.view_webhookdelivery")  # the attempts are part of the delivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["event_type", "subscription", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "subscription__url"]
    list_select_related = ["subscription"]
    inlines = [WebhookAttemptInline]
