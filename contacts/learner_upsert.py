"""Upsert learners by address (case-insensitively): the one path for the CSV import and the API's bulk upsert.

``plan_upsert`` reads and decides (new / updated / renamed / unchanged / invalid
per row) and writes nothing, which is the import's preview; ``apply_upsert``
writes a plan's rows. A learner's own details are written here; an address
change goes through ``contacts.deliverability.change_learner_email`` (a bounced
learner is cleared, audited ``via=email_change``). Applying the same rows twice
changes nothing the second time.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from bounceportal.db import update_fields_many
from contacts.deliverability import LearnerStateError, change_learner_email
from contacts.models import Learner, Organization

DETAIL_FIELDS = ("first_name", "last_name", "department")
COLUMNS = ("email", *DETAIL_FIELDS, "new_email")
MAX_LENGTHS = {"email": 254, "new_email": 254, "first_name": 100, "last_name": 100, "department": 100}
LOOKUP_BATCH = 5_000
WRITE_BATCH = 2_000


class Outcome:
    NEW = "new"
    UPDATED = "updated"
    RENAMED = "renamed"
    UNCHANGED = "unchanged"
    INVALID = "invalid"
    ALL = (NEW, UPDATED, RENAMED, UNCHANGED, INVALID)


@dataclass
class RowPlan:
    """What upserting one input row does; ``number`` is the row's number in the input (1-based)."""

    number: int
    values: dict[str, str]
    outcome: str = Outcome.UNCHANGED
    errors: list[str] = field(default_factory=list)
    learner_id: int | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return self.values.get("email", "")


def _clean(raw: dict) -> dict[str, str]:
    return {name: str(raw[name] if raw[name] is not None else "").strip() for name in COLUMNS if name in raw}


def _syntax_errors(values: dict[str, str]) -> list[str]:
    errors = []
    if not values.get("email"):
        errors.append("The email address is empty.")
    for name in ("email", "new_email"):
        if values.get(name):
            try:
                validate_email(values[name])
            except ValidationError:
                errors.append(f"{values[name]!r} is not a valid email address.")
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            errors.append(f"{name} is longer than {limit} characters.")
    return errors


def _existing(organization: Organization, emails: Iterable[str]) -> dict[str, dict]:
    """{lower(email): learner's id, email and details} for the addresses that exist."""
    emails = sorted(set(emails))
    found: dict[str, dict] = {}
    for start in range(0, len(emails), LOOKUP_BATCH):
        rows = (
            Learner.objects.filter(organization=organization)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails[start : start + LOOKUP_BATCH])
            .values("email_lower", "id", "email", *DETAIL_FIELDS)
        )
        found.update((row["email_lower"], row) for row in rows)
    return found


def plan_upsert(*, organization: Organization, rows: Sequence[dict]) -> list[RowPlan]:
    """Return one RowPlan per input row, deciding against the organization's learners; write nothing.

    A row whose address repeats an earlier row's (in any letter case) is invalid,
    as is one whose ``new_email`` another learner or row already uses.
    """
    plans = [RowPlan(number=number, values=_clean(raw)) for number, raw in enumerate(rows, start=1)]
    seen: dict[str, int] = {}
    for plan in plans:
        plan.errors = _syntax_errors(plan.values)
        key = plan.email.lower()
        if not plan.errors and key in seen:
            plan.errors.append(
                f"Row {seen[key]} has the same address{_case_note(plans[seen[key] - 1].email, plan.email)}."
            )
        seen.setdefault(key, plan.number)
    valid = [plan for plan in plans if not plan.errors]
    existing = _existing(
        organization, [p.email.lower() for p in valid] + [p.values.get("new_email", "").lower() for p in valid]
    )
    claimed = set(seen)
    for plan in valid:
        _decide(plan, existing, claimed)
    _mark_invalid(plans)
    return plans


def _case_note(first: str, second: str) -> str:
    return " (differing only in letter case)" if first != second else ""


def _decide(plan: RowPlan, existing: dict[str, dict], claimed: set[str]) -> None:
    current = existing.get(plan.email.lower())
    new_email = plan.values.get("new_email", "")
    if current is None:
        if new_email:
            plan.errors.append(f"No learner has the address {plan.email}, so it cannot be changed.")
            plan.outcome = Outcome.INVALID
            return
        plan.outcome = Outcome.NEW
        return
    plan.learner_id = current["id"]
    for name in DETAIL_FIELDS:
        if name in plan.values and plan.values[name] != current[name]:
            plan.changes[name] = (current[name], plan.values[name])
    if new_email and new_email != current["email"]:
        taken = new_email.lower() != plan.email.lower() and (
            new_email.lower() in existing or new_email.lower() in claimed
        )
        if taken:
            plan.errors.append(f"{new_email} is already used by another learner or row.")
            plan.outcome = Outcome.INVALID
            return
        claimed.add(new_email.lower())
        plan.changes["email"] = (current["email"], new_email)
        plan.outcome = Outcome.RENAMED
    else:
        plan.outcome = Outcome.UPDATED if plan.changes else Outcome.UNCHANGED


def _mark_invalid(plans: list[RowPlan]) -> None:
    for plan in plans:
        if plan.errors:
            plan.outcome = Outcome.INVALID


def apply_upsert(*, organization: Organization, plans: list[RowPlan], actor, note: str = "") -> dict[str, int]:
    """Write the plans' new, updated and renamed rows; return the count per outcome.

    Invalid and unchanged rows write nothing. Each batch commits on its own, so a
    large import makes progress; a re-run of the same rows finds them unchanged.
    """
    _mark_invalid(plans)
    new = [p for p in plans if p.outcome == Outcome.NEW]
    for start in range(0, len(new), WRITE_BATCH):
        batch = new[start : start + WRITE_BATCH]
        with transaction.atomic():
            created = Learner.objects.bulk_create(
                [
                    Learner(organization=organization, email=p.email, **{n: p.values.get(n, "") for n in DETAIL_FIELDS})
                    for p in batch
                ]
            )
        for plan, learner in zip(batch, created):
            plan.learner_id = learner.pk
    _write_details(organization, [p for p in plans if p.outcome in (Outcome.UPDATED, Outcome.RENAMED)])
    for plan in (p for p in plans if p.outcome == Outcome.RENAMED):
        _rename(plan, actor=actor, note=note)
    return {outcome: sum(p.outcome == outcome for p in plans) for outcome in Outcome.ALL}


def _write_details(organization: Organization, plans: list[RowPlan]) -> None:
    changed = [p for p in plans if set(p.changes) & set(DETAIL_FIELDS)]
    for start in range(0, len(changed), WRITE_BATCH):
        batch = changed[start : start + WRITE_BATCH]
        learners = {
            learner.pk: learner
            for learner in Learner.objects.filter(organization=organization, pk__in=[p.learner_id for p in batch])
        }
        for plan in batch:
            assert plan.learner_id is not None  # an updated row matched a learner
            learner = learners[plan.learner_id]
            for name, (_old, new) in plan.changes.items():
                if name in DETAIL_FIELDS:
                    setattr(learner, name, new)
        with transaction.atomic():
            update_fields_many(list(learners.values()), list(DETAIL_FIELDS))


def _rename(plan: RowPlan, *, actor, note: str) -> None:
    assert plan.learner_id is not None  # a renamed row matched a learner
    learner = Learner.objects.get(pk=plan.learner_id)
    try:
        change_learner_email(learner=learner, new_email=plan.changes["email"][1], changed_by=actor, note=note)
    except LearnerStateError as error:  # another learner took the address since the plan was made
        plan.errors.append(str(error))
        plan.outcome = Outcome.INVALID
