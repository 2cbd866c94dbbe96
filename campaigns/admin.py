"""Django admin for campaigns, sends, mailboxes, inbound messages and bounce events."""

from django.contrib import admin, messages

from campaigns.models import BounceEvent, BounceMailbox, Campaign, CampaignRun, InboundMessage, Send
from campaigns.services.sending import RunError, launch_run


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "subject", "from_email", "created_at")
    list_filter = ("organization",)
    list_select_related = ("organization",)
    search_fields = ("name", "subject", "organization__name")
    autocomplete_fields = ("organization",)


@admin.register(CampaignRun)
class CampaignRunAdmin(admin.ModelAdmin):
    list_display = ("id", "campaign", "organization", "status", "created_at", "started_at", "finished_at")
    list_filter = ("status", "organization")
    list_select_related = ("campaign", "organization")
    search_fields = ("campaign__name", "organization__name")
    raw_id_fields = ("campaign", "created_by")
    autocomplete_fields = ("organization",)
    actions = ["launch_runs"]

    @admin.action(description="Launch selected runs (schedule and send; resume if sending)", permissions=["change"])
    def launch_runs(self, request, queryset):
        for run in queryset.select_related("campaign").order_by("pk"):
            try:
                run = launch_run(run=run)
            except RunError as exc:
                self.message_user(request, f"Run {run.pk} of {run.campaign}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Run {run.pk} of {run.campaign}: {run.get_status_display().lower()}, "
                                           f"{run.left_out_total} learners left out.", messages.SUCCESS)


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "run", "status", "attempts", "sent_at", "status_changed_at")
    list_filter = ("status", "organization")
    list_select_related = ("organization", "run__campaign")
    search_fields = ("email", "token")
    raw_id_fields = ("run", "learner")
    autocomplete_fields = ("organization",)
    show_full_result_count = False


@admin.register(BounceMailbox)
class BounceMailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "protocol", "host", "enabled", "last_polled_at", "last_error_at")
    list_filter = ("protocol", "enabled", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "host", "username", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("last_polled_at", "last_success_at", "last_error", "last_error_at", "consecutive_failures",
                       "messages_fetched", "messages_processed")


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "organization", "mailbox", "kind", "matched_by", "received_at", "truncated")
    list_filter = ("kind", "matched_by", "truncated", "organization")
    list_select_related = ("organization", "mailbox")
    search_fields = ("subject", "from_header", "original_message_id", "send_token")
    exclude = ("raw",)
    readonly_fields = ("digest", "size", "received_at", "kind", "is_bounce", "parse_error", "original_message_id",
                       "send_token", "matched_by", "processed_at", "classifier_version")
    show_full_result_count = False


@admin.register(BounceEvent)
class BounceEventAdmin(admin.ModelAdmin):
    list_display = ("address", "organization", "category", "subtype", "reason", "status", "matched_by",
                    "outcome", "occurred_at")
    list_filter = ("category", "subtype", "matched_by", "outcome", "source", "organization")
    list_select_related = ("organization",)
    search_fields = ("address", "diagnostic", "remote_mta")
    raw_id_fields = ("inbound_message", "send", "learner")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
