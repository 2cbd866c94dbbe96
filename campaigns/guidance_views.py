"""Sending configurations: a guidance page per product or blocklist, with the organization's notes,
and the SPF / DKIM / DMARC page filled in with its sending domain."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_domain_name
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from campaigns.guidance import PAGES, dns_records
from campaigns.models import Campaign, GuidanceNote
from contacts.capabilities import can_manage_settings
from contacts.tenancy import OrgScopedMixin

KIND_HEADINGS = (
    ("provider", gettext_lazy("Mailbox providers")),
    ("filter", gettext_lazy("Filters and security gateways")),
    ("blocklist", gettext_lazy("Blocklists and reputation services")),
)


class GuidanceNoteForm(forms.Form):
    text = forms.CharField(label=_("Your note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class GuidanceIndexView(OrgScopedMixin, TemplateView):
    template_name = "campaigns/guidance_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = [(heading, [p for p in PAGES.values() if p.kind == kind]) for kind, heading in KIND_HEADINGS]
        context["groups"] = groups
        return context


class GuidanceDetailView(OrgScopedMixin, TemplateView):
    """One product's or list's page; POST adds an admin's note to it."""

    template_name = "campaigns/guidance_detail.html"

    def get_page(self):
        page = PAGES.get(self.kwargs["slug"])
        if page is None:
            raise Http404(gettext_lazy("No such sending configuration page."))
        return page

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.get_page()
        context.update(
            page=page,
            notes=GuidanceNote.objects.filter(organization=self.organization, slug=page.slug).select_related(
                "added_by"
            ),
            form=form or GuidanceNoteForm(),
            can_note=can_manage_settings(self.request.user, self.organization),
        )
        return context

    def post(self, request, slug):
        page = self.get_page()
        if not can_manage_settings(request.user, self.organization):
            raise PermissionDenied(gettext("Only the organization's admins can add notes."))
        form = GuidanceNoteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        GuidanceNote.objects.create(
            organization=self.organization, slug=page.slug, text=form.cleaned_data["text"], added_by=request.user
        )
        messages.success(request, gettext("Note added."))
        return redirect("campaigns:guidance-detail", slug=page.slug)


class AuthenticationGuideView(OrgScopedMixin, TemplateView):
    """SPF, DKIM and DMARC for the organization's sending domain (its newest campaign's, or ?domain=)."""

    template_name = "campaigns/guidance_authentication.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        asked = self.request.GET.get("domain", "").strip().lower()
        error = ""
        if asked:
            try:
                validate_domain_name(asked)
            except forms.ValidationError:
                error = gettext("“%(domain)s” is not a domain name.") % {"domain": asked}
                asked = ""
        newest = Campaign.objects.filter(organization=self.organization).order_by("-created_at").first()
        domain = asked or (newest.from_email.rpartition("@")[2].lower() if newest else "")
        context.update(domain=domain, error=error, records=dns_records(domain) if domain else [])
        return context
