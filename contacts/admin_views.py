"""The learner admin's own pages: bulk-clear confirmation, job progress and clear by address list.

Each is wrapped by ``admin_site.admin_view`` in ``LearnerAdmin.get_urls`` (staff
login, CSRF, no caching) and further needs the ``contacts.clear_bounce`` permission.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from contacts.admin_forms import AddressListForm
from contacts.bulk_clear import (
    REPEAT_CLEAR_THRESHOLD,
    BulkClearError,
    confirm_bulk_clear,
    prepare_address_list_clear,
)
from contacts.capabilities import can_clear_bounce
from contacts.choices import ClearedVia
from contacts.forms import BulkClearConfirmForm
from contacts.models import BulkClearJob, BulkClearJobStatus, Learner
from contacts.recovery import recovery_odds, subtypes_of

SAMPLE_SIZE = 20
REPEAT_LISTED = 200
# Seconds between two reloads of the progress page (a <meta http-equiv="refresh">: no script needed).
PROGRESS_REFRESH_SECONDS = 2


def _require_clear_permission(request):
    if not can_clear_bounce(request.user, None):
        raise PermissionDenied(gettext("Clearing bounce statuses needs the clear_bounce permission."))


def _context(model_admin, request, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        **extra,
    }


def bulk_clear_confirm(request, model_admin, job_id):
    """Show what a draft job will clear (count, sample, repeat learners); start it with a note."""
    _require_clear_permission(request)
    job = get_object_or_404(BulkClearJob, pk=job_id, created_by=request.user)
    if job.status != BulkClearJobStatus.DRAFT:
        return redirect("admin:contacts_learner_bulk_clear_progress", job.pk)
    form = BulkClearConfirmForm(request.POST or None, repeat_count=len(job.repeat_ids))
    if request.method == "POST" and form.is_valid():
        try:
            job = confirm_bulk_clear(job=job, **form.cleaned_data)  # the note, and the tick if it was asked for
        except BulkClearError as error:
            messages.error(request, str(error))
        else:
            return redirect("admin:contacts_learner_bulk_clear_progress", job.pk)
    learners = Learner.objects.select_related("organization")
    return TemplateResponse(
        request,
        "admin/contacts/learner/bulk_clear_confirm.html",
        _context(
            model_admin,
            request,
            gettext("Clear bounce status: confirm"),
            job=job,
            form=form,
            sample=learners.filter(pk__in=job.learner_ids[:SAMPLE_SIZE]).order_by("pk"),
            repeat_learners=learners.filter(pk__in=job.repeat_ids[:REPEAT_LISTED]).order_by("-times_cleared", "pk"),
            repeat_more=max(0, len(job.repeat_ids) - REPEAT_LISTED),
            repeat_threshold=REPEAT_CLEAR_THRESHOLD,
            not_selected=job.selected_count - job.total,
            organizations_more=job.organization_count - len(job.by_organization),
            **_recovery_context(job),
        ),
    )


def _recovery_context(job: BulkClearJob) -> dict:
    """The recovery odds of the organizations the job's learners belong to (pooled when several)."""
    ids = Learner.objects.filter(pk__in=job.learner_ids).values_list("organization_id", flat=True).distinct()
    organization_ids = [job.organization_id] if job.organization_id else list(ids.order_by())
    scope = (
        gettext("in these %(count)s organizations") % {"count": len(organization_ids)}
        if len(organization_ids) > 1
        else ""
    )
    odds = recovery_odds(organization_ids=organization_ids, subtypes=subtypes_of(job.learner_ids))
    return {"recovery": odds, "recovery_scope": scope}


def bulk_clear_progress(request, model_admin, job_id):
    """Show a job's progress; the page reloads itself until the job is finished."""
    _require_clear_permission(request)
    job = get_object_or_404(
        BulkClearJob.objects.select_related("created_by", "organization").defer("learner_ids", "repeat_ids", "preview"),
        pk=job_id,
    )
    return TemplateResponse(
        request,
        "admin/contacts/learner/bulk_clear_progress.html",
        _context(
            model_admin,
            request,
            gettext("Bulk clear %(number)s") % {"number": job.pk},
            job=job,
            refresh_seconds=None if job.is_finished else PROGRESS_REFRESH_SECONDS,
        ),
    )


def clear_by_address_list(request, model_admin):
    """Take a pasted or uploaded address list for one organization and show its preview."""
    _require_clear_permission(request)
    form = AddressListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = prepare_address_list_clear(
            organization=form.cleaned_data["organization"],
            addresses=form.cleaned_data["valid"],
            invalid=form.cleaned_data["invalid"],
            created_by=request.user,
            via=ClearedVia.ADDRESS_LIST,
        )
        return redirect("admin:contacts_learner_bulk_clear_confirm", job.pk)
    return TemplateResponse(
        request,
        "admin/contacts/learner/address_list.html",
        _context(
            model_admin,
            request,
            gettext("Clear bounce status by address list"),
            form=form,
            media=model_admin.media + form.media,
        ),
    )
