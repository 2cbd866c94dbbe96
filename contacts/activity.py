"""A learner's activity log: sends, opens, bounces and clearances, newest first, paginated.

The four sources live in different tables; ``ActivityLog`` behaves like a
sequence for Django's Paginator: its length comes from counts annotated on the
learner (``with_activity_counts``), and a slice runs one query per source
limited to the slice's end and merges them, so a page costs four queries
whatever the learner's history.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from contacts.models import Clearance, Learner

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ActivityCounts(TypedDict):
    """The counts ``with_activity_counts`` annotates each learner with."""

    activity_sends: int
    activity_opens: int
    activity_bounces: int
    activity_clearances: int


@dataclass(frozen=True)
class ActivityEntry:
    kind: str  # "send", "open", "bounce" or "clearance"
    at: datetime
    item: object  # the Send, BounceEvent or Clearance

    @property
    def template(self) -> str:
        return f"contacts/_activity_{self.kind}.html"


def _count_of(queryset):
    counted = queryset.order_by().values("learner_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity_counts(queryset):
    """Annotate each learner with how many entries of each kind its activity log has."""
    sends = Learner.sends.rel.related_model  # contacts never imports campaigns (STYLE rule 15)
    events = Learner.bounce_events.rel.related_model
    return queryset.annotate(
        activity_sends=_count_of(sends.objects.filter(learner=OuterRef("pk"))),
        activity_opens=_count_of(sends.objects.filter(learner=OuterRef("pk"), opened_at__isnull=False)),
        activity_bounces=_count_of(events.objects.filter(learner=OuterRef("pk"))),
        activity_clearances=_count_of(Clearance.objects.filter(learner=OuterRef("pk"))),
    )


class ActivityLog:
    """The learner's merged activity, sliceable; ``learner`` must come from ``with_activity_counts``."""

    def __init__(self, learner: "WithAnnotations[Learner, ActivityCounts]"):
        self.learner = learner

    def __len__(self) -> int:
        learner = self.learner
        return learner.activity_sends + learner.activity_opens + learner.activity_bounces + learner.activity_clearances

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        return self._merged(stop)[start:stop]

    def _merged(self, limit: int) -> list[ActivityEntry]:
        learner = self.learner
        sends = learner.sends.select_related("run__campaign")
        entries = [ActivityEntry("send", s.sent_at or s.created_at, s) for s in sends.order_by("-created_at")[:limit]]
        entries += [
            ActivityEntry("open", s.opened_at, s)
            for s in sends.filter(opened_at__isnull=False).order_by("-opened_at")[:limit]
            if s.opened_at is not None  # always, by the filter
        ]
        # Never load the raw inbound message here: it may be megabytes; the page links to it by id.
        events = learner.bounce_events.select_related("send__run__campaign").order_by("-occurred_at", "-id")
        entries += [ActivityEntry("bounce", e.occurred_at, e) for e in events[:limit]]
        clearances = learner.clearances.select_related("cleared_by").order_by("-created_at", "-id")
        entries += [ActivityEntry("clearance", c.created_at, c) for c in clearances[:limit]]
        entries.sort(key=lambda entry: entry.at, reverse=True)
        return entries[:limit]
