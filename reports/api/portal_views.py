"""Settings → API keys: admins create (the key is shown once) and revoke their organization's keys."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views import View

from contacts.capabilities import can_use_api
from contacts.tenancy import CapabilityRequiredMixin, OrgScopedMixin
from reports.api.forms import ApiKeyForm
from reports.api.keys import create_api_key, revoke_api_key
from reports.api.models import ApiKey


class ApiAdminMixin(OrgScopedMixin, CapabilityRequiredMixin):
    capability = staticmethod(can_use_api)
    denied_message = gettext_lazy("Only organization admins may manage API keys.")


class ApiKeyListView(ApiAdminMixin, View):
    template_name = "api/apikey_list.html"

    def render_page(self, form, raw_key=""):
        keys = ApiKey.objects.filter(organization=self.organization).select_related("created_by")
        return render(self.request, self.template_name, {"form": form, "keys": keys, "raw_key": raw_key})

    def get(self, request):
        return self.render_page(ApiKeyForm())

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        _key, raw = create_api_key(organization=self.organization, created_by=request.user, **form.cleaned_data)
        # Rendered, not redirected: the key exists only in this response and is never shown again.
        return self.render_page(ApiKeyForm(), raw_key=raw)


class ApiKeyRevokeView(ApiAdminMixin, View):
    def post(self, request, pk):
        key = get_object_or_404(ApiKey, organization=self.organization, pk=pk)
        revoke_api_key(key=key)
        messages.success(request, gettext("API key %(key)s revoked: it no longer works.") % {"key": key})
        return redirect("api:key-list")

    def get(self, request, pk):
        get_object_or_404(ApiKey, organization=self.organization, pk=pk)
        return redirect("api:key-list")
