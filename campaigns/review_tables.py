"""The review queue's table: one unmatched or unreadable inbound message per row."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bounceportal.columns import DateTimeColumn
from bounceportal.tables import KeysetTable
from campaigns.models import InboundMessage


class ReviewTable(KeysetTable):
    # The queue pages by keyset, newest first (inbound_org_received); the other sorts by a capped offset.
    keyset_default = ("-received_at", "-id")
    keyset_orders = {"received_at": ("received_at", "id")}

    received_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Received"))
    subject = tables.Column(
        verbose_name=_("Subject"), linkify=("campaigns:review-detail", {"pk": tables.A("pk")}), empty_values=()
    )
    from_header = tables.Column(verbose_name=_("From"))
    kind = tables.Column(verbose_name=_("Kind"))
    reading = tables.Column(verbose_name=_("Classifier's reading"), accessor="pk", orderable=False)

    class Meta:
        model = InboundMessage
        fields = ("received_at", "subject", "from_header", "kind", "reading")
        empty_text = _("Nothing to review: every bounce matched a send.")

    def render_subject(self, value):
        return value or "(no subject)"

    def render_reading(self, record):
        events = list(record.events.all())  # prefetched: the events in force
        if not events:
            return format_html("<span class='muted'>{}</span>", record.parse_error[:120] or gettext("No reading"))
        first = events[0]
        more = f" and {len(events) - 1} more" if len(events) > 1 else ""
        return f"{first.address or '(no address)'}: {first.get_category_display()}, {first.get_subtype_display()}{more}"
