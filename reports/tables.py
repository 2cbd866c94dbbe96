"""The reports' tables (rows are dicts from reports.selectors); each one exports as CSV."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bounceportal.columns import DateColumn, DateTimeColumn
from bounceportal.tables import Table
from contacts.choices import Category, Subtype

CATEGORY_LABELS = dict(Category.choices)
NUM = {"td": {"class": "num"}, "th": {"class": "num"}}
SUBTYPE_LABELS = dict(Subtype.choices)


def learner_list_url(date_range=None, **params) -> str:
    """The learner list filtered by ``params`` (and by last bounce within ``date_range``)."""
    if date_range is not None:
        params.update(date_range.learner_params)
    return f"{reverse('contacts:learner-list')}?{urlencode(params)}"


class ReportTable(Table):
    """Report tables are small and already sorted by the selector: no pagination, no re-sorting."""

    def __init__(self, data, *, date_range=None, **kwargs):
        self.date_range = date_range
        # Given here because django-tables2 subclasses do not inherit a parent's Meta.
        kwargs.setdefault("empty_text", gettext("Nothing here for this range."))
        kwargs.setdefault("attrs", {"class": "data-table report-table"})
        super().__init__(data, orderable=False, **kwargs)


class TrendTable(ReportTable):
    period = DateColumn(verbose_name=_("Period starting"), format="Y-m-d")
    hard = tables.Column(verbose_name=_("Hard bounces"), attrs=NUM)
    soft = tables.Column(verbose_name=_("Soft bounces"), attrs=NUM)
    block = tables.Column(verbose_name=_("Mail blocks"), attrs=NUM)
    total = tables.Column(verbose_name=_("Total"), attrs=NUM)

    def value_period(self, value):
        return value.isoformat()


class CategoryTable(ReportTable):
    category = tables.Column(verbose_name=_("Category"))
    subtype = tables.Column(verbose_name=_("Subtype"))
    learners = tables.Column(verbose_name=_("Learners"), attrs=NUM)

    def render_category(self, value):
        return format_html('<span class="badge badge-{}">{}</span>', value, CATEGORY_LABELS.get(value, value))

    def value_category(self, value):
        return CATEGORY_LABELS.get(value, value)

    def render_subtype(self, record, value):
        url = learner_list_url(self.date_range, category=record["category"], subtype=value)
        return format_html('<a href="{}">{}</a>', url, SUBTYPE_LABELS.get(value, value))

    def value_subtype(self, value):
        return SUBTYPE_LABELS.get(value, value)


class DomainTable(ReportTable):
    domain = tables.Column(verbose_name=_("Domain"))
    learners = tables.Column(verbose_name=_("Learners bounced"), attrs=NUM)
    hard = tables.Column(verbose_name=_("Of which hard"), attrs=NUM)

    def render_domain(self, value):
        return format_html('<a href="{}">{}</a>', learner_list_url(self.date_range, domain=value), value)


class LearnerSampleTable(ReportTable):
    email = tables.Column(verbose_name=_("Email"), linkify=("contacts:learner-detail", {"pk": tables.A("pk")}))
    soft_bounce_count = tables.Column(verbose_name=_("Soft in a row"), attrs=NUM)
    times_cleared = tables.Column(verbose_name=_("Times cleared"), attrs=NUM)
    last_bounced_at = DateTimeColumn(verbose_name=_("Last bounce"), format="Y-m-d H:i")


class AlertTable(ReportTable):
    name = tables.Column(verbose_name=_("Product, list, domain or server"))
    kind = tables.Column(verbose_name=_("Kind"))
    campaign_name = tables.Column(verbose_name=_("Campaign"))
    run_id = tables.Column(
        verbose_name=_("Run"), linkify=lambda record: reverse("campaigns:run-detail", args=[record.run_id])
    )
    blocked = tables.Column(verbose_name=_("Blocked"), attrs=NUM)
    attempted = tables.Column(verbose_name=_("Sends"), attrs=NUM)
    share = tables.Column(verbose_name=_("Share blocked"), attrs=NUM)
    domains = tables.Column(verbose_name=_("Domains"), attrs=NUM)

    def render_share(self, value):
        return f"{value:.0f}%"

    def value_share(self, value):
        return f"{value:.1f}"


class EmailStatusTable(ReportTable):
    campaign = tables.Column(verbose_name=_("Campaign"))
    hard = tables.Column(verbose_name=_("Hard bounce"), attrs=NUM)
    soft = tables.Column(verbose_name=_("Soft bounce"), attrs=NUM)
    block = tables.Column(verbose_name=_("Mail block"), attrs=NUM)
    autoreply = tables.Column(verbose_name=_("Auto reply"), attrs=NUM)
    complaint = tables.Column(verbose_name=_("Complaint"), attrs=NUM)
    unsubscribe = tables.Column(verbose_name=_("Unsubscribe request"), attrs=NUM)
    undetermined = tables.Column(verbose_name=_("Undetermined"), attrs=NUM)
    total = tables.Column(verbose_name=_("Total"), attrs={"td": {"class": "num total"}, "th": {"class": "num"}})

    def render_campaign(self, record, value):
        if record["campaign_id"] is None:
            return format_html('<span class="muted">{}</span>', value)
        return format_html(
            '<a href="{}">{}</a>', reverse("campaigns:campaign-detail", args=[record["campaign_id"]]), value
        )


class EmailStatusDetailTable(ReportTable):
    campaign = tables.Column(verbose_name=_("Campaign"))
    category = tables.Column(verbose_name=_("Category"))
    subtype = tables.Column(verbose_name=_("Subtype"))
    events = tables.Column(verbose_name=_("Events"), attrs=NUM)

    def render_category(self, value):
        return format_html('<span class="badge badge-{}">{}</span>', value, CATEGORY_LABELS.get(value, value))

    def value_category(self, value):
        return CATEGORY_LABELS.get(value, value)

    def render_subtype(self, value):
        return SUBTYPE_LABELS.get(value, value)

    def value_subtype(self, value):
        return SUBTYPE_LABELS.get(value, value)
