"""Django admin for campaigns, sends, mailboxes, inbound messages and bounce events."""

from django.contrib import admin

from campaigns.models import BounceEvent, BounceMailbox, Campaign, CampaignRun, InboundMessage, Send


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
