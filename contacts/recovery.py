"""Recovery odds per reason, from an organization's own history (issue #15, item 3): of the learners
cleared after a bounce of a subtype, the share delivered on their next send.

The counting needs sends, which campaigns owns: it answers through the learner pages' extension
point (``LearnerPages.recovery_counts``). What contacts decides here is what the clear pages show:
only subtypes with at least ``MIN_SAMPLE`` cleared learners whose next send is known, most
common first.
"""

from dataclasses import dataclass

from django.db.models import Count

from contacts.choices import ClearedVia, Subtype
from contacts.extensions import learner_pages
from contacts.models import Learner

MIN_SAMPLE = 10
# Clears a person decided (or the expiry of a soft suppression): an open proves the address by itself,
# a re-classification or an email change clears for another reason, so they would flatter the odds.
COUNTED_CLEARS = (
    ClearedVia.PORTAL,
    ClearedVia.PORTAL_BULK,
    ClearedVia.ADMIN,
    ClearedVia.ADMIN_BULK,
    ClearedVia.ADDRESS_LIST,
    ClearedVia.EXPIRY,
)


@dataclass(frozen=True)
class RecoveryOdds:
    subtype: str
    delivered: int
    sample: int

    @property
    def label(self) -> str:
        return Subtype(self.subtype).label if self.subtype in Subtype.values else self.subtype

    @property
    def percent(self) -> int:
        return round(100 * self.delivered / self.sample)


def recovery_odds(*, organization_ids, subtypes=None) -> list[RecoveryOdds]:
    """The odds of the organizations' history for ``subtypes`` (all when None), each with enough sample."""
    counts = learner_pages().recovery_counts(organization_ids=list(organization_ids), vias=COUNTED_CLEARS)
    odds = [
        RecoveryOdds(subtype=subtype, delivered=delivered, sample=sample)
        for subtype, (delivered, sample) in counts.items()
        if sample >= MIN_SAMPLE and (subtypes is None or subtype in subtypes)
    ]
    return sorted(odds, key=lambda o: (-o.sample, o.subtype))


def subtypes_of(learner_ids) -> dict[str, int]:
    """How many of these learners last bounced with each subtype (what a bulk clear is about to clear)."""
    rows = Learner.objects.filter(pk__in=learner_ids).values_list("last_bounce_subtype").annotate(n=Count("pk"))
    return {subtype: n for subtype, n in rows.order_by() if subtype}
