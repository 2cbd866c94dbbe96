"""Reports → My Dashboards: Your Learner Reports and the Email Status Report (read-only)."""

from django.http import Http404
from django.views.generic import TemplateView

from bounceportal.charts import bar_chart, column_chart
from bounceportal.export import ExportMixin
from bounceportal.tenancy import OrgScopedMixin
from contacts.choices import Category
from contacts.services import policy_for
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


class DashboardIndexView(OrgScopedMixin, TemplateView):
    template_name = "reports/index.html"


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
            raise Http404("No such table in this report.")
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

    def get_tables(self) -> dict:
        org, date_range = self.organization, self.date_range
        self.policy = policy_for(org.pk)
        self.bucket, trend = selectors.bounce_trend_for_organization(org, date_range)
        self.repeat, self.repeat_total = selectors.repeat_bouncers_for_organization(org)
        self.near, self.near_total = selectors.near_threshold_for_organization(org, self.policy)
        return {
            "trend": TrendTable(trend, date_range=date_range),
            "categories": CategoryTable(selectors.categories_for_organization(org, date_range),
                                        date_range=date_range),
            "domains": DomainTable(selectors.top_domains_for_organization(org, date_range), date_range=date_range),
            "repeat": LearnerSampleTable(self.repeat, exclude=("soft_bounce_count",)),
            "near": LearnerSampleTable(self.near, exclude=("times_cleared",)),
            "alerts": AlertTable(selectors.allowlisting_alerts_for_organization(
                org, date_range, share_percent=self.policy.allowlisting_alert_share)),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tables = self.get_tables()
        date_range = self.date_range
        categories = tables["categories"].data.data
        by_category: dict = {}
        for row in categories:
            by_category[row["category"]] = by_category.get(row["category"], 0) + row["learners"]
        context.update(
            tables=tables, policy=self.policy, bucket=self.bucket,
            statuses=selectors.status_counts_for_organization(self.organization),
            bounced_in_range=sum(by_category.values()),
            trend_chart=column_chart(f"Bounces per {self.bucket}", tables["trend"].data.data),
            category_chart=bar_chart("Learners by category of their last bounce", [
                (label, by_category.get(value, 0), f"bar-{value}", learner_list_url(date_range, category=value))
                for value, label in Category.choices if value in by_category]),
            repeat_total=self.repeat_total, near_total=self.near_total,
            in_range_url=learner_list_url(date_range),
        )
        return context


class EmailStatusReportView(ReportView):
    """Email Status Report: bounce events per campaign × category (and subtype) in a date range."""

    template_name = "reports/email_status.html"
    export_name = "email-status"

    def get_tables(self) -> dict:
        rows, details = selectors.email_status_for_organization(self.organization, self.date_range)
        return {"campaigns": EmailStatusTable(rows), "subtypes": EmailStatusDetailTable(details)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tables"] = self.get_tables()
        return context
