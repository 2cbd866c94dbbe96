"""The never-suppress list as the policy reads it: which entry, if any, protects each learner.

An address entry protects that address; a domain entry protects every address at
the domain and its subdomains (``partner.example`` covers ``a@eu.partner.example``).
An address entry wins over a domain entry, so the profile names the closest reason.
"""

from collections.abc import Iterable

from contacts.models import Learner, NeverSuppress


def domain_suffixes(domain: str) -> list[str]:
    """``eu.partner.example`` → [``eu.partner.example``, ``partner.example``, ``example``]."""
    parts = domain.lower().split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def never_suppress_entries(learners: Iterable[Learner]) -> dict[int, NeverSuppress]:
    """Return the current entry protecting each protected learner, by learner id (one query)."""
    learners = list(learners)
    if not learners:
        return {}
    candidates = {learner.email.lower() for learner in learners}
    for learner in learners:
        candidates.update(domain_suffixes(learner.email.rpartition("@")[2]))
    entries = NeverSuppress.objects.current().filter(
        organization_id__in={learner.organization_id for learner in learners}, entry__in=candidates
    )
    by_key = {(e.organization_id, e.is_domain, e.entry): e for e in entries}
    if not by_key:
        return {}
    found = {}
    for learner in learners:
        entry = by_key.get((learner.organization_id, False, learner.email.lower()))
        for suffix in domain_suffixes(learner.email.rpartition("@")[2]):
            entry = entry or by_key.get((learner.organization_id, True, suffix))
        if entry is not None:
            found[learner.pk] = entry
    return found


def never_suppress_entry_for(learner: Learner) -> NeverSuppress | None:
    """The entry that protects this learner, or None (the profile's "why")."""
    return never_suppress_entries([learner]).get(learner.pk)
