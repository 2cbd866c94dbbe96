"""Query parameters of the list endpoints (django-filter: a bad value is a 400 that names it)."""

from datetime import UTC

import django_filters
from django import forms

from campaigns.models import BounceEvent, CampaignRun, RunStatus
from contacts.choices import Category, DeliverabilityStatus
from contacts.models import Learner


class UtcDateTimeField(forms.DateTimeField):
    """An ISO 8601 time with any offset, read as UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def to_python(self, value):
        parsed = django_filters.fields.IsoDateTimeField().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This time is out of range.", code="invalid") from None


class SinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class LearnerFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliverabilityStatus.choices)
    category = django_filters.ChoiceFilter(field_name="last_bounce_category", choices=Category.choices)
    domain = django_filters.CharFilter(method="filter_domain", max_length=253, help_text="e.g. example.com")
    updated_since = SinceFilter(
        field_name="updated_at", lookup_expr="gte", help_text="ISO 8601; learners changed at or after it."
    )

    class Meta:
        model = Learner
        fields = ["status", "category", "domain", "updated_since"]

    def filter_domain(self, queryset, name, value):
        return queryset.filter(email_domain=value.strip().lstrip("@").lower())


class BounceEventFilter(django_filters.FilterSet):
    since = SinceFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="ISO 8601; events that occurred at or after it."
    )
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = BounceEvent
        fields = ["since", "category"]


class CampaignRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = CampaignRun
        fields = ["status"]
