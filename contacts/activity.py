"""A learner's activity log: clearances and what other apps add (sends, opens, bounces), newest first, paginated.

The sources live in different tables; ``ActivityLog`` behaves like a sequence
for Django's Paginator: its length comes from counts annotated on the learner
(``with_activity_counts``), and a slice runs one query per source limited to
the slice's end and merges them, so a page costs one query per source whatever
the learner's history. Sources other than clearances come from the learner
pages' extension point (``contacts.extensions``).
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from contacts.extensions import ActivityEntry, learner_pages
from contacts.models import Clearance, Learner

COUNT_PREFIX = "activity_"


def count_of(queryset):
    """A subquery counting the rows of ``queryset`` (filtered on ``learner=OuterRef("pk")``), 0 when none."""
    counted = queryset.order_by().values("learner_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity_counts(queryset):
    """Annotate each learner with how many entries of each kind its activity log has."""
    learner = OuterRef("pk")
    counts = {"clearances": count_of(Clearance.objects.filter(learner=learner))}
    counts.update(learner_pages().activity_counts(learner))
    return queryset.annotate(**{COUNT_PREFIX + name: expression for name, expression in counts.items()})


class ActivityLog:
    """The learner's merged activity, sliceable; ``learner`` must come from ``with_activity_counts``."""

    def __init__(self, learner: Learner):
        self.learner = learner

    def __len__(self) -> int:
        return sum(value for name, value in vars(self.learner).items() if name.startswith(COUNT_PREFIX))

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        return self._merged(stop)[start:stop]

    def _merged(self, limit: int) -> list[ActivityEntry]:
        learner = self.learner
        entries = learner_pages().activity(learner, limit)
        clearances = learner.clearances.select_related("cleared_by").order_by("-created_at", "-id")
        entries += [ActivityEntry("clearance", c.created_at, c) for c in clearances[:limit]]
        entries.sort(key=lambda entry: entry.at, reverse=True)
        return entries[:limit]
