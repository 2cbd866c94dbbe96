"""Settings → Members: admins see the members, invite colleagues, change roles and deactivate members.

The invitee's page (``invitation-accept``) is public: the signed link is the credential.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from django.views.generic import FormView

from contacts import members as service
from contacts.capabilities import can_manage_members
from contacts.member_forms import AcceptInvitationForm, InviteForm, RoleForm
from contacts.models import Invitation, MemberChange, Membership
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin

RECENT_CHANGES = 20


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


class MembersAdminMixin(OrgScopedMixin, CapabilityRequiredMixin):
    capability = staticmethod(can_manage_members)
    denied_message = gettext_lazy("Only organization admins may manage members.")

    def get_membership(self, pk):
        memberships = Membership.objects.filter(organization=self.organization).select_related("user")
        return get_object_or_404(memberships, pk=pk)


class MemberListView(MembersAdminMixin, FormView):
    template_name = "contacts/member_list.html"
    form_class = InviteForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            Membership.objects.filter(organization=self.organization)
            .select_related("user")
            .order_by("-user__is_active", "user__username")
        )
        context["invitations"] = Invitation.objects.filter(
            organization=self.organization, accepted_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by")
        context["changes"] = MemberChange.objects.filter(organization=self.organization).select_related(
            "actor", "member"
        )[:RECENT_CHANGES]
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            service.invite_member(
                organization=self.organization,
                invited_by=self.request.user,
                email=data["email"],
                role=data["role"],
                may_clear_bounces=data["may_clear_bounces"],
                accept_url=lambda token: self.request.build_absolute_uri(reverse("invitation-accept", args=[token])),
            )
        except ValidationError as error:
            form.add_error("email", _errors(error))
            return self.form_invalid(form)
        messages.success(self.request, gettext("Invitation sent to %(email)s.") % {"email": data["email"]})
        return redirect("contacts:member-list")


class MemberDetailView(MembersAdminMixin, FormView):
    template_name = "contacts/member_detail.html"
    form_class = RoleForm

    def get_initial(self):
        self.membership = self.get_membership(self.kwargs["pk"])
        return {"role": self.membership.role, "may_clear_bounces": self.membership.may_clear_bounces}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        context["changes"] = MemberChange.objects.filter(
            organization=self.organization, member=self.membership.user
        ).select_related("actor")[:RECENT_CHANGES]
        return context

    def form_valid(self, form):
        try:
            service.change_member_role(
                membership=self.membership,
                changed_by=self.request.user,
                role=form.cleaned_data["role"],
                may_clear_bounces=form.cleaned_data["may_clear_bounces"],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("%(username)s's role saved.") % {"username": self.membership.user.get_username()}
        )
        return redirect("contacts:member-detail", pk=self.membership.pk)


class MemberDeactivateView(MembersAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = self.get_membership(pk)
        try:
            service.deactivate_member(membership=membership, deactivated_by=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
            return redirect("contacts:member-detail", pk=membership.pk)
        messages.success(
            request,
            gettext("%(username)s is deactivated; their sessions have ended.")
            % {"username": membership.user.get_username()},
        )
        return redirect("contacts:member-list")


class MemberReactivateView(MembersAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = self.get_membership(pk)
        try:
            service.reactivate_member(membership=membership, reactivated_by=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request, gettext("%(username)s can log in again.") % {"username": membership.user.get_username()}
            )
        return redirect("contacts:member-detail", pk=membership.pk)


class InvitationActionView(MembersAdminMixin, View):
    """Revoke or resend one of the organization's open invitations (POST only)."""

    http_method_names = ["post"]
    action = ""  # "revoke" or "resend"

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation, organization=self.organization, pk=pk)
        try:
            if self.action == "revoke":
                service.revoke_invitation(invitation=invitation, revoked_by=request.user)
                done = gettext("The invitation of %(email)s is withdrawn; its link no longer works.")
            else:
                service.resend_invitation(
                    invitation=invitation,
                    resent_by=request.user,
                    accept_url=lambda token: request.build_absolute_uri(reverse("invitation-accept", args=[token])),
                )
                done = gettext("A new invitation was sent to %(email)s; the earlier link no longer works.")
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, done % {"email": invitation.email})
        return redirect("contacts:member-list")


class InvitationAcceptView(View):
    template_name = "registration/invitation_accept.html"

    def _page(self, request, token, form=None, status=200):
        try:
            invitation = service.invitation_for_token(token)
        except service.InvitationInvalid as invalid:
            return render(request, self.template_name, {"invalid": str(invalid)}, status=404)
        form = form or AcceptInvitationForm()
        return render(request, self.template_name, {"invitation": invitation, "form": form}, status=status)

    def get(self, request, token):
        return self._page(request, token)

    def post(self, request, token):
        form = AcceptInvitationForm(request.POST)
        if form.is_valid():
            try:
                service.accept_invitation(
                    token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
                )
            except service.InvitationInvalid as invalid:
                return render(request, self.template_name, {"invalid": str(invalid)}, status=404)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field, errors)
                else:
                    form.add_error("password1", error.messages)
            else:
                messages.success(request, gettext("Welcome! Log in with your new username and password."))
                return redirect("login")
        return self._page(request, token, form, status=400)
