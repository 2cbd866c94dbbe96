"""The portal's bulk clear: a selection becomes the same ``BulkClearJob`` the support admin uses.

Three pages: the learner list POSTs its selection (or its filters) here, which
snapshots the bounced learners into a draft job; the job's confirmation page
shows what will be cleared, calls out learners cleared several times before
(they need an explicit tick) and takes the required note; large jobs run in
the worker and show a progress page that reloads itself until done.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from django.views import View

from contacts.bulk_clear import REPEAT_CLEAR_THRESHOLD, BulkClearError, confirm_bulk_clear, prepare_bulk_clear
from contacts.choices import ClearedVia
from contacts.forms import BulkClearConfirmForm, BulkClearSelectionForm
from contacts.models import BulkClearJob, BulkClearJobStatus, Learner
from contacts.recovery import recovery_odds, subtypes_of
from contacts.services import policy_for
from contacts.tenancy import ClearBouncePermissionMixin, OrgScopedMixin

SAMPLE_SIZE = 10
REPEAT_LISTED = 50
# Seconds between two reloads of the progress page (a <meta http-equiv="refresh">: no script needed).
PROGRESS_REFRESH_SECONDS = 2
FROM_FILTERS = "Portal: the learners matching the list's filters"
FROM_SELECTION = "Portal: the selected learners"


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("contacts:learner-list")


def _describe(form: BulkClearSelectionForm) -> str:
    """The job's description, which also tells the confirmation page how the selection was made."""
    matching = form.cleaned_data.get("matching")
    return f"{FROM_FILTERS} ({matching})"[:300] if matching else FROM_SELECTION


class LearnerBulkClearView(OrgScopedMixin, ClearBouncePermissionMixin, View):
    """POST the selected learners (or the list's filters): a draft job, then its confirmation page."""

    def post(self, request):
        data = {key: request.POST.get(key, "") for key in ("matching", "next")}
        data["select"] = request.POST.getlist("select")
        form = BulkClearSelectionForm(data, organization=self.organization, policy=policy_for(self.organization.pk))
        back_url = _safe_next(request, form.data.get("next", ""))
        if not form.is_valid():
            return render(request, "contacts/learner_bulk_clear.html", {"form": form, "back_url": back_url})
        job = prepare_bulk_clear(
            learners=form.cleaned_data["learners"],
            created_by=request.user,
            via=ClearedVia.PORTAL_BULK,
            organization=self.organization,
            description=_describe(form),
        )
        if not job.total:
            job.delete()
            return render(request, "contacts/learner_bulk_clear.html", {"form": form, "job": job, "back_url": back_url})
        url = reverse("contacts:learner-bulk-clear-confirm", args=[job.pk])
        return redirect(f"{url}?{urlencode({'next': back_url})}")


class _OwnJobMixin(OrgScopedMixin, ClearBouncePermissionMixin):
    """The job of the URL, if it is a portal job of this organization (another's is a 404)."""

    kwargs: dict

    def get_job(self, **filters) -> BulkClearJob:
        jobs = BulkClearJob.objects.filter(organization=self.organization, via=ClearedVia.PORTAL_BULK, **filters)
        return get_object_or_404(jobs, pk=self.kwargs["pk"])


class LearnerBulkClearConfirmView(_OwnJobMixin, View):
    """Show what a draft job will clear; clear it with the note (and the tick for repeat bouncers)."""

    def get(self, request, pk):
        return self._page(self.get_job(created_by=request.user), BulkClearConfirmForm(repeat_count=0))

    def post(self, request, pk):
        job = self.get_job(created_by=request.user)
        if job.status != BulkClearJobStatus.DRAFT:
            return redirect("contacts:learner-bulk-clear-progress", job.pk)
        form = BulkClearConfirmForm(request.POST, repeat_count=len(job.repeat_ids))
        if form.is_valid():
            try:
                job = confirm_bulk_clear(job=job, **form.cleaned_data)  # the note, and the tick if it was asked for
            except BulkClearError as error:
                form.add_error(None, str(error))
            else:
                if job.status == BulkClearJobStatus.DONE:
                    messages.success(
                        request,
                        ngettext(
                            "Cleared the bounce status of %(count)s learner.",
                            "Cleared the bounce status of %(count)s learners.",
                            job.cleared,
                        )
                        % {"count": job.cleared},
                    )
                    return redirect(_safe_next(request, request.GET.get("next", "")))
                return redirect("contacts:learner-bulk-clear-progress", job.pk)
        return self._page(job, form)

    def _page(self, job: BulkClearJob, form: BulkClearConfirmForm):
        if job.status != BulkClearJobStatus.DRAFT:
            return redirect("contacts:learner-bulk-clear-progress", job.pk)
        if not form.is_bound:
            form = BulkClearConfirmForm(repeat_count=len(job.repeat_ids))
        learners = Learner.objects.for_organization(self.organization)
        context = {
            "job": job,
            "form": form,
            "back_url": _safe_next(self.request, self.request.GET.get("next", "")),
            "sample": learners.filter(pk__in=job.learner_ids[:SAMPLE_SIZE]).order_by("email"),
            "repeat_learners": learners.filter(pk__in=job.repeat_ids[:REPEAT_LISTED]).order_by(
                "-times_cleared", "email"
            ),
            "repeat_more": max(0, len(job.repeat_ids) - REPEAT_LISTED),
            "repeat_threshold": REPEAT_CLEAR_THRESHOLD,
            "from_filters": job.description.startswith(FROM_FILTERS),
            "recovery": recovery_odds(organization_ids=[self.organization.pk], subtypes=subtypes_of(job.learner_ids)),
        }
        return render(self.request, "contacts/learner_bulk_clear.html", context)


class LearnerBulkClearProgressView(_OwnJobMixin, View):
    """A job's progress; the page reloads itself until the job is finished."""

    def get(self, request, pk):
        job = self.get_job()
        refresh = None if job.is_finished else PROGRESS_REFRESH_SECONDS
        return render(request, "contacts/learner_bulk_clear_progress.html", {"job": job, "refresh_seconds": refresh})
