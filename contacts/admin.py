"""Django admin for organizations and learners (customer-experience staff work here)."""

from django.contrib import admin

from contacts.models import AutomationRule, BouncePolicy, Clearance, Learner, Membership, Organization


class BouncePolicyInline(admin.StackedInline):
    model = BouncePolicy
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BouncePolicyInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("role", "organization")
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__email", "organization__name")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("user",)


@admin.register(BouncePolicy)
class BouncePolicyAdmin(admin.ModelAdmin):
    list_display = ("organization", "soft_threshold_engaged", "soft_threshold_unengaged", "engaged_window_days",
                    "allowlisting_alert_share", "unverified_events_suppress")
    list_select_related = ("organization",)
    search_fields = ("organization__name",)


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "status", "last_bounce_category", "last_bounce_subtype",
                    "last_bounced_at", "soft_bounce_count", "times_cleared")
    list_filter = ("status", "last_bounce_category", "last_bounce_subtype", "organization")
    list_select_related = ("organization",)
    search_fields = ("email", "first_name", "last_name", "organization__name")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("status_event",)
    readonly_fields = ("status", "status_reason", "status_since", "status_event", "soft_bounce_count",
                       "last_bounce_category", "last_bounce_subtype", "last_bounced_at", "bounce_count",
                       "auto_replied_at", "times_cleared")
    show_full_result_count = False


@admin.register(Clearance)
class ClearanceAdmin(admin.ModelAdmin):
    list_display = ("learner", "organization", "via", "cleared_by", "created_at", "previous_status",
                    "previous_reason")
    list_filter = ("via", "organization")
    list_select_related = ("learner", "organization", "cleared_by")
    search_fields = ("learner__email", "note", "organization__name")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "category", "subtype", "action", "tag", "enabled")
    list_filter = ("action", "category", "enabled")
    list_select_related = ("organization",)
    search_fields = ("organization__name", "tag")
    autocomplete_fields = ("organization",)
