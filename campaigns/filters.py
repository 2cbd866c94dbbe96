"""Filters of the run details' send table."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from campaigns.counters import opened_after_bounce
from campaigns.models import BounceEvent, Send, SendStatus
from contacts.choices import Category, Reason, Subtype


class SendFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="email",
        lookup_expr="icontains",
        label=_("Learner"),
        widget=forms.TextInput(attrs={"placeholder": "Email", "type": "search"}),
    )
    status = django_filters.ChoiceFilter(choices=SendStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, method="filter_event", label=_("Category"))
    subtype = django_filters.ChoiceFilter(choices=Subtype.choices, method="filter_event", label=_("Subtype"))
    reason = django_filters.ChoiceFilter(choices=Reason.choices, method="filter_event", label=_("Reason"))
    domain = django_filters.CharFilter(
        method="filter_domain", label=_("Domain"), widget=forms.TextInput(attrs={"placeholder": "example.com"})
    )
    flag = django_filters.ChoiceFilter(
        choices=[("opened_after_bounce", "Opened after bouncing")], method="filter_flag", label=_("Flag")
    )

    class Meta:
        model = Send
        fields = ["q", "status", "category", "subtype", "reason", "domain", "flag"]

    primary_fields = ("q", "status", "category", "domain")

    @property
    def secondary_in_use(self) -> bool:
        return any(self.data.get(name) for name in self.filters if name not in self.primary_fields)

    @property
    def filters_on_events(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in ("category", "subtype", "reason", "flag"))

    def filter_event(self, queryset, name, value):
        if not value:
            return queryset
        events = BounceEvent.objects.filter(send=OuterRef("pk"), **{name: value})
        return queryset.filter(Exists(events))

    def filter_flag(self, queryset, name, value):
        return queryset.filter(opened_after_bounce(probe=True)) if value == "opened_after_bounce" else queryset

    def filter_domain(self, queryset, name, value):
        value = value.strip().lstrip("@").lower()
        return queryset.filter(domain=value) if value else queryset
