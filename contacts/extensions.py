"""The learner pages' extension point: what they show that contacts does not own.

contacts sits below campaigns (STYLE rule 15) and never imports it, yet a
learner's profile lists their sends, opens and bounces, the learner list
filters by campaign, and the profile and edit pages name the bounce event that
set the learner's status. contacts declares here what its pages ask for;
campaigns implements it (``campaigns.learner_pages``) and registers it in
``CampaignsConfig.ready()``. With nothing registered the pages show the
learner's own data only (clearances, the learner's fields).
"""

from dataclasses import dataclass
from datetime import datetime

# Entries at the same instant are ordered by kind, then id (the log's page cursor needs a total order).
KIND_RANK = {"send": 0, "engagement": 1, "bounce": 2, "clearance": 3}


@dataclass(frozen=True)
class ActivityEntry:
    """One line of a learner's activity log, shown with ``contacts/_activity_<kind>.html``."""

    kind: str  # "send", "engagement" (an open or a click), "bounce" or "clearance"
    at: datetime
    item: object  # the Send, EngagementEvent, BounceEvent or Clearance
    key_at: datetime | None = None  # the indexed time the log pages on, when it is not ``at`` (a send's creation)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        """The entry's place in the log: (time, kind, id), newest first when reversed."""
        return (self.key_at or self.at, KIND_RANK[self.kind], self.item.pk)  # type: ignore[attr-defined]

    @property
    def template(self) -> str:
        return f"contacts/_activity_{self.kind}.html"


class LearnerPages:
    """What other apps add to the learner pages; this base adds nothing."""

    def activity_counts(self, learner) -> dict:
        """Return {name: expression} counting a learner's entries of each added kind (``learner`` is an OuterRef)."""
        return {}

    def activity(self, learner, limit: int, position=None) -> list[ActivityEntry]:
        """Return up to ``limit`` of the learner's added entries of each kind from ``position`` on (a
        ``contacts.activity.Position``; None is the newest), each source read through ``older_than``."""
        return []

    def status_event(self, learner):
        """Return the bounce event that put the learner in their status (``status_event_id``), or None."""
        return None

    def recovery_counts(self, *, organization_ids: list[int], vias) -> dict[str, tuple[int, int]]:
        """Return {subtype: (delivered, sample)} over the organizations' clearances ``via`` one of ``vias``
        of a bounced learner: ``sample`` those whose next send after the clear has an outcome,
        ``delivered`` those it reached."""
        return {}

    def filters(self, organization) -> dict:
        """Return {name: django_filters.Filter} to add to the learner list's filters, after "engaged"."""
        return {}


_registered = LearnerPages()


def register_learner_pages(extension: LearnerPages) -> None:
    """Make ``extension`` the one the learner pages ask (called once, from an AppConfig.ready())."""
    global _registered
    _registered = extension


def learner_pages() -> LearnerPages:
    """The registered extension (the base one when no app registered any)."""
    return _registered
