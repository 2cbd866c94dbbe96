"""Portal views that launch, schedule, cancel and resume runs (admins only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View

from campaigns.forms import RunLaunchForm, RunScheduleForm
from campaigns.models import Campaign, CampaignRun
from campaigns.services.scheduling import cancel_run, schedule_new_run
from campaigns.services.sending import RunError, launch_new_run, resume_run
from contacts.capabilities import can_launch_runs
from contacts.tenancy import OrgScopedMixin


class RunAdminMixin(OrgScopedMixin):
    def require_launcher(self):
        if not can_launch_runs(self.request.user, self.organization):
            raise PermissionDenied(gettext("Only the organization's admins can launch, schedule or cancel runs."))

    def get_campaign(self, pk) -> Campaign:
        return get_object_or_404(Campaign.objects.filter(organization=self.organization), pk=pk)


class RunCreateView(RunAdminMixin, View):
    """POST: create a run of the campaign for the filtered learners and launch it."""

    def get(self, request, pk):
        return redirect("campaigns:campaign-detail", pk=self.get_campaign(pk).pk)

    def post(self, request, pk):
        campaign = self.get_campaign(pk)
        self.require_launcher()
        form = RunLaunchForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(
                request,
                gettext("The run was not launched: %(errors)s")
                % {
                    "errors": "; ".join(
                        f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
                    )
                },
            )
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
        try:
            run = launch_new_run(
                campaign=campaign,
                audience=form.audience(),
                created_by=request.user,
                esp_connection=form.cleaned_data.get("send_through"),
            )
        except RunError as exc:
            messages.error(request, gettext("The run was not launched: %(errors)s") % {"errors": exc})
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
        messages.success(
            request,
            gettext("Run %(number)s launched; %(count)s learners were left out.")
            % {"number": run.pk, "count": run.left_out_total},
        )
        return redirect("campaigns:run-detail", pk=run.pk)


class RunScheduleView(RunAdminMixin, View):
    """GET: the form to schedule a run (start, send window, audience); POST: schedule it or re-show the form."""

    template_name = "campaigns/run_schedule.html"

    def get(self, request, pk):
        campaign = self.get_campaign(pk)
        self.require_launcher()
        return self.show(campaign, RunScheduleForm(organization=self.organization))

    def post(self, request, pk):
        campaign = self.get_campaign(pk)
        self.require_launcher()
        form = RunScheduleForm(request.POST, organization=self.organization)
        if not form.is_valid():
            return self.show(campaign, form)
        try:
            run = schedule_new_run(
                campaign=campaign,
                start=form.cleaned_data["start"],
                window=form.window,
                audience=form.audience(),
                created_by=request.user,
            )
        except RunError as exc:
            form.add_error(None, str(exc))
            return self.show(campaign, form)
        messages.success(
            request,
            gettext("Run %(number)s scheduled; %(count)s learners were left out.")
            % {"number": run.pk, "count": run.left_out_total},
        )
        return redirect("campaigns:run-detail", pk=run.pk)

    def show(self, campaign, form):
        return render(self.request, self.template_name, {"campaign": campaign, "form": form})


class RunCancelView(RunAdminMixin, View):
    """POST: cancel a run before or during sending (its unsent sends become skipped, reason cancelled)."""

    def post(self, request, pk):
        run = get_object_or_404(CampaignRun.objects.filter(organization=self.organization), pk=pk)
        self.require_launcher()
        try:
            skipped = cancel_run(run=run, cancelled_by=request.user)
        except RunError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext("Run %(number)s cancelled; %(count)s unsent messages will not be sent.")
                % {"number": run.pk, "count": skipped},
            )
        return redirect("campaigns:run-detail", pk=run.pk)


class RunResumeView(RunAdminMixin, View):
    """POST: resume a run the guard paused (it re-arms the guard); GET goes to the run's page."""

    def get_run(self, pk) -> CampaignRun:
        return get_object_or_404(CampaignRun.objects.filter(organization=self.organization), pk=pk)

    def get(self, request, pk):
        return redirect("campaigns:run-detail", pk=self.get_run(pk).pk)

    def post(self, request, pk):
        run = self.get_run(pk)
        self.require_launcher()
        try:
            resume_run(run=run, resumed_by=request.user)
        except RunError as exc:
            messages.error(request, gettext("The run was not resumed: %(error)s") % {"error": exc})
        else:
            messages.success(
                request,
                gettext("Run %(number)s is sending again; the run guard watches it from here on.") % {"number": run.pk},
            )
        return redirect("campaigns:run-detail", pk=run.pk)
