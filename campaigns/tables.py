"""Tables of the campaign pages: campaigns and the run details' sends (with their "i" panels)."""

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from bounceportal.reversing import url_by_id
from bounceportal.tables import KeysetTable, Table, label_of, local_datetime
from campaigns.models import Campaign, Send
from campaigns.panels import send_info_html


class CampaignTable(Table):
    name = tables.Column(verbose_name=_("Name"), linkify=("campaigns:campaign-detail", {"pk": tables.A("pk")}))
    subject = tables.Column(verbose_name=_("Subject"))
    from_email = tables.Column(verbose_name=_("From email"))
    created_at = tables.DateTimeColumn(verbose_name=_("Created at"), format="Y-m-d")

    class Meta:
        model = Campaign
        fields = ("name", "subject", "from_email", "created_at")
        empty_text = _("No campaigns yet.")


# Our own constant markup (no data in it).
OPENED_AFTER_BOUNCE = mark_safe(
    '<span class="badge badge-flag" title="Opened after bouncing: the bounce may be false, or a scanner opened it">'
    "Opened after bouncing</span>"
)

# Columns a phone-width screen hides (static/css/portal.css).
OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}


def latest_event(send):
    """The send's newest bounce event, from the view's prefetch (``latest_events``), or None."""
    events = getattr(send, "latest_events", None)
    return events[0] if events else None


class EventColumn(tables.Column):
    """A field of the send's newest bounce event, shown by its label."""

    def __init__(self, field, *, display=True, **kwargs):
        self.field, self.display = field, display
        super().__init__(accessor="pk", orderable=False, empty_values=(), **kwargs)

    def value(self, record, value):
        event = latest_event(record)
        if event is None:
            return ""
        return label_of(event, self.field) if self.display else getattr(event, self.field)

    def render(self, record, value):
        return self.value(record, value) or "—"


class SendTable(KeysetTable):
    # Keyset pages in address order (the send_run_email_id index); the other sorts page by a capped offset.
    keyset_default = ("email", "id")
    keyset_orders = {"email": ("email", "id")}

    email = tables.Column(verbose_name=_("Learner"))
    status = tables.Column(verbose_name=_("Status"))
    category = EventColumn("category", verbose_name=_("Category"), attrs=OPTIONAL)
    subtype = EventColumn("subtype", verbose_name=_("Subtype"), attrs=OPTIONAL)
    reason = EventColumn("reason", display=False, verbose_name=_("Reason"), attrs=OPTIONAL)
    domain = tables.Column(verbose_name=_("Domain"), attrs=OPTIONAL)
    status_changed_at = tables.Column(
        verbose_name=_("Time"), attrs={"td": {"class": "nowrap col-optional"}, "th": {"class": "col-optional"}}
    )
    info = tables.Column(
        verbose_name=_("Details"),
        accessor="pk",
        orderable=False,
        empty_values=(),
        exclude_from_export=True,
        attrs={"td": {"class": "info-cell"}},
    )

    class Meta:
        model = Send
        fields = ("email", "status", "category", "subtype", "reason", "domain", "status_changed_at", "info")
        empty_text = _("No sends match these filters.")
        attrs = {"class": "data-table sends-table"}

    def __init__(self, *args, can_view_raw=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_view_raw = can_view_raw

    # Rendered by hand: linkify and DateTimeColumn cost ~0.1 ms a cell (bench/pages.py).
    def render_email(self, record):
        return format_html('<a href="{}">{}</a>', self.learner_url(record.learner_id), record.email)

    @cached_property
    def learner_url(self):
        """pk -> the learner's profile URL, reversed once per table (bounceportal/reversing.py)."""
        return url_by_id("contacts:learner-detail")

    def value_email(self, record):
        return record.email

    def render_status_changed_at(self, value):
        return local_datetime(value)

    def render_status(self, record):
        badge = format_html('<span class="badge badge-send-{}">{}</span>', record.status, label_of(record, "status"))
        if getattr(record, "opened_after_bounce", False):
            return format_html("{} {}", badge, OPENED_AFTER_BOUNCE)
        return badge

    def value_status(self, record):
        flagged = " (opened after bouncing)" if getattr(record, "opened_after_bounce", False) else ""
        return label_of(record, "status") + flagged

    def render_category(self, record):
        event = latest_event(record)
        if event is None:
            return "—"
        return format_html('<span class="badge badge-{}">{}</span>', event.category, label_of(event, "category"))

    def value_category(self, record):
        event = latest_event(record)
        return label_of(event, "category") if event else ""

    def value_status_changed_at(self, record):
        return record.status_changed_at  # bounceportal.export writes it in the organization's zone

    def render_info(self, record):
        return send_info_html(record, latest_event(record), can_view_raw=self.can_view_raw)
