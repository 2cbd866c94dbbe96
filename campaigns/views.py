"""Portal pages for campaigns and their runs."""

from django.db.models import Count
from django.views.generic import DetailView
from django_tables2 import SingleTableMixin, SingleTableView

from bounceportal.tenancy import OrgScopedMixin
from campaigns.models import Campaign, CampaignRun, Send, SendStatus
from campaigns.tables import CampaignTable, SendTable


class CampaignListView(OrgScopedMixin, SingleTableView):
    template_name = "campaigns/campaign_list.html"
    table_class = CampaignTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return Campaign.objects.filter(organization=self.organization)


class CampaignDetailView(OrgScopedMixin, DetailView):
    template_name = "campaigns/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return Campaign.objects.filter(organization=self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = self.object.runs.annotate(send_count=Count("sends")).order_by("-created_at")
        return context


class RunDetailView(OrgScopedMixin, SingleTableMixin, DetailView):
    template_name = "campaigns/run_detail.html"
    context_object_name = "run"
    table_class = SendTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return CampaignRun.objects.filter(organization=self.organization).select_related("campaign")

    def get_table_data(self):
        return Send.objects.filter(run=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(Send.objects.filter(run=self.object).values_list("status").annotate(n=Count("id")))
        context["status_counts"] = [(label, counts.get(value, 0)) for value, label in SendStatus.choices]
        return context
