"""Learner import: upload → map columns → preview → import (in the request, or by the worker when large) → report.

Nothing is written to learners before the admin confirms the preview; the
import itself is ``contacts.learner_upsert`` (upsert by address, the email
change through ``contacts.deliverability``), run chunk by chunk with the
progress on the ``LearnerImport`` row. Importing the same file twice finds
every row unchanged the second time.
"""

import logging
import re

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.import_files import ImportFileError, read_table
from contacts.learner_import_runner import import_rows, process_import
from contacts.learner_upsert import COLUMNS, Outcome, RowPlan, count_outcomes, plan_upsert
from contacts.models import LearnerImport, LearnerImportStatus, Organization
from contacts.tasks import run_learner_import

logger = logging.getLogger(__name__)

MAX_BYTES = 60 * 1024 * 1024
MAX_ROWS = 1_000_000
# Imports up to this many rows run in the confirming request; larger ones in the worker.
SYNC_LIMIT = 2_000
SAMPLES_KEPT = 20
FIELD_LABELS = {
    "email": _("Email address"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "department": _("Department"),
    "new_email": _("New email address (changes the address)"),
}
# Header words that name a field, compared without case, spaces, dashes and underscores.
SYNONYMS = {
    "email": {"email", "emailaddress", "mail", "e-mail", "address", "emailaddr"},
    "first_name": {"firstname", "givenname", "first", "forename"},
    "last_name": {"lastname", "surname", "familyname", "last"},
    "department": {"department", "dept", "team", "division"},
    "new_email": {"newemail", "newemailaddress", "newaddress"},
}


class LearnerImportError(Exception):
    """The import cannot go on as asked; the message says why."""


def _normalized(header: str) -> str:
    return re.sub(r"[\s_\-.]", "", header.replace("\ufeff", "").lower())


def guess_mapping(header: list[str]) -> dict[str, str]:
    """{column index (as text): field} for the columns whose header names a field; others are left out."""
    mapping: dict[str, str] = {}
    for index, name in enumerate(header):
        word = _normalized(name)
        for field, words in SYNONYMS.items():
            if (word in words or word.replace("-", "") in words) and field not in mapping.values():
                mapping[str(index)] = field
                break
    return mapping


def start_import(*, organization: Organization, created_by, file_name: str, data: bytes) -> LearnerImport:
    """Read the upload and keep it as a new import waiting for its mapping; raise ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            gettext("The file is larger than %(megabytes)s MB: split it and import the parts.")
            % {"megabytes": MAX_BYTES // (1024 * 1024)}
        )
    table = read_table(data, filename=file_name)
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            gettext("The file has %(count)s rows; at most %(limit)s are imported at once.")
            % {
                "count": number_format(len(table.rows), force_grouping=True),
                "limit": number_format(MAX_ROWS, force_grouping=True),
            }
        )
    return LearnerImport.objects.create(
        organization=organization,
        created_by=created_by,
        file_name=file_name[:255],
        content=data,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        mapping=guess_mapping(table.header),
        total=len(table.rows),
    )


def preview_import(*, job: LearnerImport, mapping: dict[str, str]) -> LearnerImport:
    """Save the mapping and what importing would do (counts, samples, ignored columns); write no learner.

    Raise LearnerImportError when no column is the email address or a field is mapped twice.
    """
    mapping = {index: field for index, field in mapping.items() if field}
    fields = list(mapping.values())
    if "email" not in fields:
        raise LearnerImportError(gettext("Choose the column that holds the email address."))
    if len(fields) != len(set(fields)):
        raise LearnerImportError(gettext("Each learner field can come from one column only."))
    if set(fields) - set(COLUMNS):
        raise LearnerImportError(gettext("Unknown learner field in the mapping."))
    if job.status not in (LearnerImportStatus.MAPPING, LearnerImportStatus.PREVIEWED):
        raise LearnerImportError(gettext("This import has already started."))
    plans = plan_upsert(organization=job.organization, rows=import_rows(job, mapping))
    job.mapping = mapping
    job.preview = {
        "counts": count_outcomes(plans),
        "samples": _samples(plans),
        "ignored": [name for index, name in enumerate(job.header) if str(index) not in mapping],
    }
    job.status = LearnerImportStatus.PREVIEWED
    job.save(update_fields=["mapping", "preview", "status"])
    return job


def _samples(plans: list[RowPlan]) -> dict[str, list[dict]]:
    """The first SAMPLES_KEPT rows of each outcome."""
    samples: dict[str, list[dict]] = {outcome: [] for outcome in Outcome.ALL}
    for plan in plans:
        if len(samples[plan.outcome]) < SAMPLES_KEPT:
            samples[plan.outcome].append(_sample(plan))
    return samples


def _sample(plan: RowPlan) -> dict:
    return {
        "number": plan.number,
        "email": plan.email,
        "errors": plan.errors,
        "changes": {name: list(change) for name, change in plan.changes.items()},
    }


def confirm_import(*, job: LearnerImport) -> LearnerImport:
    """Start a previewed import; small ones finish in this call, large ones are handed to the worker."""
    with transaction.atomic():
        claimed = LearnerImport.objects.filter(pk=job.pk, status=LearnerImportStatus.PREVIEWED).update(
            status=LearnerImportStatus.QUEUED, confirmed_at=timezone.now()
        )
        if not claimed:
            raise LearnerImportError(gettext("This import was already confirmed."))
        if job.total > SYNC_LIMIT:
            transaction.on_commit(lambda: run_learner_import.delay(job.pk))
    if job.total <= SYNC_LIMIT:
        try:
            process_import(job_id=job.pk)
        except Exception:  # recorded on the job, whose page shows it
            logger.exception("Learner import %s failed", job.pk)
    job.refresh_from_db()
    return job


__all__ = [
    "FIELD_LABELS",
    "ImportFileError",
    "LearnerImportError",
    "confirm_import",
    "preview_import",
    "process_import",
    "start_import",
]
