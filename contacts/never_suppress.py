"""The never-suppress list (DESIGN §3): add, remove, import and export an organization's entries.

The list is configuration, not learner state: these services write ``NeverSuppress``
rows only (audited by their ``added_by`` / ``removed_by`` columns, never deleted).
What an entry means for a learner's bounces is decided in ``contacts.deliverability``.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from contacts.models import NeverSuppress, Organization

MAX_IMPORT_ROWS = 10_000
MAX_REASON = 300
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
EXPORT_HEADER = ["entry", "kind", "reason", "added by", "added at"]


class NeverSuppressError(Exception):
    """An entry or an import cannot be accepted as given; the message says why."""


def parse_entry(text: str) -> tuple[str, bool]:
    """Return (normalized entry, is_domain) for an address or a domain (``@domain`` too); raise ValidationError."""
    value = (text or "").strip().lower()
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise ValidationError(gettext("Give an address (someone@example.com) or a domain (example.com)."))
    if "@" in value:
        validate_email(value)
        return value, False
    try:
        ascii_value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(
            gettext("%(entry)r is neither an address nor a domain name.") % {"entry": text.strip()}
        ) from None
    labels = ascii_value.split(".")
    if len(labels) < 2 or len(ascii_value) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            gettext("%(entry)r is neither an address nor a domain name (such as example.com).")
            % {"entry": text.strip()}
        )
    return value, True


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Say why these bounces must never suppress (e.g. “our test mailboxes”)."))
    if len(reason) > MAX_REASON:
        raise ValidationError(gettext("Keep the reason under %(limit)s characters.") % {"limit": MAX_REASON})
    return reason


def add_never_suppress_entry(*, organization: Organization, entry: str, reason: str, added_by) -> NeverSuppress:
    """Add an address or domain to the organization's list; raise NeverSuppressError if it is there already."""
    value, is_domain = parse_entry(entry)
    reason = _clean_reason(reason)
    try:
        with transaction.atomic():
            return NeverSuppress.objects.create(
                organization=organization, entry=value, is_domain=is_domain, reason=reason, added_by=added_by
            )
    except IntegrityError:
        raise NeverSuppressError(
            gettext("%(entry)s is on the never-suppress list already.") % {"entry": value}
        ) from None


def remove_never_suppress_entry(*, entry: NeverSuppress, removed_by) -> NeverSuppress:
    """Take an entry off the list (kept, stamped with who removed it and when); bounces suppress again from now on."""
    NeverSuppress.objects.filter(pk=entry.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=removed_by
    )
    entry.refresh_from_db()
    return entry


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    already_listed: list[str] = field(default_factory=list)


def _rows(text: str):
    """The (line number, entry, reason) of a CSV: an optional header naming ``entry`` and ``reason``."""
    reader = csv.reader(io.StringIO(text))
    entry_col, reason_col = 0, 1
    for number, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        lowered = [cell.lower() for cell in cells]
        if number == 1 and "entry" in lowered:
            entry_col = lowered.index("entry")
            reason_col = lowered.index("reason") if "reason" in lowered else -1
            continue
        reason = cells[reason_col] if 0 <= reason_col < len(cells) else ""
        yield number, cells[entry_col] if entry_col < len(cells) else "", reason


def import_never_suppress_csv(
    *, organization: Organization, text: str, added_by, default_reason: str = ""
) -> ImportResult:
    """Add every row of a CSV (entry, reason) to the list, all or nothing; return what was added or skipped.

    A row without a reason takes ``default_reason``. Raise NeverSuppressError naming
    every bad line (nothing is added then); entries already listed are skipped.
    """
    parsed: dict[str, tuple[bool, str]] = {}
    errors: list[str] = []
    for number, entry, reason in _rows(text):
        try:
            value, is_domain = parse_entry(entry)
            parsed.setdefault(value, (is_domain, _clean_reason(reason or default_reason)))
        except ValidationError as error:
            errors.append(gettext("line %(number)s: %(error)s") % {"number": number, "error": " ".join(error.messages)})
        if len(parsed) > MAX_IMPORT_ROWS:
            raise NeverSuppressError(
                gettext("More than %(limit)s entries: split the file.")
                % {"limit": number_format(MAX_IMPORT_ROWS, force_grouping=True)}
            )
    if errors:
        more = gettext("; and %(count)s more") % {"count": len(errors) - 10} if len(errors) > 10 else ""
        shown = "; ".join(errors[:10]) + more
        raise NeverSuppressError(gettext("Nothing was imported: %(errors)s.") % {"errors": shown})
    if not parsed:
        raise NeverSuppressError(gettext("The file holds no entries."))
    result = ImportResult()
    with transaction.atomic():
        listed = set(NeverSuppress.objects.current().filter(organization=organization).values_list("entry", flat=True))
        rows = []
        for value, (is_domain, reason) in parsed.items():
            if value in listed:
                result.already_listed.append(value)
                continue
            rows.append(
                NeverSuppress(
                    organization=organization, entry=value, is_domain=is_domain, reason=reason, added_by=added_by
                )
            )
            result.added.append(value)
        try:
            with transaction.atomic():
                NeverSuppress.objects.bulk_create(rows)
        except IntegrityError:  # another admin added one of them meanwhile
            raise NeverSuppressError(
                gettext("The list changed while importing: nothing was imported, try again.")
            ) from None
    return result


def never_suppress_csv_rows(organization: Organization):
    """The organization's current entries as CSV rows, header first (what the import reads back)."""
    yield EXPORT_HEADER
    entries = NeverSuppress.objects.current().for_organization(organization).select_related("added_by")
    for entry in entries.iterator(chunk_size=2000):
        added_by = entry.added_by.get_username() if entry.added_by else ""
        yield [entry.entry, entry.kind_label.lower(), entry.reason, added_by, entry.created_at.isoformat()]
