"""Learner-list filters (the portal's learner list and its bulk clear; the launch form reuses the fields).

Every filter maps to an indexed column or to a few selective ones, because an
organization may have a million learners (see bench/pages.py). Filters on data
contacts does not own (the campaign a learner was sent) come from the learner
pages' extension point (``contacts.extensions``).
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.choices import Category, DeliverabilityStatus, Subtype
from contacts.extensions import learner_pages
from contacts.models import Learner
from contacts.selectors import domain_q, engaged_q, near_threshold_q, repeat_bouncer_q, search_q

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# Dates a range bound may take: the day after the last one (the exclusive end) must still be a date.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(9998, 12, 31)
DATE_BOUNDS = [
    MinValueValidator(EARLIEST_DATE, message=_("Enter a date from %(limit_value)s on.")),
    MaxValueValidator(LATEST_DATE, message=_("Enter a date until %(limit_value)s.")),
]


def start_of_day(day):
    """Midnight of ``day`` in the current time zone (a range bound the timestamp indexes can use)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class LearnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("Name or email"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(choices=DeliverabilityStatus.choices, label=_("Deliverability"))
    category = django_filters.ChoiceFilter(
        field_name="last_bounce_category", choices=Category.choices, label=_("Bounce category")
    )
    subtype = django_filters.ChoiceFilter(
        field_name="last_bounce_subtype", choices=Subtype.choices, label=_("Bounce subtype")
    )
    domain = django_filters.CharFilter(
        method="filter_domain", label=_("Domain"), widget=forms.TextInput(attrs={"placeholder": "example.com"})
    )
    engaged = django_filters.BooleanFilter(
        method="filter_engaged", label=_("Engaged"), widget=django_filters.widgets.BooleanWidget()
    )
    bounced_after = django_filters.DateFilter(
        method="filter_bounced_after", label=_("Last bounce from"), widget=DATE_INPUT, validators=DATE_BOUNDS
    )
    bounced_before = django_filters.DateFilter(
        method="filter_bounced_before", label=_("Last bounce until"), widget=DATE_INPUT, validators=DATE_BOUNDS
    )
    repeat = django_filters.BooleanFilter(
        method="filter_repeat",
        label=_("Bounced again after a clearance"),
        widget=django_filters.widgets.BooleanWidget(),
    )
    near_threshold = django_filters.BooleanFilter(
        method="filter_near_threshold",
        label=_("Near the soft-bounce threshold"),
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Learner
        fields = [
            "q",
            "status",
            "category",
            "subtype",
            "domain",
            "engaged",
            "bounced_after",
            "bounced_before",
            "repeat",
            "near_threshold",
        ]

    # The fields shown at once; the others sit behind "More filters".
    primary_fields = ("q", "status", "category", "subtype", "domain")

    def __init__(self, *args, organization=None, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.policy = policy
        self._add_filters(learner_pages().filters(organization), after="engaged")

    def _add_filters(self, added: dict, *, after: str) -> None:
        """Insert ``added`` filters after the one named ``after``, set up as declared filters are."""
        for name, extra in added.items():
            extra.field_name = extra.field_name or name
            extra.model, extra.parent = self.queryset.model, self
        names = list(self.filters)  # an OrderedDict: the form shows the fields in this order
        following = names[names.index(after) + 1 :]
        self.filters.update(added)
        for name in following:
            self.filters.move_to_end(name)

    @property
    def secondary_in_use(self) -> bool:
        """True when a filter behind "More filters" has a value (the section then starts open)."""
        return any(self.data.get(name) not in (None, "") for name in self.filters if name not in self.primary_fields)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_domain(self, queryset, name, value):
        return queryset.filter(domain_q(value))

    def filter_engaged(self, queryset, name, value):
        if value is None or self.policy is None:
            return queryset
        return queryset.filter(engaged_q(self.policy)) if value else queryset.exclude(engaged_q(self.policy))

    def filter_bounced_after(self, queryset, name, value):
        return queryset.filter(last_bounced_at__gte=start_of_day(value)) if value else queryset

    def filter_bounced_before(self, queryset, name, value):
        return queryset.filter(last_bounced_at__lt=start_of_day(value + timedelta(days=1))) if value else queryset

    def filter_repeat(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(repeat_bouncer_q()) if value else queryset.exclude(repeat_bouncer_q())

    def filter_near_threshold(self, queryset, name, value):
        if value is None or self.policy is None:
            return queryset
        near = near_threshold_q(self.policy)
        return queryset.filter(near) if value else queryset.exclude(near)
