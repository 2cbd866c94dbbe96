"""Settings: the bounce policy and email status automation (admins change, viewers read).

Mailbox settings are another branch's pages (``campaigns:mailbox-list``); the
index links to them only when that URL exists.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from contacts.models import AutomationRule, NeverSuppress
from contacts.services import (
    add_automation_rule,
    policy_for,
    remove_automation_rule,
    set_automation_rule_enabled,
    update_bounce_policy,
    update_sending_settings,
)
from contacts.settings_forms import AutomationRuleForm, BouncePolicyForm, SendingSettingsForm
from contacts.tenancy import AdminRequiredForPostMixin, OrgScopedMixin


def mailbox_settings_url(name: str = "campaigns:mailbox-list") -> str | None:
    """The URL of a settings page the campaigns app serves (None when it is not installed)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class SettingsMixin(OrgScopedMixin, AdminRequiredForPostMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(mailbox_url=mailbox_settings_url(), esp_url=mailbox_settings_url("campaigns:esp-list"))
        return context


class SettingsIndexView(SettingsMixin, TemplateView):
    template_name = "contacts/settings_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policy"] = policy_for(self.organization.pk)
        context["rule_count"] = AutomationRule.objects.filter(organization=self.organization, enabled=True).count()
        context["never_suppress_count"] = NeverSuppress.objects.current().for_organization(self.organization).count()
        return context


class InstanceSettingsView(SettingsMixin, FormView):
    """A settings page editing one row of the organization's through its service ``save(instance, changes)``."""

    saved_message: str | Promise = ""
    success_url_name = ""

    def get_instance(self):
        raise NotImplementedError

    def save(self, instance, changes: dict) -> None:
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_instance()
        return kwargs

    def form_valid(self, form):
        self.save(form.instance, {name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(self.request, self.saved_message)
        return redirect(self.success_url_name)


class PolicySettingsView(InstanceSettingsView):
    template_name = "contacts/settings_policy.html"
    form_class = BouncePolicyForm
    saved_message = gettext_lazy("Bounce policy saved. It applies to the bounces processed from now on.")
    success_url_name = "contacts:settings-policy"

    def get_instance(self):
        return policy_for(self.organization.pk)

    def save(self, instance, changes: dict) -> None:
        update_bounce_policy(policy=instance, changes=changes)


class SendingSettingsView(InstanceSettingsView):
    template_name = "contacts/settings_sending.html"
    form_class = SendingSettingsForm
    saved_message = gettext_lazy("Sending settings saved. Runs scheduled from now on use them.")
    success_url_name = "contacts:settings-sending"

    def get_instance(self):
        return self.organization

    def save(self, instance, changes: dict) -> None:
        update_sending_settings(organization=instance, changes=changes)


class AutomationSettingsView(SettingsMixin, FormView):
    template_name = "contacts/settings_automation.html"
    form_class = AutomationRuleForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = self.organization
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = AutomationRule.objects.filter(organization=self.organization)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            add_automation_rule(
                organization=self.organization,
                category=data["category"],
                subtype=data["subtype"],
                action=data["action"],
                tag=data.get("tag", ""),
            )
        except IntegrityError:  # a concurrent request added the same rule
            form.add_error(None, gettext("This rule exists already."))
            return self.form_invalid(form)
        messages.success(self.request, gettext("Rule added: it applies to the bounces processed from now on."))
        return redirect("contacts:settings-automation")


class AutomationRuleView(OrgScopedMixin, AdminRequiredForPostMixin, View):
    """A POST-only action on one rule; a GET (a reloaded page) goes back to the rules."""

    def get_rule(self):
        return get_object_or_404(AutomationRule, organization=self.organization, pk=self.kwargs["pk"])

    def get(self, request, pk):
        self.get_rule()
        return redirect("contacts:settings-automation")


class AutomationRuleToggleView(AutomationRuleView):
    def post(self, request, pk):
        rule = self.get_rule()
        set_automation_rule_enabled(rule=rule, enabled=not rule.enabled)
        text = gettext("Rule enabled: %(rule)s.") if rule.enabled else gettext("Rule paused: %(rule)s.")
        messages.success(request, text % {"rule": rule})
        return redirect("contacts:settings-automation")


class AutomationRuleDeleteView(AutomationRuleView):
    def post(self, request, pk):
        rule = self.get_rule()
        remove_automation_rule(rule=rule)
        messages.success(request, gettext("Rule removed: %(rule)s.") % {"rule": rule})
        return redirect("contacts:settings-automation")
