"""Upsert learners by address (case-insensitively): the one path for the CSV import and the API's bulk upsert.

``plan_upsert`` reads and decides (new / updated / renamed / unchanged / invalid
per row) and writes nothing, which is the import's preview; ``apply_upsert``
writes a plan's rows. A learner's own details are written here; an address
change goes through ``contacts.deliverability.change_learner_email`` (a bounced
learner is cleared, audited ``via=email_change``). Applying the same rows twice
changes nothing the second time.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower

from bounceportal.db import field_in, insert_rows, sql_names
from contacts.deliverability import LearnerStateError, change_learner_email
from contacts.models import Learner, Organization

DETAIL_FIELDS = ("first_name", "last_name", "department")
COLUMNS = ("email", *DETAIL_FIELDS, "new_email")
MAX_LENGTHS = {"email": 254, "new_email": 254, "first_name": 100, "last_name": 100, "department": 100}
# Addresses looked up per query where the database takes no array parameter (SQLite's variable limit).
LOOKUP_BATCH = 5_000
WRITE_BATCH = 5_000
# A plain ASCII address (dot-atom @ host labels . letters TLD): every one Django's validate_email accepts too,
# checked by one compiled pattern. Anything else (quoted local parts, IDN, address literals) goes through
# validate_email itself, so the verdict is Django's either way; the validator costs ~10 µs a call in Python.
_ATOM = r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+"
_PLAIN_ADDRESS = re.compile(
    rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?"
    r"(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.[A-Za-z]{2,63}"
)


class Outcome:
    NEW = "new"
    UPDATED = "updated"
    RENAMED = "renamed"
    UNCHANGED = "unchanged"
    INVALID = "invalid"
    ALL = (NEW, UPDATED, RENAMED, UNCHANGED, INVALID)


@dataclass(slots=True)
class RowPlan:
    """What upserting one input row does; ``number`` is the row's number in the input (1-based), ``email``
    its address as given."""

    number: int
    values: dict[str, str]
    email: str = ""
    outcome: str = Outcome.UNCHANGED
    errors: list[str] = field(default_factory=list)
    learner_id: int | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


_COLUMN_SET = frozenset(COLUMNS)


def _clean(raw: dict) -> dict[str, str]:
    return {
        name: value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
        for name, value in raw.items()
        if name in _COLUMN_SET
    }


def is_valid_address(value: str) -> bool:
    """True when Django's ``validate_email`` accepts ``value`` (plain addresses without calling it)."""
    if len(value) <= 320 and _PLAIN_ADDRESS.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _syntax_errors(values: dict[str, str], email: str) -> list[str]:
    errors = []
    if not email:
        errors.append("The email address is empty.")
    for address in (email, values.get("new_email")):
        if address and not is_valid_address(address):
            errors.append(f"{address!r} is not a valid email address.")
    for name, value in values.items():
        if len(value) > MAX_LENGTHS[name]:
            errors.append(f"{name} is longer than {MAX_LENGTHS[name]} characters.")
    return errors


def _existing(organization: Organization, emails: Iterable[str]) -> dict[str, dict]:
    """{lower(email): learner's id, email and details} for the addresses that exist.

    One query on PostgreSQL (the addresses travel as one array parameter, matched through the
    case-insensitive unique index); batches of LOOKUP_BATCH elsewhere.
    """
    keys = sorted({email for email in emails if email})
    batch = max(len(keys), 1) if connection.vendor == "postgresql" else LOOKUP_BATCH
    found: dict[str, dict] = {}
    names = ("id", "email", *DETAIL_FIELDS)
    for start in range(0, len(keys), batch):
        rows = (
            Learner.objects.filter(organization=organization)
            .annotate(email_lower=Lower("email"))
            .filter(field_in("email_lower", keys[start : start + batch]))
            .order_by()
            .values_list("email_lower", *names)
        )
        for lower, *values in rows:
            found[lower] = dict(zip(names, values))
    return found


