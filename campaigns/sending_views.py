"""Portal view that launches a run from the campaign page (admins only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from campaigns.forms import RunLaunchForm
from campaigns.models import Campaign
from campaigns.services.sending import RunError, launch_new_run
from contacts.capabilities import can_launch_runs
from contacts.tenancy import OrgScopedMixin


class RunCreateView(OrgScopedMixin, View):
    """POST: create a run of the campaign for the filtered learners and launch it."""

    def get_campaign(self, pk) -> Campaign:
        return get_object_or_404(Campaign.objects.filter(organization=self.organization), pk=pk)

    def get(self, request, pk):
        return redirect("campaigns:campaign-detail", pk=self.get_campaign(pk).pk)

    def post(self, request, pk):
        campaign = self.get_campaign(pk)
        if not can_launch_runs(request.user, self.organization):
            raise PermissionDenied("Only the organization's admins can launch runs.")
        form = RunLaunchForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(
                request,
                "The run was not launched: "
                + "; ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()),
            )
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
        try:
            run = launch_new_run(campaign=campaign, audience=form.audience(), created_by=request.user)
        except RunError as exc:
            messages.error(request, f"The run was not launched: {exc}")
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
        messages.success(request, f"Run {run.pk} launched; {run.left_out_total} learners were left out.")
        return redirect("campaigns:run-detail", pk=run.pk)
