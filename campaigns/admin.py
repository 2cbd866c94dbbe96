"""Django admin for campaigns, sends, mailboxes, inbound messages and bounce events (DESIGN §7).

Bounce messages are attacker-controlled: the raw message and its headers are
shown as escaped text (``format_html``), never rendered. Events and inbound
messages are read-only here; mailbox secrets are write-only.
"""

from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bounceportal.admin_tools import KeysetAdminMixin, ReadOnlyAdminMixin
from campaigns import mailbox_admin  # noqa: F401 -- registers the bounce mailboxes' admin
from campaigns.forms import CampaignForm
from campaigns.models import BounceEvent, Campaign, CampaignRun, InboundMessage, MatchedBy, Send
from campaigns.panels import explanation_html
from campaigns.services.sending import RunError, launch_run
from contacts.capabilities import can_view_raw_messages

# The raw message shown on its page is cut here (the full message is downloadable).
RAW_SHOWN_BYTES = 512 * 1024
# Re-classify up to this many messages in the request; more go to the worker in tasks of this size.
RECLASSIFY_SYNC_LIMIT = 500
RECLASSIFY_TASK_SIZE = 500


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm  # refuses an unknown merge field or template code when saved
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

    @admin.action(description=_("Launch selected runs (schedule and send; resume if sending)"), permissions=["change"])
    def launch_runs(self, request, queryset):
        for run in queryset.select_related("campaign").order_by("pk"):
            try:
                run = launch_run(run=run)
            except RunError as exc:
                self.message_user(
                    request,
                    gettext("Run %(number)s of %(campaign)s: %(error)s")
                    % {"number": run.pk, "campaign": run.campaign, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("Run %(number)s of %(campaign)s: %(status)s, %(count)s learners left out.")
                    % {
                        "number": run.pk,
                        "campaign": run.campaign,
                        "status": run.get_status_display().lower(),
                        "count": run.left_out_total,
                    },
                    messages.SUCCESS,
                )


@admin.register(Send)
class SendAdmin(KeysetAdminMixin, admin.ModelAdmin):
    list_display = ("email", "organization", "run", "status", "attempts", "sent_at", "status_changed_at")
    list_filter = ("status", "organization")
    list_select_related = ("organization", "run__campaign")
    search_fields = ("=email", "=token")
    search_help_text = "Exact email address or send token."
    raw_id_fields = ("run", "learner")
    autocomplete_fields = ("organization",)
    # Newest first by the primary key: the model's (-created_at, -id) has no index across organizations,
    # so each page of 10,000,000 sends was a full scan and a sort (tests/test_explain_selectors.py).
    ordering = ("-pk",)


class MatchedFilter(admin.SimpleListFilter):
    title = "matched to a send"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", "Matched"), ("no", "Not matched")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(matched_by=MatchedBy.NONE)
        if self.value() == "no":
            return queryset.filter(matched_by=MatchedBy.NONE)
        return queryset


class BounceEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BounceEvent
    fields = (
        "address",
        "action",
        "status",
        "reply_code",
        "reason",
        "category",
        "subtype",
        "diagnostic",
        "remote_mta",
        "matched_by",
        "outcome",
        "learner",
        "why",
    )
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("learner")

    @admin.display(description=_("why we read it so"))
    def why(self, event):
        return explanation_html(event) or "—"


@admin.register(InboundMessage)
class InboundMessageAdmin(KeysetAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "subject_short",
        "organization",
        "mailbox",
        "kind",
        "matched_by",
        "processed_at",
        "classifier_version",
        "truncated",
    )
    list_filter = ("kind", MatchedFilter, "matched_by", "received_at", "mailbox", "organization")
    list_select_related = ("organization", "mailbox")
    search_fields = ("subject", "from_header", "=original_message_id", "=send_token", "=digest")
    search_help_text = "Subject or From; exact Message-ID, send token or digest."
    # Newest stored first, by the primary key: (-received_at, -id) across organizations has no index.
    ordering = ("-pk",)
    inlines = [BounceEventInline]
    actions = ["reclassify"]

    class Media:
        css = {"all": ["css/admin-support.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": (
                    "subject",
                    "from_header",
                    "organization",
                    "mailbox",
                    "received_at",
                    "size",
                    "truncated",
                    "digest",
                    "retention",
                    "raw_download",
                )
            },
        ),
        (
            "Classification",
            {
                "fields": (
                    "kind",
                    "is_bounce",
                    "parse_error",
                    "original_message_id",
                    "send_token",
                    "matched_by",
                    "processed_at",
                    "classifier_version",
                )
            },
        ),
        ("Headers", {"fields": ("headers",)}),
        ("Raw message", {"fields": ("raw_message",)}),
    ]
    readonly_fields = (
        "subject",
        "from_header",
        "organization",
        "mailbox",
        "received_at",
        "size",
        "truncated",
        "digest",
        "retention",
        "raw_download",
        "kind",
        "is_bounce",
        "parse_error",
        "original_message_id",
        "send_token",
        "matched_by",
        "processed_at",
        "classifier_version",
        "headers",
        "raw_message",
    )

    def has_reclassify_permission(self, request):
        # Messages are read-only in the admin: change_inboundmessage only unlocks this action.
        return request.user.has_perm("campaigns.change_inboundmessage")

    @admin.action(description=_("Re-classify the selected messages…"), permissions=["reclassify"])
    def reclassify(self, request, queryset):
        """First a preview of what would change; its "Apply" button posts the action back with ``apply``."""
        from campaigns.services.ingestion import reclassify_messages
        from campaigns.tasks.reclassify import reclassify_inbound_messages

        if request.POST.get("apply") != "yes":
            return self.reclassify_preview(request, queryset)
        message_ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        if len(message_ids) <= RECLASSIFY_SYNC_LIMIT:
            count = reclassify_messages(
                messages=InboundMessage.objects.filter(pk__in=message_ids), reclassified_by=request.user
            )
            self.message_user(
                request,
                ngettext(
                    "Re-classified %(count)s message; its events were replaced where the verdict changed.",
                    "Re-classified %(count)s messages; their events were replaced where the verdict changed.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return
        chunks = [message_ids[i : i + RECLASSIFY_TASK_SIZE] for i in range(0, len(message_ids), RECLASSIFY_TASK_SIZE)]
        for chunk in chunks:
            transaction.on_commit(partial(reclassify_inbound_messages.delay, chunk, request.user.pk))
        self.message_user(
            request,
            gettext(
                "Re-classifying %(count)s messages in the background (%(tasks)s tasks); "
                "the list shows each one's classifier version."
            )
            % {"count": len(message_ids), "tasks": len(chunks)},
        )

    def reclassify_preview(self, request, queryset):
        from campaigns.services.inbound import classifier_version
        from campaigns.services.reclassify_preview import preview_reclassify

        preview = preview_reclassify(messages=queryset, reclassified_by=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Re-classify: preview",
            "preview": preview,
            "classifier_version": classifier_version(),
            "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across") == "1",
        }
        return TemplateResponse(request, "admin/campaigns/inboundmessage/reclassify_preview.html", context)

    def get_queryset(self, request):
        # The raw bytes (up to INBOUND_MAX_BYTES each) are read only on the message's own page.
        return super().get_queryset(request).defer("raw")

    def get_urls(self):
        raw = self.admin_site.admin_view(self.raw_view)
        return [path("<int:message_id>/raw/", raw, name="campaigns_inboundmessage_raw"), *super().get_urls()]

    def raw_view(self, request, message_id):
        """Download the message exactly as received (an attachment, never displayed by the browser)."""
        if not can_view_raw_messages(request.user, None):
            raise PermissionDenied
        message = get_object_or_404(InboundMessage, pk=message_id)
        response = HttpResponse(bytes(message.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="inbound-{message.pk}.eml"'
        return response

    @admin.display(description=_("subject"), ordering="subject")
    def subject_short(self, message):
        return (message.subject or "(no subject)")[:90]

    @admin.display(description=_("retention"))
    def retention(self, message):
        return purged_note(message)

    @admin.display(description=_("raw message"))
    def raw_message(self, message):
        raw = bytes(message.raw)
        shown = raw[:RAW_SHOWN_BYTES].decode("utf-8", errors="replace")
        cut = (
            f"\n[… {len(raw) - RAW_SHOWN_BYTES} more bytes: download the raw message]"
            if len(raw) > RAW_SHOWN_BYTES
            else ""
        )
        return format_html('<pre class="raw-message">{}{}</pre>', shown, cut)

    @admin.display(description=_("download"))
    def raw_download(self, message):
        url = reverse("admin:campaigns_inboundmessage_raw", args=[message.pk])
        if message.is_body_purged:
            return format_html('<a href="{}">Download the headers kept (.eml)</a>', url)
        return format_html('<a href="{}">Download the raw message (.eml)</a>', url)

    @admin.display(description=_("headers"))
    def headers(self, message):
        parsed = BytesHeaderParser(policy=compat32).parsebytes(bytes(message.raw)[:RAW_SHOWN_BYTES])
        rows = [(name, _readable_header(value)) for name, value in parsed.items()]
        return format_html(
            '<table class="message-headers">{}</table>', format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )


def purged_note(message) -> str:
    """Say when retention purged the message's body, or that it is kept as received."""
    if not message.is_body_purged:
        return "Kept as received."
    return (
        f"Body purged on {message.body_purged_at:%Y-%m-%d %H:%M} UTC after the retention period: "
        "only the headers remain; the events and the classifier's evidence are kept."
    )


def _readable_header(value) -> str:
    """Decode RFC 2047 encoded words for reading; fall back to the value as received."""
    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError, TypeError):
        return str(value)


@admin.register(BounceEvent)
class BounceEventAdmin(KeysetAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "address",
        "organization",
        "category",
        "subtype",
        "reason",
        "status",
        "matched_by",
        "outcome",
        "source",
    )
    list_filter = ("category", "subtype", "matched_by", "outcome", "source", "occurred_at", "organization")
    list_select_related = ("organization",)
    search_fields = ("address", "remote_mta")
    search_help_text = "Recipient address or remote server."
    readonly_fields = ("why",)

    @admin.display(description=_("why we read it so"))
    def why(self, event):
        return explanation_html(event) or "—"

    # Newest stored first, by the primary key (an index range at any page): (-occurred_at, -id) across
    # organizations has no index and sorted every event on each page (tests/test_explain_selectors.py).
    ordering = ("-pk",)


from campaigns import esp_admin  # noqa: F401,E402 -- registers the ESP models' admin
