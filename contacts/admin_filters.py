"""Changelist filters of the contacts admin (engaged, cleared before, cleared by)."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, Now

DEFAULT_ENGAGED_WINDOW_DAYS = 90


class EngagedFilter(admin.SimpleListFilter):
    """Opened or clicked within the learner's organization's engaged window (DESIGN §1)."""

    title = "engaged"
    parameter_name = "engaged"

    def lookups(self, request, model_admin):
        return [("yes", "Engaged"), ("no", "Not engaged")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        window = Coalesce(F("organization__bounce_policy__engaged_window_days"), Value(DEFAULT_ENGAGED_WINDOW_DAYS))
        since = ExpressionWrapper(Now() - window * Value(timedelta(days=1)), output_field=DateTimeField())
        engaged = Q(last_engaged_at__gte=since)
        return queryset.filter(engaged) if self.value() == "yes" else queryset.exclude(engaged)


class ClearedBeforeFilter(admin.SimpleListFilter):
    """How often a learner's bounce status was cleared before (repeat bouncers stand out)."""

    title = "cleared before"
    parameter_name = "cleared"

    def lookups(self, request, model_admin):
        return [("never", "Never"), ("once", "1–2 times"), ("often", "3 or more times")]

    def queryset(self, request, queryset):
        ranges = {"never": Q(times_cleared=0), "once": Q(times_cleared__range=(1, 2)),
                  "often": Q(times_cleared__gte=3)}
        condition = ranges.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class ClearedByFilter(admin.SimpleListFilter):
    """Who cleared: one of the staff, any portal user, or nobody (automatic, e.g. an open)."""

    title = "cleared by"
    parameter_name = "who"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username").values_list("pk", "username")
        return [(str(pk), username) for pk, username in staff] + [
            ("portal", "Portal users (not staff)"), ("nobody", "Nobody (automatic)"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "portal":
            return queryset.filter(cleared_by__is_staff=False)
        if value == "nobody":
            return queryset.filter(cleared_by__isnull=True)
        if value and value.isdigit():
            return queryset.filter(cleared_by_id=int(value))
        return queryset
