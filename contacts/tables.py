"""The learner table (list page and its CSV export)."""

import django_tables2 as tables
from django.utils.html import format_html

from contacts.models import Learner


def badge(value: str, label: str):
    return format_html('<span class="badge badge-{}">{}</span>', value, label) if value else "—"


class LearnerTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", exclude_from_export=True, orderable=False,
                                   attrs={"th__input": {"aria-label": "Select every learner on this page",
                                                        "class": "select-all"},
                                          "td__input": {"aria-label": "Select this learner"}})
    email = tables.Column(linkify=("contacts:learner-detail", {"pk": tables.A("pk")}))
    full_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    status = tables.Column(verbose_name="Deliverability")
    last_bounce_category = tables.Column(verbose_name="Category")
    last_bounce_subtype = tables.Column(verbose_name="Subtype")
    soft_bounce_count = tables.Column(verbose_name="Soft in a row", attrs={"td": {"class": "num"}})
    last_bounced_at = tables.DateTimeColumn(verbose_name="Last bounce", format="Y-m-d H:i")

    class Meta:
        model = Learner
        fields = ("select", "email", "full_name", "department", "status", "last_bounce_category",
                  "last_bounce_subtype", "soft_bounce_count", "last_bounced_at")
        empty_text = "No learners match these filters."
        attrs = {"class": "data-table"}

    def render_status(self, record):
        return badge(record.status, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_last_bounce_category(self, record):
        return badge(record.last_bounce_category, record.get_last_bounce_category_display())

    def value_last_bounce_category(self, record):
        return record.get_last_bounce_category_display()

    def value_last_bounce_subtype(self, record):
        return record.get_last_bounce_subtype_display()

    def value_last_bounced_at(self, record):
        return record.last_bounced_at.isoformat() if record.last_bounced_at else ""
