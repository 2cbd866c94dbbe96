"""Settings → Bounce mailboxes: list, create, edit (secrets write-only) and "Test connection".

Everyone in the organization sees the mailboxes and how their polls went;
only admins may create, change or test one (others get a 403 on POST or any other unsafe method).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import CreateView, ListView, UpdateView

from campaigns.mailbox_forms import MailboxForm
from campaigns.mailboxes import check_connection
from campaigns.models import BounceMailbox, InboundKind, MailboxChangeVia, MailboxProtocol, MatchedBy
from campaigns.services.mailboxes import save_bounce_mailbox
from contacts.capabilities import can_edit_mailboxes
from contacts.tenancy import OrgScopedMixin, is_unsafe

REVIEW_LIMIT = 25


class MailboxAdminMixin:
    """Admins only for anything but reading (and for the create page altogether)."""

    admin_only_get = False

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.membership
            and not can_edit_mailboxes(request.user, request.membership.organization)
            and (is_unsafe(request) or self.admin_only_get)
        ):
            raise PermissionDenied(gettext("Only organization admins may change bounce mailboxes."))
        return super().dispatch(request, *args, **kwargs)


class MailboxListView(OrgScopedMixin, ListView):
    template_name = "campaigns/mailbox_list.html"
    context_object_name = "mailboxes"

    def get_queryset(self):
        return BounceMailbox.objects.filter(organization=self.organization).order_by("name", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs)


class MailboxCreateView(OrgScopedMixin, MailboxAdminMixin, CreateView):
    template_name = "campaigns/mailbox_form.html"
    form_class = MailboxForm
    admin_only_get = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = BounceMailbox(organization=self.organization, protocol=MailboxProtocol.IMAP)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(editable=True, **kwargs)

    def form_valid(self, form):
        mailbox = save_bounce_mailbox(
            mailbox=form.instance,
            changed_by=self.request.user,
            via=MailboxChangeVia.PORTAL,
            **_secrets(form.cleaned_data),
        )
        messages.success(
            self.request,
            gettext("Mailbox “%(name)s” added. It is polled every %(seconds)s seconds; test the connection below.")
            % {"name": mailbox.name, "seconds": mailbox.poll_interval_seconds},
        )
        return redirect("campaigns:mailbox-edit", pk=mailbox.pk)


class MailboxEditView(OrgScopedMixin, MailboxAdminMixin, UpdateView):
    template_name = "campaigns/mailbox_form.html"
    form_class = MailboxForm
    context_object_name = "mailbox"

    def get_queryset(self):
        return BounceMailbox.objects.filter(organization=self.organization)

    def post(self, request, *args, **kwargs):
        if self.get_object().protocol == MailboxProtocol.MAILDIR:
            raise PermissionDenied(gettext("Local Maildir mailboxes are configured by the operator."))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        save_bounce_mailbox(
            mailbox=form.instance,
            changed_by=self.request.user,
            via=MailboxChangeVia.PORTAL,
            **_secrets(form.cleaned_data),
        )
        messages.success(self.request, gettext("Mailbox saved."))
        return redirect("campaigns:mailbox-edit", pk=form.instance.pk)

    def get_context_data(self, **kwargs):
        needs_review = (
            Q(matched_by__in=(MatchedBy.NONE, MatchedBy.ADDRESS))
            | Q(truncated=True)
            | Q(kind__in=(InboundKind.NOT_BOUNCE, InboundKind.UNPARSEABLE, InboundKind.TOO_COMPLEX))
        )
        review = (
            self.object.inbound_messages.filter(needs_review)
            .only("pk", "received_at", "subject", "from_header", "kind", "matched_by", "truncated", "size")
            .order_by("-received_at", "-pk")[:REVIEW_LIMIT]
        )
        return super().get_context_data(
            review=review,
            editable=self.object.protocol != MailboxProtocol.MAILDIR,
            **kwargs,
        )


class MailboxTestView(OrgScopedMixin, MailboxAdminMixin, View):
    """POST: try to connect and log in now; the result comes back as a message on the mailbox's page.
    GET just leads to that page."""

    def get(self, request, pk):
        return redirect(reverse("campaigns:mailbox-edit", kwargs={"pk": self._mailbox(pk).pk}))

    def post(self, request, pk):
        mailbox = self._mailbox(pk)
        ok, text = check_connection(mailbox)
        (messages.success if ok else messages.error)(request, gettext("Test connection: %(result)s") % {"result": text})
        return redirect(reverse("campaigns:mailbox-edit", kwargs={"pk": mailbox.pk}))

    def _mailbox(self, pk) -> BounceMailbox:
        return get_object_or_404(BounceMailbox.objects.filter(organization=self.organization), pk=pk)


def _secrets(cleaned: dict) -> dict:
    return {
        "password": cleaned.get("password") or "",
        "oauth_client_secret": cleaned.get("oauth_client_secret") or "",
        "oauth_refresh_token": cleaned.get("oauth_refresh_token") or "",
    }
