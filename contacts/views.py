"""Portal pages for learners: list, profile and the acknowledge-to-clear edit form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from bounceportal.tenancy import OrgScopedMixin, can_clear_bounce
from contacts.filters import LearnerFilter
from contacts.forms import LearnerEditForm
from contacts.models import Learner
from contacts.services import (
    LearnerStateError,
    change_learner_email,
    clear_bounce_status,
    policy_for,
    update_learner_details,
)
from contacts.tables import LearnerTable


class LearnerListView(OrgScopedMixin, SingleTableMixin, FilterView):
    template_name = "contacts/learner_list.html"
    table_class = LearnerTable
    filterset_class = LearnerFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return Learner.objects.for_organization(self.organization)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(organization=self.organization, policy=policy_for(self.organization.pk))
        return kwargs


class LearnerDetailView(OrgScopedMixin, DetailView):
    template_name = "contacts/learner_detail.html"
    context_object_name = "learner"

    def get_queryset(self):
        return Learner.objects.for_organization(self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = policy_for(self.organization.pk)
        context["policy"] = policy
        context["soft_threshold"] = policy.soft_threshold_for(self.object)
        context["clearances"] = self.object.clearances.select_related("cleared_by")[:20]
        return context


class LearnerEditView(OrgScopedMixin, UpdateView):
    template_name = "contacts/learner_edit.html"
    form_class = LearnerEditForm
    context_object_name = "learner"

    def get_queryset(self):
        return Learner.objects.for_organization(self.organization)

    def post(self, request, *args, **kwargs):
        if not can_clear_bounce(request):
            raise PermissionDenied("Only organization admins may edit learners.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        learner = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        data = form.cleaned_data
        try:
            update_learner_details(learner=learner, first_name=data["first_name"],
                                   last_name=data["last_name"], department=data["department"])
            if form.email_changed:
                change_learner_email(learner=learner, new_email=data["email"], changed_by=self.request.user,
                                     note=data.get("note", ""))
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
