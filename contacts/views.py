"""Portal pages for learners: list with bulk clear, profile with activity log, acknowledge-to-clear edit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from bounceportal.export import ExportMixin
from bounceportal.pagination import LIST_PAGINATION, capped_count
from contacts.activity import ActivityLog, with_activity_counts
from contacts.capabilities import can_clear_bounce
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.extensions import learner_pages
from contacts.filters import LearnerFilter
from contacts.forms import BulkClearForm, LearnerEditForm
from contacts.models import Learner
from contacts.selectors import near_threshold_floor
from contacts.services import (
    LearnerStateError,
    change_learner_email,
    clear_bounce_status,
    clear_bounce_statuses,
    policy_for,
    update_learner_details,
)
from contacts.tables import LearnerTable
from contacts.tenancy import ClearBouncePermissionMixin, OrgScopedMixin

ACTIVITY_PER_PAGE = 25


class LearnerListView(OrgScopedMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "contacts/learner_list.html"
    table_class = LearnerTable
    filterset_class = LearnerFilter
    table_pagination = LIST_PAGINATION
    export_name = "learners"

    def get_queryset(self):
        return Learner.objects.for_organization(self.organization)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(organization=self.organization, policy=policy_for(self.organization.pk))
        return kwargs

    def get_table_kwargs(self):
        return {} if can_clear_bounce(self.request.user, self.organization) else {"exclude": ("select",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count"], context["count_more"] = capped_count(self.object_list)
        return context


class LearnerBulkClearView(OrgScopedMixin, ClearBouncePermissionMixin, View):
    """POST the selected learners (or the list's filters): a confirmation page with the count and a
    required note, then the clear itself through ``clear_bounce_statuses`` (one audit row each)."""

    def post(self, request):
        confirming = "confirm" in request.POST
        data = request.POST if confirming else {key: request.POST.get(key, "") for key in ("matching", "next")}
        if not confirming:
            data["select"] = request.POST.getlist("select")
        form = BulkClearForm(data, organization=self.organization, policy=policy_for(self.organization.pk))
        if form.is_valid() and confirming:
            cleared = clear_bounce_statuses(
                learners=form.cleaned_data["learners"],
                cleared_by=request.user,
                via=ClearedVia.PORTAL_BULK,
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"Cleared the bounce status of {cleared} learner{'s' if cleared != 1 else ''}.")
            return redirect(self._next_url(form))
        if not confirming:
            form.errors.pop("note", None)  # the note is asked for on the confirmation page itself
        learners = form.cleaned_data.get("learners", Learner.objects.none())
        bounced = learners.filter(status=DeliverabilityStatus.BOUNCED)
        return render(
            request,
            "contacts/learner_bulk_clear.html",
            {
                "form": form,
                "selected_count": learners.count(),
                "bounced_count": bounced.count(),
                "sample": bounced.order_by("email")[:10],
                "back_url": self._next_url(form),
                "matching": form.cleaned_data.get("matching", ""),
            },
        )

    def _next_url(self, form):
        url = form.data.get("next", "")
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return reverse("contacts:learner-list")


class LearnerDetailView(OrgScopedMixin, DetailView):
    template_name = "contacts/learner_detail.html"
    context_object_name = "learner"

    def get_queryset(self):
        return with_activity_counts(Learner.objects.for_organization(self.organization))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        learner = self.object
        policy = policy_for(self.organization.pk)
        threshold = policy.soft_threshold_for(learner)
        page = Paginator(ActivityLog(learner), ACTIVITY_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            policy=policy,
            soft_threshold=threshold,
            engaged=learner.is_engaged(policy.engaged_since()),
            near_threshold=(
                learner.soft_bounce_count >= near_threshold_floor(threshold)
                and learner.status == DeliverabilityStatus.ACTIVE
            ),
            activity=page,
            status_event=learner_pages().status_event(learner),
        )
        return context


class LearnerEditView(OrgScopedMixin, ClearBouncePermissionMixin, UpdateView):
    """Admins edit a learner; ticking the acknowledge checkbox clears a bounced address (audited)."""

    template_name = "contacts/learner_edit.html"
    form_class = LearnerEditForm
    context_object_name = "learner"

    def get_queryset(self):
        return Learner.objects.for_organization(self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(status_event=learner_pages().status_event(self.object), **kwargs)

    def form_valid(self, form):
        learner = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        data = form.cleaned_data
        try:
            update_learner_details(
                learner=learner,
                first_name=data["first_name"],
                last_name=data["last_name"],
                department=data["department"],
            )
            if form.email_changed or data["email"] != learner.email:  # a case-only correction clears nothing
                change_learner_email(
                    learner=learner, new_email=data["email"], changed_by=self.request.user, note=data.get("note", "")
                )
            if form.email_changed:
                messages.success(self.request, "Email address changed.")
            elif data.get("acknowledge_valid"):
                clear_bounce_status(learner=learner, cleared_by=self.request.user, note=data.get("note", ""))
                messages.success(self.request, "Bounce status cleared: this learner will receive campaigns again.")
            else:
                messages.success(self.request, "Learner saved.")
        except LearnerStateError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        return redirect("contacts:learner-detail", pk=learner.pk)
