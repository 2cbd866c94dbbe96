"""Django admin for organizations and learners: customer-experience staff work here (DESIGN §7).

Support works across every organization on tables of millions of rows, so the
changelists select related rows, never run a full COUNT(*) and paginate with
``LargeTablePaginator``. State changes go through the services: the bulk action
"Clear bounce status" and the address-list page make a ``BulkClearJob`` that is
confirmed with a note and cleared through ``contacts.deliverability`` (one
Clearance audit row per learner). Audit rows can be deleted by nobody here.
"""

import itertools
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bounceportal.admin_tools import KeysetAdminMixin, LargeTablePaginator, ReadOnlyAdminMixin
from bounceportal.export import csv_response
from contacts import (
    admin_lockouts,  # noqa: F401 - registers the login lockouts' admin ("Unlock")
    admin_views,
    members,
)
from contacts.admin_filters import ClearedBeforeFilter, ClearedByFilter, EngagedFilter
from contacts.bulk_clear import REPEAT_CLEAR_THRESHOLD, prepare_bulk_clear
from contacts.capabilities import can_clear_bounce
from contacts.choices import ClearedVia
from contacts.deliverability import LearnerStateError, change_learner_email
from contacts.models import (
    AutomationRule,
    BouncePolicy,
    BulkClearJob,
    Clearance,
    Learner,
    Membership,
    NeverSuppress,
    Organization,
)
from contacts.never_suppress import (
    add_never_suppress_entry,
    parse_entry,
    remove_never_suppress_entry,
)


class BouncePolicyInline(admin.StackedInline):
    model = BouncePolicy
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BouncePolicyInline]


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "organization", "role", "may_clear_bounces")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "role" in cleaned:
            try:
                members.refuse_losing_last_admin(membership=self.instance, role=cleaned["role"])
            except members.LastAdminError as error:
                self.add_error("role", error)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Staff edit memberships through contacts/members.py, audited like the portal's changes (MemberChange)."""

    form = MembershipAdminForm
    list_display = ("user", "organization", "role", "may_clear_bounces")
    list_filter = ("role", "organization")
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__email", "organization__name")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        # A membership moves to another user or organization by no edit: deactivate and invite instead.
        return ("user", "organization") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # a member who left is deactivated (audited), never deleted

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = members.add_member(
                user=data["user"],
                organization=data["organization"],
                role=data["role"],
                may_clear_bounces=data["may_clear_bounces"],
                added_by=request.user,
            )
            obj.pk = saved.pk
        elif {"role", "may_clear_bounces"} & set(form.changed_data):
            members.change_member_role(
                membership=obj, changed_by=request.user, role=data["role"], may_clear_bounces=data["may_clear_bounces"]
            )


@admin.register(BouncePolicy)
class BouncePolicyAdmin(admin.ModelAdmin):
    list_display = (
        "organization",
        "soft_threshold_engaged",
        "soft_threshold_unengaged",
        "engaged_window_days",
        "allowlisting_alert_share",
        "unverified_events_suppress",
    )
    list_select_related = ("organization",)
    search_fields = ("organization__name",)


class ClearanceInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The learner's clearance history on their admin page (the audit rows, read-only)."""

    model = Clearance
    fields = (
        "created_at",
        "via",
        "cleared_by",
        "previous_status",
        "previous_category",
        "previous_subtype",
        "previous_email",
        "note",
    )
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("clearance history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cleared_by", "learner")  # __str__ shows the learner


