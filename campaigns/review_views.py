"""Review of unmatched and unparseable mail: the queue and one message's page (organization admins)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from django_tables2 import SingleTableView

from bounceportal.pagination import LIST_PAGINATION, capped_count
from campaigns.models import InboundMessage
from campaigns.review_forms import AttachInboundForm, DismissInboundForm
from campaigns.review_tables import ReviewTable
from campaigns.services.review import (
    ReviewError,
    attach_inbound_message,
    dismiss_inbound_message,
    inbound_to_review_for,
    unattached_events_of,
)
from contacts.capabilities import can_review_inbound
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin


class ReviewMixin(OrgScopedMixin, CapabilityRequiredMixin):
    capability = staticmethod(can_review_inbound)
    denied_message = gettext_lazy("Reviewing unmatched mail is for your organization's admins.")


class InboundReviewListView(ReviewMixin, SingleTableView):
    template_name = "campaigns/review_list.html"
    table_class = ReviewTable
    table_pagination = LIST_PAGINATION

    def get_queryset(self):
        return inbound_to_review_for(self.organization).defer("raw").prefetch_related("events")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count"], context["count_more"] = capped_count(self.object_list)
        return context


class InboundReviewDetailView(ReviewMixin, TemplateView):
    template_name = "campaigns/review_detail.html"

    def get_message(self) -> InboundMessage:
        return get_object_or_404(inbound_to_review_for(self.organization).defer("raw"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        message = context.setdefault("message", self.get_message())
        events = unattached_events_of(message)
        context["events"] = events
        context.setdefault("attach_form", AttachInboundForm(organization=self.organization, events=events))
        context.setdefault("dismiss_form", DismissInboundForm())
        return context

    def post(self, request, pk):
        message = self.get_message()
        if request.POST.get("decision") == "attach":
            form = AttachInboundForm(request.POST, organization=self.organization, events=unattached_events_of(message))
            if form.is_valid():
                return self._decide(
                    form,
                    "attach_form",
                    message,
                    lambda: attach_inbound_message(
                        message=message,
                        event=form.chosen_event,
                        learner=form.cleaned_data["learner"],
                        reviewed_by=request.user,
                        note=form.cleaned_data["note"],
                    ),
                )
            return self.render_to_response(self.get_context_data(message=message, attach_form=form))
        form = DismissInboundForm(request.POST)
        if form.is_valid():
            return self._decide(
                form,
                "dismiss_form",
                message,
                lambda: dismiss_inbound_message(
                    message=message, reviewed_by=request.user, note=form.cleaned_data["note"]
                ),
            )
        return self.render_to_response(self.get_context_data(message=message, dismiss_form=form))

    def _decide(self, form, form_name, message, decide):
        try:
            review = decide()
        except ReviewError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(message=message, **{form_name: form}))
        if review.learner_id:
            messages.success(
                self.request,
                gettext("Attached to %(email)s: its reading was applied.") % {"email": review.learner.email},
            )
        else:
            messages.success(self.request, gettext("Dismissed: the message left the review queue."))
        return redirect("campaigns:review-list")
