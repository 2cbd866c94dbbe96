"""Portal pages for learners: list (its bulk clear is in bulk_clear_views), profile with activity log,
acknowledge-to-clear edit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from bounceportal.counts import active_filters
from bounceportal.export import ExportMixin
from bounceportal.keyset import BAD_CURSOR, InvalidCursor
from bounceportal.pagination import LIST_PAGINATION, capped_count
from contacts.activity import ActivityLog, with_activity_counts
from contacts.capabilities import can_clear_bounce
from contacts.choices import DeliverabilityStatus
from contacts.deliverability import LearnerStateError, never_suppress_entry_for
from contacts.extensions import learner_pages
from contacts.filters import LearnerFilter
from contacts.forms import LearnerEditForm
from contacts.learner_counters import learner_counts_for_organization
from contacts.models import Learner
from contacts.recovery import recovery_odds
from contacts.selectors import near_threshold_floor
from contacts.services import edit_learner, policy_for
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
        context["count"], context["count_more"] = self.learner_count()
        return context

    def learner_count(self) -> tuple[int, bool]:
        """(count, more): exact from the organization's counters for every learner or one status (no count
        over a million rows); any other filter counts its matches up to a cap ("10,000+")."""
        filterset = self.filterset
        active = active_filters(filterset)
        if not active or (filterset.is_valid() and active.keys() == {"status"}):
            counts = learner_counts_for_organization(self.organization)
            return (counts.get(active["status"], 0) if active else sum(counts.values())), False
        return capped_count(self.object_list)


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
        log = ActivityLog(learner)
        try:
            page = log.page(per_page=ACTIVITY_PER_PAGE, cursor=self.request.GET.get("cursor"))
        except InvalidCursor:
            messages.warning(self.request, BAD_CURSOR)
            page = log.page(per_page=ACTIVITY_PER_PAGE, cursor=None)
        context.update(
            policy=policy,
            soft_threshold=threshold,
            engaged=learner.is_engaged(policy.engaged_since()),
            near_threshold=(
                learner.soft_bounce_count >= near_threshold_floor(threshold)
                and learner.status == DeliverabilityStatus.ACTIVE
            ),
            activity=page,
            activity_total=len(log),
            status_event=learner_pages().status_event(learner),
            never_suppress=never_suppress_entry_for(learner),
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
        learner = self.object
        odds = []
        if learner.is_bounced and learner.last_bounce_subtype:
            odds = recovery_odds(organization_ids=[self.organization.pk], subtypes={learner.last_bounce_subtype})
        return super().get_context_data(status_event=learner_pages().status_event(learner), recovery=odds, **kwargs)

    def form_valid(self, form):
        learner = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        data = form.cleaned_data
        try:
            done = edit_learner(
                learner=learner,
                first_name=data["first_name"],
                last_name=data["last_name"],
                department=data["department"],
                email=data["email"],
                acknowledge_valid=bool(data.get("acknowledge_valid")),
                edited_by=self.request.user,
                note=data.get("note", ""),
            )
        except LearnerStateError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, done.label)
        return redirect("contacts:learner-detail", pk=learner.pk)