@admin.register(Learner)
class LearnerAdmin(KeysetAdminMixin, admin.ModelAdmin):
    list_display = (
        "email",
        "organization",
        "status",
        "last_bounce_category",
        "last_bounce_subtype",
        "last_bounced_at",
        "soft_bounce_count",
        "cleared_before",
    )
    list_filter = (
        "status",
        "last_bounce_category",
        "last_bounce_subtype",
        EngagedFilter,
        ClearedBeforeFilter,
        "organization",
    )
    list_select_related = ("organization",)
    search_fields = ("email", "first_name", "last_name", "organization__name")
    search_help_text = _("Search by email, first or last name, or organization name.")
    autocomplete_fields = ("organization",)
    readonly_fields = (
        "status",
        "status_reason",
        "status_since",
        "status_event_link",
        "soft_bounce_count",
        "last_bounce_category",
        "last_bounce_subtype",
        "last_bounced_at",
        "bounce_count",
        "auto_replied_at",
        "times_cleared",
        "retry_at",
        "soft_suppressions",
        "last_opened_at",
        "last_clicked_at",
        "last_engaged_at",
        "bounce_events_link",
    )
    # Newest first walks the primary key index; sorting millions of rows by email would not.
    ordering = ("-pk",)
    inlines = [ClearanceInline]
    actions = ["clear_bounce_status"]

    def has_clear_bounce_permission(self, request):
        return can_clear_bounce(request.user, None)

    def get_readonly_fields(self, request, obj=None):
        # A learner's sends, events and audit rows belong to its organization: it never moves.
        return (*self.readonly_fields, "organization") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """An address changed here goes through change_learner_email, like the portal's (audited clear)."""
        if change and "email" in form.changed_data:
            new_email = obj.email
            obj.email = form.initial["email"]
            super().save_model(request, obj, form, change)
            try:
                change_learner_email(
                    learner=obj, new_email=new_email, changed_by=request.user, note="Changed in the admin"
                )
            except LearnerStateError as error:
                self.message_user(request, str(error), messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=_("cleared before"), ordering="times_cleared")
    def cleared_before(self, learner):
        if learner.is_bounced and learner.times_cleared >= REPEAT_CLEAR_THRESHOLD:
            return format_html(
                '<strong class="repeat-bouncer" title="{}">{}</strong>',
                gettext("Bounced again after %(count)s clearances") % {"count": learner.times_cleared},
                gettext("%(count)s times, bounced again") % {"count": learner.times_cleared},
            )
        return learner.times_cleared

    @admin.display(description=_("status event"))
    def status_event_link(self, learner):
        if learner.status_event_id is None:
            return "-"
        url = reverse("admin:campaigns_bounceevent_change", args=[learner.status_event_id])
        return format_html('<a href="{}">Bounce event {}</a>', url, learner.status_event_id)

    @admin.display(description=_("bounce events"))
    def bounce_events_link(self, learner):
        url = reverse("admin:campaigns_bounceevent_changelist")
        return format_html('<a href="{}?learner__id__exact={}">Bounce events of this learner</a>', url, learner.pk)

    @admin.action(description=_("Clear bounce status of the selected learners…"), permissions=["clear_bounce"])
    def clear_bounce_status(self, request, queryset):
        job = prepare_bulk_clear(
            learners=queryset,
            created_by=request.user,
            via=ClearedVia.ADMIN_BULK,
            description=_describe_selection(request),
        )
        if not job.total:
            job.delete()
            self.message_user(
                request,
                gettext("None of the %(count)s selected learners is bounced: nothing to clear.")
                % {"count": queryset.count()},
                messages.WARNING,
            )
            return None
        return redirect("admin:contacts_learner_bulk_clear_confirm", job.pk)

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(partial(view, model_admin=self))

        return [
            path(
                "clear-jobs/<int:job_id>/confirm/",
                wrap(admin_views.bulk_clear_confirm),
                name="contacts_learner_bulk_clear_confirm",
            ),
            path(
                "clear-jobs/<int:job_id>/",
                wrap(admin_views.bulk_clear_progress),
                name="contacts_learner_bulk_clear_progress",
            ),
            path(
                "clear-by-address-list/", wrap(admin_views.clear_by_address_list), name="contacts_learner_address_list"
            ),
            path(
                "<int:learner_id>/clear/",
                self.admin_site.admin_view(require_POST(self.clear_one_view)),
                name="contacts_learner_clear_one",
            ),
            *super().get_urls(),
        ]

    def clear_one_view(self, request, learner_id):
        """The "Clear bounce status" button of a learner's page: the same confirmation as the action."""
        if not self.has_clear_bounce_permission(request):  # a direct call skips the action's permission check
            raise PermissionDenied(gettext("Clearing bounce statuses needs the clear_bounce permission."))
        return self.clear_bounce_status(request, Learner.objects.filter(pk=learner_id)) or redirect(
            "admin:contacts_learner_change", learner_id
        )


def _describe_selection(request) -> str:
    """Say where a selection came from, e.g. "Admin selection (q=acme, status__exact=bounced)"."""
    query = request.GET.urlencode()
    return f"Admin selection ({query})" if query else "Admin selection"