def plan_upsert(*, organization: Organization, rows: Sequence[dict]) -> list[RowPlan]:
    """Return one RowPlan per input row, deciding against the organization's learners; write nothing.

    A row whose address repeats an earlier row's (in any letter case) is invalid,
    as is one whose ``new_email`` another learner or row already uses.
    """
    plans: list[RowPlan] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        values = _clean(raw)
        email = values.get("email", "")
        plan = RowPlan(number, values, email, errors=_syntax_errors(values, email))
        key = email.lower()
        if not plan.errors and key in seen:
            plan.errors.append(f"Row {seen[key]} has the same address{_case_note(plans[seen[key] - 1].email, email)}.")
        seen.setdefault(key, number)
        plans.append(plan)
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

    Invalid and unchanged rows write nothing. New rows are inserted and changed details written
    set-based, a batch per statement (each batch commits on its own, so a large import makes
    progress); only the rare address changes go one by one, through the email-change transition.
    A re-run of the same rows finds them unchanged.
    """
    _mark_invalid(plans)
    new = [p for p in plans if p.outcome == Outcome.NEW]
    for start in range(0, len(new), WRITE_BATCH):
        _insert(organization, new[start : start + WRITE_BATCH])
    changed = [p for p in plans if p.outcome in (Outcome.UPDATED, Outcome.RENAMED) and p.changes.keys() - {"email"}]
    for start in range(0, len(changed), WRITE_BATCH):
        _write_details(organization, changed[start : start + WRITE_BATCH])
    for plan in (p for p in plans if p.outcome == Outcome.RENAMED):
        _rename(plan, actor=actor, note=note)
    return count_outcomes(plans)


def count_outcomes(plans: list[RowPlan]) -> dict[str, int]:
    """{outcome: rows}, every outcome present."""
    return dict.fromkeys(Outcome.ALL, 0) | Counter(plan.outcome for plan in plans)


def _insert(organization: Organization, plans: list[RowPlan]) -> None:
    """Insert the new rows' learners in one statement; a row whose address another learner took since the
    plan was made (a concurrent import, the API) is left out and becomes invalid."""
    fields = ["organization", "email", *DETAIL_FIELDS]
    with transaction.atomic():
        inserted = insert_rows(
            Learner,
            fields,
            [[organization.pk, p.email, *(p.values.get(n, "") for n in DETAIL_FIELDS)] for p in plans],
            key="email",
        )
    for plan in plans:
        plan.learner_id = inserted.get(plan.email)
        if plan.learner_id is None:
            plan.errors.append(f"Another learner took {plan.email} while this was running; nothing was written.")
            plan.outcome = Outcome.INVALID


def _write_details(organization: Organization, plans: list[RowPlan]) -> None:
    """Write the changed details of matched learners in one statement (a column a row does not change keeps
    the learner's value, so a detail edited since the plan was made is not put back)."""
    names = sql_names(Learner, connection)
    keep = ", ".join(f"{getattr(names, n)} = COALESCE(v.{n}, {names.table}.{getattr(names, n)})" for n in DETAIL_FIELDS)
    rows = [[p.learner_id, *(p.changes[n][1] if n in p.changes else None for n in DETAIL_FIELDS)] for p in plans]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # All rows as one JSON parameter: psycopg's per-row executemany costs more than the UPDATE.
            record = ", ".join(["id bigint", *(f"{n} text" for n in DETAIL_FIELDS)])
            cursor.execute(
                f"UPDATE {names.table} SET {keep} FROM json_to_recordset(%s::json) AS v({record}) "
                f"WHERE {names.table}.{names.id} = v.id AND {names.table}.{names.organization} = %s",
                [json.dumps([dict(zip(["id", *DETAIL_FIELDS], row)) for row in rows]), organization.pk],
            )
            return
        assignments = ", ".join(f"{getattr(names, n)} = COALESCE(%s, {getattr(names, n)})" for n in DETAIL_FIELDS)
        cursor.executemany(
            f"UPDATE {names.table} SET {assignments} WHERE {names.id} = %s AND {names.organization} = %s",
            [[*row[1:], row[0], organization.pk] for row in rows],
        )


def _rename(plan: RowPlan, *, actor, note: str) -> None:
    assert plan.learner_id is not None  # a renamed row matched a learner
    learner = Learner.objects.get(pk=plan.learner_id)
    try:
        change_learner_email(learner=learner, new_email=plan.changes["email"][1], changed_by=actor, note=note)
    except LearnerStateError as error:  # another learner took the address since the plan was made
        plan.errors.append(str(error))
        plan.outcome = Outcome.INVALID
