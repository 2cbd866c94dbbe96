"""Changelist filters of the contacts admin (engaged, cleared before, cleared by)."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import BouncePolicy

DEFAULT_ENGAGED_WINDOW_DAYS = 90


class EngagedFilter(admin.SimpleListFilter):
    """Opened or clicked within the learner's organization's engaged window (DESIGN §1)."""

    title = _("engaged")
    parameter_name = "engaged"

    def lookups(self, request, model_admin):
        return [("yes", _("Engaged")), ("no", _("Not engaged"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        engaged = engaged_in_own_window_q(timezone.now())
        return queryset.filter(engaged) if self.value() == "yes" else queryset.exclude(engaged)


def engaged_in_own_window_q(now) -> Q:
    """Learners engaged within their own organization's window: one condition per distinct window.

    Plain comparisons with computed cut-offs (not date arithmetic in SQL) so it runs on
    SQLite (the demo) as on PostgreSQL; organizations share the few windows in use.
    """
    orgs_by_window: dict[int, list[int]] = {}
    for org_id, days in BouncePolicy.objects.values_list("organization_id", "engaged_window_days"):
        orgs_by_window.setdefault(days, []).append(org_id)
    with_policy = [org_id for org_ids in orgs_by_window.values() for org_id in org_ids]
    engaged = Q(last_engaged_at__gte=now - timedelta(days=DEFAULT_ENGAGED_WINDOW_DAYS)) & ~Q(
        organization_id__in=with_policy
    )
    for days, org_ids in orgs_by_window.items():
        engaged |= Q(organization_id__in=org_ids, last_engaged_at__gte=now - timedelta(days=days))
    return engaged


class ClearedBeforeFilter(admin.SimpleListFilter):
    """How often a learner's bounce status was cleared before (repeat bouncers stand out)."""

    title = _("cleared before")
    parameter_name = "cleared"

    def lookups(self, request, model_admin):
        return [("never", _("Never")), ("once", _("1–2 times")), ("often", _("3 or more times"))]

    def queryset(self, request, queryset):
        ranges = {"never": Q(times_cleared=0), "once": Q(times_cleared__range=(1, 2)), "often": Q(times_cleared__gte=3)}
        condition = ranges.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class ClearedByFilter(admin.SimpleListFilter):
    """Who cleared: one of the staff, any portal user, or nobody (automatic, e.g. an open)."""

    title = _("cleared by")
    parameter_name = "who"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username").values_list("pk", "username")
        return [(str(pk), username) for pk, username in staff] + [
            ("portal", _("Portal users (not staff)")),
            ("nobody", _("Nobody (automatic)")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "portal":
            return queryset.filter(cleared_by__is_staff=False)
        if value == "nobody":
            return queryset.filter(cleared_by__isnull=True)
        if value and value.isascii() and value.isdigit():
            return queryset.filter(cleared_by_id=int(value))
        return queryset