@admin.register(Clearance)
class ClearanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log of clearances: filter by how, who and organization; export as CSV."""

    list_display = (
        "created_at",
        "learner",
        "organization",
        "via",
        "cleared_by",
        "previous_status",
        "previous_category",
        "previous_subtype",
        "note",
    )
    list_filter = ("via", ClearedByFilter, "created_at", "previous_category", "organization")
    list_select_related = ("learner", "organization", "cleared_by")
    search_fields = ("learner__email", "previous_email", "note", "organization__name", "cleared_by__username")
    search_help_text = _("Search by learner email, previous email, note, organization or username.")
    show_full_result_count = False
    paginator = LargeTablePaginator
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected clearances as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = (
            queryset.order_by("-created_at", "-id")
            .values_list(
                "created_at",
                "organization__name",
                "learner__email",
                "previous_email",
                "via",
                "cleared_by__username",
                "previous_status",
                "previous_reason",
                "previous_category",
                "previous_subtype",
                "previous_soft_bounce_count",
                "note",
            )
            .iterator(chunk_size=2000)
        )
        header = [
            "cleared at",
            "organization",
            "learner",
            "previous email",
            "via",
            "cleared by",
            "previous status",
            "previous reason",
            "previous category",
            "previous subtype",
            "previous soft bounces",
            "note",
        ]
        return csv_response(itertools.chain([header], rows), "clearances")


@admin.register(BulkClearJob)
class BulkClearJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "created_by",
        "via",
        "organization",
        "status",
        "total",
        "done",
        "cleared",
        "progress_link",
    )
    list_filter = ("status", "via")
    list_select_related = ("created_by", "organization")
    exclude = ("learner_ids", "repeat_ids", "preview")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("learner_ids", "repeat_ids", "preview")

    @admin.display(description=_("progress"))
    def progress_link(self, job):
        url = reverse("admin:contacts_learner_bulk_clear_progress", args=[job.pk])
        return format_html('<a href="{}">{}%</a>', url, job.percent)


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "category", "subtype", "action", "tag", "enabled")
    list_filter = ("action", "category", "enabled")
    list_select_related = ("organization",)
    search_fields = ("organization__name", "tag")
    autocomplete_fields = ("organization",)


class NeverSuppressAdminForm(forms.ModelForm):
    class Meta:
        model = NeverSuppress
        fields = ("organization", "entry", "reason")

    def clean_entry(self):
        return parse_entry(self.cleaned_data["entry"])[0]

    def clean(self):
        cleaned = super().clean()
        organization, entry = cleaned.get("organization"), cleaned.get("entry")
        if organization and entry and NeverSuppress.objects.current().filter(organization=organization, entry=entry):
            raise ValidationError(
                gettext("%(entry)s is on %(organization)s's never-suppress list already.")
                % {"entry": entry, "organization": organization}
            )
        return cleaned


@admin.register(NeverSuppress)
class NeverSuppressAdmin(admin.ModelAdmin):
    """The organizations' never-suppress lists: add here (audited with the support user), remove by the
    action (the row is kept with who removed it), export as CSV. Rows are never deleted."""

    form = NeverSuppressAdminForm
    list_display = ("entry", "organization", "is_domain", "reason", "added_by", "created_at", "removed_at")
    list_filter = (("removed_at", admin.EmptyFieldListFilter), "is_domain", "organization")
    list_select_related = ("organization", "added_by")
    search_fields = ("entry", "reason", "organization__name")
    autocomplete_fields = ("organization",)
    actions = ["remove_entries", "export_csv"]

    def get_readonly_fields(self, request, obj=None):
        return ("organization", "entry", "reason", "added_by", "created_at", "removed_by", "removed_at") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:  # entries are read-only once added
            return
        created = add_never_suppress_entry(
            organization=obj.organization, entry=obj.entry, reason=obj.reason, added_by=request.user
        )
        obj.pk, obj.is_domain, obj.added_by, obj.created_at = (
            created.pk,
            created.is_domain,
            request.user,
            created.created_at,
        )

    @admin.action(description=_("Remove the selected entries from their lists"), permissions=["change"])
    def remove_entries(self, request, queryset):
        entries = list(queryset.filter(removed_at__isnull=True))
        for entry in entries:
            remove_never_suppress_entry(entry=entry, removed_by=request.user)
        self.message_user(
            request,
            ngettext(
                "Removed %(count)s entry: its bounces suppress again from now on.",
                "Removed %(count)s entries: their bounces suppress again from now on.",
                len(entries),
            )
            % {"count": len(entries)},
        )

    @admin.action(description=_("Export the selected entries as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = (
            [e.organization.slug, e.entry, e.kind_label.lower(), e.reason, e.added_by or "", e.created_at, e.removed_at]
            for e in queryset.select_related("organization", "added_by").iterator(chunk_size=2000)
        )
        header = ["organization", "entry", "kind", "reason", "added by", "added at", "removed at"]
        return csv_response(itertools.chain([header], rows), "never-suppress")


from contacts import webhook_admin  # noqa: F401,E402 -- registers the outbound webhooks' admin
