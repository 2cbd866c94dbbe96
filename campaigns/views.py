"""Portal pages for campaigns, their runs (the run details) and raw inbound messages."""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, SingleTableView

from bounceportal.charts import bar_chart
from bounceportal.counts import active_filters
from bounceportal.export import ExportMixin
from bounceportal.pagination import LIST_PAGINATION, capped_count
from campaigns.counters import NOT_ATTEMPTED, counts_for_run, counts_for_runs, opened_after_bounce
from campaigns.filters import SendFilter
from campaigns.models import BounceEvent, Campaign, CampaignRun, InboundMessage, RunStatus, Send, SendStatus
from campaigns.selectors import engagement_for_run, summary_for_run, template_alerts_for_campaign
from campaigns.services.guard import reading_of
from campaigns.tables import CampaignTable, SendTable
from contacts.capabilities import can_launch_runs, can_view_raw_messages
from contacts.services import policy_for
from contacts.tenancy import OrgScopedMixin


class CampaignListView(OrgScopedMixin, ExportMixin, SingleTableView):
    template_name = "campaigns/campaign_list.html"
    table_class = CampaignTable
    table_pagination = {"per_page": 50}
    export_name = "campaigns"

    def get_queryset(self):
        return Campaign.objects.filter(organization=self.organization)


class CampaignDetailView(OrgScopedMixin, DetailView):
    template_name = "campaigns/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return Campaign.objects.filter(organization=self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list(self.object.runs.order_by("-created_at"))
        # The runs' counters (one query) give each run's sends and the template alerts: no count over
        # 1,000,000 sends a run.
        run_counts = counts_for_runs([run.pk for run in runs])
        for run in runs:
            run.send_count = sum(n for key, n in run_counts.get(run.pk, {}).items() if key.startswith("status:"))
        context["runs"] = runs
        context["template_alerts"] = template_alerts_for_campaign(self.object, run_counts=run_counts)
        return context


class RunDetailView(OrgScopedMixin, ExportMixin, SingleTableMixin, FilterView):
    """Run details: the status chart, left-out learners, allowlisting alerts and every send."""

    template_name = "campaigns/run_detail.html"
    table_class = SendTable
    filterset_class = SendFilter
    table_pagination = LIST_PAGINATION

    @cached_property
    def run(self):
        runs = CampaignRun.objects.filter(organization=self.organization).select_related(
            "campaign", "organization", "cancelled_by"
        )
        return get_object_or_404(runs, pk=self.kwargs["pk"])

    @cached_property
    def run_counts(self):
        """The run's summary counters (one query), read once for the filter and the page."""
        return counts_for_run(self.run.pk)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "run": self.run, "run_counts": self.run_counts}

    def get_export_filename(self):
        return f"run-{self.run.pk}-sends"

    def get_queryset(self):
        newest_first = BounceEvent.objects.order_by("-occurred_at", "-id")
        return (
            Send.objects.filter(run=self.run, organization=self.organization)
            .order_by("email")
            # Computed for the page's rows only (two index probes each), not for the run.
            .annotate(
                opened_after_bounce=ExpressionWrapper(opened_after_bounce(probe=True), output_field=BooleanField())
            )
            .prefetch_related(Prefetch("bounce_events", queryset=newest_first, to_attr="latest_events"))
        )

    def get_table_kwargs(self):
        return {"can_view_raw": can_view_raw_messages(self.request.user, self.organization)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run, policy = self.run, policy_for(self.organization.pk)
        share = policy.allowlisting_alert_share
        counts, alerts, counters = summary_for_run(run, share_percent=share, counters=self.run_counts)
        attempted = sum(n for status, n in counts.items() if status not in NOT_ATTEMPTED)
        chart = bar_chart(
            gettext("Sends of run %(number)s by status") % {"number": run.pk},
            [(label, counts[value], f"bar-{value}", f"?status={value}") for value, label in SendStatus.choices],
        )
        context.update(
            run=run,
            campaign=run.campaign,
            policy=policy,
            chart=chart,
            total=sum(counts.values()),
            attempted=attempted,
            skipped=counts[SendStatus.SKIPPED],
            alerts=alerts,
            template_alerts=template_alerts_for_campaign(run.campaign, run=run, run_counts={run.pk: counters}),
            guard=reading_of(run, counters, policy),
            can_resume=run.status == RunStatus.PAUSED and can_launch_runs(self.request.user, self.organization),
            left_out=sorted(run.left_out.items()) if isinstance(run.left_out, dict) else [],
            engagement=engagement_for_run(run, counters),
        )
        context["count"], context["count_more"] = self.send_count(counts, context["engagement"])
        return context

    def send_count(self, counts, engagement) -> tuple[int | None, bool]:
        """(count, more) of the sends the table lists: from the run's counters when it is the whole run, one
        status or the opened-after-bouncing flag (no scan of a 1,000,000-send run), else counted up to a cap.

        A filter on the sends' bounce events is sparse in a big run: counting its matches would read
        much of the run, so the table then shows its pages without a total (None).
        """
        filterset = self.filterset
        active = active_filters(filterset)
        if not active:
            return sum(counts.values()), False
        if filterset.is_valid() and active.keys() == {"status"}:
            return counts.get(active["status"], 0), False
        if filterset.is_valid() and active.keys() == {"flag"}:
            return engagement.opened_after_bounce, False
        if filterset.filters_on_events:
            return None, False
        return capped_count(self.object_list)


class InboundRawView(OrgScopedMixin, DetailView):
    """A raw inbound message shown as text in <pre> (never rendered as HTML); organization admins only."""

    template_name = "campaigns/inbound_raw.html"
    context_object_name = "message"

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.membership
            and not can_view_raw_messages(request.user, request.membership.organization)
        ):
            raise PermissionDenied(gettext("Raw messages are shown to organization admins only."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return InboundMessage.objects.filter(organization=self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.object.events.select_related("learner").order_by("recipient_index")
        return context
