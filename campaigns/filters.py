"""Filters of the run details' send table."""

import django_filters
from django import forms
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from campaigns.counters import opened_after_bounce
from campaigns.models import BounceEvent, Send, SendStatus
from contacts.choices import Category, Reason, Subtype

# The rows a page of the run details' table reads (50 and the look-ahead row): what ``rare_in_run`` weighs.
WALK_PAGE = 51
# At most this many send ids go into the sends' query as values (a statement takes 65,535 parameters at most).
LISTED_SENDS = 20_000


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

    def __init__(self, *args, run=None, run_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The run whose sends are filtered and its summary counters (campaigns/counters.py), when known: they
        # say how rare a category is in it (``filter_event``).
        self.run, self.run_counts = run, run_counts

    @property
    def secondary_in_use(self) -> bool:
        return any(self.data.get(name) for name in self.filters if name not in self.primary_fields)

    @property
    def filters_on_events(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in ("category", "subtype", "reason", "flag"))

    def filter_event(self, queryset, name, value):
        if not value:
            return queryset
        if name == "category" and self.rare_in_run(value):
            # From the events of the run in that category (one range of event_run_category, read alone: no
            # order, so no heap visit for occurred_at) to their sends, read as one bitmap heap scan.
            # One array of ids (one row, no Python tuple a send: fewer garbage collections of a warm page).
            events = BounceEvent.objects.filter(run_id=self.run.pk, category=value, send_id__isnull=False).order_by()
            ids = events.aggregate(ids=ArrayAgg("send_id", distinct=True, order_by="send_id", default=[]))["ids"]
            if len(ids) > LISTED_SENDS:  # far more than the counters said: the events as a subquery
                return queryset.filter(pk__in=events.values("send_id"))
            return queryset.filter(sends_by_block(ids))
        events = BounceEvent.objects.filter(send=OuterRef("pk"), **{name: value})
        return queryset.filter(Exists(events))

    def rare_in_run(self, category) -> bool:
        """Whether the run's sends with a ``category`` event are better found from those events than by walking the
        run's sends in table order and probing each one's events.

        The walk probes about ``PAGE * sends / matches`` sends before it fills a page; starting from the events
        costs about ``matches`` send lookups (and a sort of them). So the events lead when ``matches² <= PAGE *
        sends``: at 1,000,000 sends, for a category of up to some 7,000 events in the run (an unsubscribe, a
        complaint), not for the mail blocks of a run with 19,000. PostgreSQL only: the events' ``run_id`` is
        written by its trigger (campaigns/migrations/0029).
        """
        if self.run is None or self.run_counts is None or connections[Send.objects.db].vendor != "postgresql":
            return False
        counts = self.run_counts
        sends = sum(n for key, n in counts.items() if key.startswith("status:"))
        matches = max(counts.get(f"cat:{category}", 0), 0)
        return matches * matches <= WALK_PAGE * sends

    def filter_flag(self, queryset, name, value):
        return queryset.filter(opened_after_bounce(probe=True)) if value == "opened_after_bounce" else queryset

    def filter_domain(self, queryset, name, value):
        value = value.strip().lstrip("@").lower()
        return queryset.filter(domain=value) if value else queryset


def sends_by_block(ids: list[int]) -> Q:
    """The sends of the sorted ``ids`` as two ranges of them OR-ed: a condition PostgreSQL serves from the primary
    key with a BitmapOr only, so the sends are read by one Bitmap Heap Scan, in block order with their pages
    prefetched (``effective_io_concurrency``, bounceportal/env.py), not by an Index Scan one page after the other.

    PostgreSQL only (an array parameter). A rare category's 903 sends of a 1,000,000-send run lie on some 880
    heap pages and 785 index leaves: with none of them cached (shared buffers and the OS cache emptied), the
    Index Scan waited on 1,666 reads in turn (query 182 ms); the bitmap scan reads as many pages but overlaps
    the heap's (query about 40-90 ms).
    """
    half = len(ids) // 2
    if not half:
        return Q(pk__in=ids)
    # Each half one array parameter (``id = ANY(%s)``), not a parameter per id: 2 instead of 903 to build.
    return Q(_any_of(ids[:half])) | Q(_any_of(ids[half:]))


def _any_of(ids: list[int]) -> Func:
    return Func(F("pk"), Value(ids), template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField())
