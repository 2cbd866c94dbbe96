"""The bounce mailboxes in the Django admin: operators configure, support fixes secrets and polls.

Where a mailbox is read from and whose it is (``BounceMailbox.CONFIGURATION_FIELDS``: organization,
protocol, host, port, folder or Maildir path) is read-only for anyone but superusers and holders
of ``configure_bouncemailbox`` (``contacts.capabilities.can_configure_mailboxes``); support staff
with ``change_bouncemailbox`` change the rest, the secrets included, and poll. Every save goes
through ``save_bounce_mailbox``, which writes the ``MailboxChange`` audit row the page lists.
"""

from functools import partial

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.admin_forms import BounceMailboxAdminForm
from campaigns.models import BounceMailbox, MailboxChange, MailboxChangeVia
from campaigns.services.mailboxes import save_bounce_mailbox
from contacts.capabilities import can_configure_mailboxes

CHANGES_SHOWN = 20


# What polling recorded: shown read-only, in the "Polling" fieldset.
POLLING_STATUS_FIELDS = (
    "secrets_stored",
    "last_polled_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "consecutive_failures",
    "messages_fetched",
    "messages_processed",
)


@admin.register(BounceMailbox)
class BounceMailboxAdmin(admin.ModelAdmin):
    form = BounceMailboxAdminForm
    list_display = (
        "name",
        "organization",
        "protocol",
        "host",
        "enabled",
        "last_polled_at",
        "last_success_at",
        "consecutive_failures",
        "last_error_short",
    )
    list_filter = ("protocol", "enabled", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "host", "username", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("changes", *POLLING_STATUS_FIELDS)
    fieldsets = [
        (None, {"fields": ("organization", "name", "protocol", "enabled", "poll_interval_seconds")}),
        (
            "Server",
            {
                "fields": (
                    "host",
                    "port",
                    "security",
                    "username",
                    "password",
                    "folder",
                    "processed_action",
                    "processed_folder",
                )
            },
        ),
        (
            "OAuth2 (XOAUTH2)",
            {
                "fields": ("oauth_client_id", "oauth_client_secret", "oauth_token_endpoint", "oauth_refresh_token"),
                "classes": ["collapse"],
            },
        ),
        (
            "Polling",
            {"fields": POLLING_STATUS_FIELDS},
        ),
        ("Changes", {"fields": ("changes",)}),
    ]

    actions = ["poll_now"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_configure_mailboxes(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not can_configure_mailboxes(request.user):
            # Read-only fields are left out of the form, so a crafted POST cannot set them either.
            return readonly + BounceMailbox.CONFIGURATION_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        save_bounce_mailbox(
            mailbox=obj,
            changed_by=request.user,
            via=MailboxChangeVia.ADMIN,
            password=form.cleaned_data.get("password") or "",
            oauth_client_secret=form.cleaned_data.get("oauth_client_secret") or "",
            oauth_refresh_token=form.cleaned_data.get("oauth_refresh_token") or "",
        )

    @admin.action(description=_("Poll the selected mailboxes now"), permissions=["change"])
    def poll_now(self, request, queryset):
        from campaigns.tasks.ingestion import poll_mailbox

        mailbox_ids = list(queryset.filter(enabled=True).values_list("pk", flat=True))
        for mailbox_id in mailbox_ids:
            transaction.on_commit(partial(poll_mailbox.delay, mailbox_id))
        disabled = queryset.filter(enabled=False).count()
        self.message_user(
            request,
            gettext("Polling %(count)s mailbox(es) now: reload this page to see the last poll and last error.")
            % {"count": len(mailbox_ids)}
            + (
                " " + gettext("%(count)s disabled mailbox(es) skipped: enable them first.") % {"count": disabled}
                if disabled
                else ""
            ),
        )

    @admin.display(description=_("last error"))
    def last_error_short(self, mailbox):
        return mailbox.last_error[:80]

    @admin.display(description=_("secrets stored"))
    def secrets_stored(self, mailbox):
        stored = [
            name
            for name, value in (
                ("password", mailbox.password_encrypted),
                ("OAuth client secret", mailbox.oauth_client_secret_encrypted),
                ("OAuth refresh token", mailbox.oauth_refresh_token_encrypted),
            )
            if value
        ]
        return ", ".join(stored) or "none"

    @admin.display(description=_("changes (who changed which settings; secrets by name only)"))
    def changes(self, mailbox):
        rows = MailboxChange.objects.filter(mailbox=mailbox).select_related("changed_by")[:CHANGES_SHOWN]
        return (
            format_html_join(
                "",
                "<div>{} · {} · {} · {}</div>",
                (
                    (
                        f"{change.changed_at:%Y-%m-%d %H:%M}",
                        change.changed_by or "nobody",
                        change.get_via_display(),
                        ("created: " if change.created else "") + ", ".join(change.fields),
                    )
                    for change in rows
                ),
            )
            or "none yet"
        )
