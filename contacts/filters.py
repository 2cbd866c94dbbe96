"""Learner-list filters; the same filter picks the learners a campaign run targets."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from contacts.choices import Category, DeliverabilityStatus, Subtype
from contacts.models import Learner


class LearnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search",
                                  widget=forms.TextInput(attrs={"placeholder": "Name or email"}))
    status = django_filters.ChoiceFilter(choices=DeliverabilityStatus.choices, label="Deliverability")
    category = django_filters.ChoiceFilter(field_name="last_bounce_category", choices=Category.choices,
                                           label="Bounce category")
    subtype = django_filters.ChoiceFilter(field_name="last_bounce_subtype", choices=Subtype.choices,
                                          label="Bounce subtype")
    domain = django_filters.CharFilter(method="filter_domain", label="Domain")
    engaged = django_filters.BooleanFilter(method="filter_engaged", label="Engaged",
                                           widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Learner
        fields = ["q", "status", "category", "subtype", "domain", "engaged"]

    def __init__(self, *args, organization=None, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.policy = policy

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(email__icontains=value) | Q(first_name__icontains=value)
                               | Q(last_name__icontains=value))

    def filter_domain(self, queryset, name, value):
        value = value.strip().lstrip("@").lower()
        return queryset.filter(email__iendswith=f"@{value}") if value else queryset

    def filter_engaged(self, queryset, name, value):
        if value is None:
            return queryset
        days = self.policy.engaged_window_days if self.policy else 90
        since = timezone.now() - timezone.timedelta(days=days)
        engaged = Q(last_engaged_at__gte=since)
        return queryset.filter(engaged) if value else queryset.exclude(engaged)
