"""Reports → My Dashboards: Your Learner Reports and the Email Status Report (read-only)."""

from datetime import timedelta
from typing import Any

from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView

from bounceportal.charts import bar_chart, column_chart
from bounceportal.export import ExportMixin
from bounceportal.pagination import capped_count
from campaigns.selectors import paused_runs_for_organization
from campaigns.services.review import inbound_to_review_for
from contacts.capabilities import can_review_inbound
from contacts.choices import Category
from contacts.services import policy_for
from contacts.tenancy import OrgScopedMixin
from reports import selectors
from reports.forms import DateRange, DateRangeForm
from reports.tables import (
    AlertTable,
    CategoryTable,
    DomainTable,
    EmailStatusDetailTable,
    EmailStatusTable,
    LearnerSampleTable,
    TrendTable,
    learner_list_url,
)

TREND_TITLES = {
    "day": gettext_lazy("Bounces per day"),
    "week": gettext_lazy("Bounces per week"),
    "month": gettext_lazy("Bounces per month"),
}


class DashboardIndexView(OrgScopedMixin, TemplateView):
    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if can_review_inbound(self.request.user, self.organization):
            context["to_review"], context["to_review_more"] = capped_count(inbound_to_review_for(self.organization))
        return context


class ReportView(OrgScopedMixin, ExportMixin, TemplateView):
    """A report with a date range whose tables export one by one with ``?export=csv&table=NAME``."""

    def get(self, request, *args, **kwargs):
        self.range_form = DateRangeForm(request.GET or None, initial=DateRange.default().params)
        self.date_range = self.range_form.date_range()
        return super().get(request, *args, **kwargs)

    def get_tables(self) -> dict:
        raise NotImplementedError

    def get_export_filename(self):
        name = self.request.GET.get("table", "")
        return f"{self.export_name}-{name}-{self.date_range.start}-{self.date_range.end}"

    def get_export_table(self):
        tables = self.get_tables()
        name = self.request.GET.get("table", "")
        if name not in tables:
            raise Http404(gettext("No such table in this report."))
        return tables[name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(range_form=self.range_form, date_range=self.date_range)
        return context


class LearnerReportView(ReportView):
    """Your Learner Reports: bounced learners, trend, categories, domains, repeat and near-threshold
    learners and allowlisting alerts, each linking to the filtered learner list."""

    template_name = "reports/learner_report.html"
    export_name = "learner-report"

    def get_report(self) -> dict:
        if not hasattr(self, "report"):
            org, date_range = self.organization, self.date_range
            self.policy = policy = policy_for(org.pk)
            self.report = selectors.learner_report_for_organization(org, date_range, policy)
        return self.report

    def get_tables(self) -> dict:
        report, date_range = self.get_report(), self.date_range
        return {
            "trend": TrendTable(report["trend"], date_range=date_range),
            "categories": CategoryTable(report["categories"], date_range=date_range),
            "domains": DomainTable(report["domains"], date_range=date_range),
            "repeat": LearnerSampleTable(report["repeat"], exclude=("soft_bounce_count",)),
            "near": LearnerSampleTable(report["near"], exclude=("times_cleared",)),
            "alerts": AlertTable(report["alerts"]),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report, date_range = self.get_report(), self.date_range
        by_category: dict = {}
        for row in report["categories"]:
            by_category[row["category"]] = by_category.get(row["category"], 0) + row["learners"]
        context.update(
            tables=self.get_tables(),
            policy=self.policy,
            bucket=report["bucket"],
            statuses=report["statuses"],
            bounced_in_range=sum(by_category.values()),
            trend_chart=column_chart(
                str(TREND_TITLES[report["bucket"]]),
                report["trend"],
                url_of=lambda row: period_url(row["period"], report["bucket"], date_range),
            ),
            category_chart=bar_chart(
                gettext("Learners by category of their last bounce"),
                [
                    (label, by_category.get(value, 0), f"bar-{value}", learner_list_url(date_range, category=value))
                    for value, label in Category.choices
                    if value in by_category
                ],
            ),
            repeat_total=report["repeat_total"],
            near_total=report["near_total"],
            repeat_more=report["repeat_more"],
            near_more=report["near_more"],
            in_range_url=learner_list_url(date_range),
            paused_runs=paused_runs_for_organization(self.organization),
        )
        return context


def period_url(start, bucket, date_range) -> str:
    """The learner list of learners whose last bounce fell in this period of the trend."""
    end = {"day": start, "week": start + timedelta(days=6)}.get(bucket)
    if end is None:  # a month
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start, end = max(start, date_range.start), min(end, date_range.end)
    return learner_list_url(bounced_after=start.isoformat(), bounced_before=end.isoformat())


class EmailStatusReportView(ReportView):
    """Email Status Report: bounce events per campaign × category (and subtype) in a date range."""

    template_name = "reports/email_status.html"
    export_name = "email-status"

    def get_tables(self) -> dict:
        org, date_range = self.organization, self.date_range
        rows, details = selectors.email_status_for_organization(org, date_range)
        return {"campaigns": EmailStatusTable(rows), "subtypes": EmailStatusDetailTable(details)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tables"] = self.get_tables()
        return context
