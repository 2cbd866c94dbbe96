"""The learner table (list page and its CSV export)."""

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bounceportal.columns import CheckBoxColumn
from bounceportal.reversing import url_by_id
from bounceportal.tables import KeysetTable, local_datetime
from contacts.choices import Category, DeliverabilityStatus, Subtype
from contacts.models import Learner

# Plain dict lookups: Model.get_FOO_display() costs ~20 µs a call, which adds up in a 10,000-row export.
STATUS_LABELS = dict(DeliverabilityStatus.choices)
CATEGORY_LABELS = dict(Category.choices)
SUBTYPE_LABELS = dict(Subtype.choices)
# Columns a phone-width screen hides (static/css/portal.css), so status stays in view.
OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}


def badge(value: str, label: str):
    return format_html('<span class="badge badge-{}">{}</span>', value, label) if value else "—"


class LearnerTable(KeysetTable):
    # An address is unique in an organization, so it is a key alone: learner_org_email and
    # learner_org_status_email serve these orders; the other sorts page by a capped offset.
    keyset_default = ("email",)
    keyset_orders = {"email": ("email",), "status": ("status", "email")}

    select = CheckBoxColumn(
        accessor="pk",
        exclude_from_export=True,
        orderable=False,
        attrs={
            "th__input": {"aria-label": _("Select every learner on this page"), "class": "select-all"},
            "td__input": {"aria-label": _("Select this learner")},
        },
    )
    email = tables.Column(verbose_name=_("Email"))
    full_name = tables.Column(verbose_name=_("Name"), order_by=("last_name", "first_name"), attrs=OPTIONAL)
    department = tables.Column(verbose_name=_("Department"), attrs=OPTIONAL)
    status = tables.Column(verbose_name=_("Deliverability"))
    last_bounce_category = tables.Column(verbose_name=_("Category"))
    last_bounce_subtype = tables.Column(verbose_name=_("Subtype"), attrs=OPTIONAL)
    soft_bounce_count = tables.Column(
        verbose_name=_("Soft in a row"), attrs={"td": {"class": "num col-optional"}, "th": {"class": "col-optional"}}
    )
    last_bounced_at = tables.Column(verbose_name=_("Last bounce"), attrs=OPTIONAL)

    class Meta:
        model = Learner
        fields = (
            "select",
            "email",
            "full_name",
            "department",
            "status",
            "last_bounce_category",
            "last_bounce_subtype",
            "soft_bounce_count",
            "last_bounced_at",
        )
        empty_text = _("No learners match these filters.")
        attrs = {"class": "data-table"}

    # The cells below are rendered by hand: linkify and DateTimeColumn cost ~0.1 ms a cell,
    # a third of a 50-row page at a million learners (bench/pages.py).
    def render_email(self, record):
        return format_html('<a href="{}">{}</a>', self.learner_url(record.pk), record.email)

    @cached_property
    def learner_url(self):
        """pk -> the learner's profile URL, reversed once per table (bounceportal/reversing.py)."""
        return url_by_id("contacts:learner-detail")

    def value_email(self, record):
        return record.email

    def render_last_bounced_at(self, value):
        return local_datetime(value)

    def render_status(self, record):
        return badge(record.status, STATUS_LABELS.get(record.status, record.status))

    def value_status(self, record):
        return STATUS_LABELS.get(record.status, record.status)

    def render_last_bounce_category(self, record):
        category = record.last_bounce_category
        return badge(category, CATEGORY_LABELS.get(category, category))

    def value_last_bounce_category(self, record):
        return CATEGORY_LABELS.get(record.last_bounce_category, record.last_bounce_category)

    def render_last_bounce_subtype(self, record):
        return SUBTYPE_LABELS.get(record.last_bounce_subtype, record.last_bounce_subtype) or "—"

    def value_last_bounce_subtype(self, record):
        return SUBTYPE_LABELS.get(record.last_bounce_subtype, record.last_bounce_subtype)

    def value_last_bounced_at(self, record):
        return record.last_bounced_at  # bounceportal.export writes it in the organization's zone
