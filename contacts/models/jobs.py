"""Jobs an admin starts and watches: support bulk clears and learner imports, with their progress."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.choices import ClearedVia
from contacts.models.organizations import Organization


class JobProgress(models.Model):
    """What every job row has: who started it and when, its progress (``total``, ``done``; ``is_finished`` and
    ``percent`` for the progress pages), when it was confirmed and finished, and the error it stopped on.
    Each job adds its own ``status`` (with its own choices)."""

    status: str
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0, help_text=_("How many learners or rows the job has to process."))
    done = models.PositiveIntegerField(default=0, help_text=_("How many of them are processed so far."))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


class BulkClearJobStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BulkClearJob(JobProgress):
    """A support bulk clear: the bounced learners selected in the admin, confirmed with a note,
    then cleared in chunks (by a Celery task when large) with its progress on the row."""

    via = models.CharField(max_length=16, choices=ClearedVia.choices)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Set when the job is for one organization."),
    )
    description = models.CharField(max_length=300, blank=True)
    selected_count = models.PositiveIntegerField(default=0, help_text=_("Learners selected, bounced or not."))
    learner_ids = models.JSONField(default=list, help_text=_("The bounced learners to clear, snapshot at selection."))
    repeat_ids = models.JSONField(default=list, help_text=_("Those of them already cleared several times."))
    preview = models.JSONField(default=dict, blank=True, help_text=_("What an address list matched and did not."))
    organization_count = models.PositiveIntegerField(default=0)
    by_organization = models.JSONField(
        default=list, blank=True, help_text=_("[organization name, learners] of the largest organizations.")
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=BulkClearJobStatus.choices, default=BulkClearJobStatus.DRAFT)
    cleared = models.PositiveIntegerField(default=0, help_text=_("Learners actually cleared (still bounced then)."))

    def __str__(self):
        return f"Bulk clear {self.pk} ({self.get_status_display()}, {self.done}/{self.total})"


class LearnerImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Choosing columns")
    PREVIEWED = "previewed", _("Waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LearnerImport(JobProgress):
    """A learner file an admin uploaded: its columns' mapping, the preview, then the import's progress and report.

    The file is kept in the row (``content``) so the worker that runs a large import
    reads it wherever it runs; ``report`` is the CSV of every row's outcome.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learner_imports")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True, help_text=_("{column index: learner field}."))
    preview = models.JSONField(default=dict, blank=True, help_text=_("Counts per outcome and sample rows."))
    status = models.CharField(max_length=10, choices=LearnerImportStatus.choices, default=LearnerImportStatus.MAPPING)
    counts = models.JSONField(default=dict, blank=True, help_text=_("Rows written per outcome."))
    report = models.TextField(blank=True, help_text=_("CSV: each row's number, address, outcome and errors."))

    def __str__(self):
        return f"Import {self.pk} of {self.file_name} ({self.get_status_display()})"
