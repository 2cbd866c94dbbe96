"""Settings → Never-suppress list: the organization's entries, add, remove, CSV import and export.

Viewers read the list; only admins change it (every POST is refused otherwise).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from bounceportal.export import csv_response
from contacts.models import NeverSuppress
from contacts.never_suppress import (
    NeverSuppressError,
    add_never_suppress_entry,
    import_never_suppress_csv,
    never_suppress_csv_rows,
    remove_never_suppress_entry,
)
from contacts.never_suppress_forms import NeverSuppressEntryForm, NeverSuppressImportForm
from contacts.settings_views import SettingsMixin
from contacts.tenancy import AdminRequiredForPostMixin, OrgScopedMixin

HISTORY_SHOWN = 20


class NeverSuppressSettingsView(SettingsMixin, TemplateView):
    template_name = "contacts/settings_never_suppress.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return csv_response(never_suppress_csv_rows(self.organization), "never-suppress")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = NeverSuppress.objects.for_organization(self.organization).select_related("added_by", "removed_by")
        context.setdefault("form", NeverSuppressEntryForm())
        context.setdefault("import_form", NeverSuppressImportForm())
        context.update(
            entries=entries.current(),
            removed=entries.filter(removed_at__isnull=False).order_by("-removed_at")[:HISTORY_SHOWN],
        )
        return context

    def post(self, request):
        form = NeverSuppressEntryForm(request.POST)
        if form.is_valid():
            try:
                entry = add_never_suppress_entry(
                    organization=self.organization, added_by=request.user, **form.cleaned_data
                )
            except NeverSuppressError as error:
                form.add_error("entry", str(error))
            else:
                messages.success(
                    request,
                    gettext("%(entry)s added: its bounces are recorded but never suppress.") % {"entry": entry.entry},
                )
                return redirect("contacts:settings-never-suppress")
        return self.render_to_response(self.get_context_data(form=form))


class NeverSuppressImportView(NeverSuppressSettingsView):
    def post(self, request):
        form = NeverSuppressImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = import_never_suppress_csv(
                    organization=self.organization,
                    text=form.cleaned_data["file"],
                    added_by=request.user,
                    default_reason=form.cleaned_data["default_reason"],
                )
            except NeverSuppressError as error:
                form.add_error("file", str(error))
            else:
                if result.already_listed:
                    text = gettext("Imported %(count)s entries; %(listed)s already listed.")
                else:
                    text = gettext("Imported %(count)s entries.")
                messages.success(request, text % {"count": len(result.added), "listed": len(result.already_listed)})
                return redirect("contacts:settings-never-suppress")
        return self.render_to_response(self.get_context_data(import_form=form))


class NeverSuppressRemoveView(OrgScopedMixin, AdminRequiredForPostMixin, View):
    """POST only; a GET (a reloaded page) goes back to the list. Another organization's entry is a 404."""

    def get_entry(self, pk) -> NeverSuppress:
        return get_object_or_404(NeverSuppress.objects.current(), organization=self.organization, pk=pk)

    def get(self, request, pk):
        self.get_entry(pk)
        return redirect("contacts:settings-never-suppress")

    def post(self, request, pk):
        entry = self.get_entry(pk)
        remove_never_suppress_entry(entry=entry, removed_by=request.user)
        messages.success(
            request, gettext("%(entry)s removed: its bounces suppress again from now on.") % {"entry": entry.entry}
        )
        return redirect("contacts:settings-never-suppress")
