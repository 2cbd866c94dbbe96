"""Organizations, their portal members and learners, bounce policy and the clearance audit."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contacts.choices import Category, ClearedVia, DeliverabilityStatus, MemberRole, Subtype


def validate_time_zone(value: str) -> None:
    """Accept an IANA time zone name (``Europe/Paris``, ``UTC``)."""
    if value not in zoneinfo.available_timezones() and value != "UTC":
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Paris or America/New_York.")


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_rate_per_second = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text="Campaign messages per second for the whole organization, shared by every worker.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Every date and time of the portal is shown in this time zone, and send windows are read in it.",
    )
    # False until an admin picks the zone on the settings page; until then the browser's zone of
    # the first admin who logs in is taken (contacts.services.adopt_browser_time_zone).
    time_zone_chosen = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or "UTC")


class Membership(models.Model):
    """A portal user's place in one organization; the role decides what they may change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.VIEWER)

    def __str__(self):
        return f"{self.user} ({self.get_role_display()} of {self.organization})"


def _percent(default: float, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(str(default)),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=help_text,
    )


class BouncePolicy(models.Model):
    """Per-organization thresholds of DESIGN §3; the defaults are the product's defaults."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="bounce_policy")
    soft_threshold_engaged = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Consecutive soft bounces (mail blocks included) before an engaged learner is suppressed.",
    )
    soft_threshold_unengaged = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Consecutive soft bounces before a learner who has not engaged recently is suppressed.",
    )
    engaged_window_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="A learner who opened or clicked within this many days counts as engaged.",
    )
    allowlisting_alert_share = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent of a run's sends one domain or remote server must block to raise an allowlisting alert.",
    )
    unverified_events_suppress = models.BooleanField(
        default=True,
        help_text="Let bounces matched only by address (no token of ours) change a learner's status.",
    )
    sender_side_counts = models.BooleanField(
        default=False,
        help_text=(
            "Count soft bounces and mail blocks caused by the sender (a blocklist, reputation, SPF/DKIM/DMARC, "
            "PTR or TLS, the sending rate, the message's content) toward the learner's threshold. Off: they are "
            "recorded but never suppress a learner, because the learner's address is not the problem."
        ),
    )
    # The run guard (DESIGN §3): a run pauses itself when one of these rates crosses its pause
    # threshold over at least run_guard_min_sends attempted sends. Defaults from what Amazon SES
    # publishes (review at 5 % bounces / 0.1 % complaints, pause at 10 % / 0.5 %).
    run_guard_enabled = models.BooleanField(
        default=True, help_text="Pause a run by itself when its bounce, complaint or block rate crosses a threshold."
    )
    run_guard_min_sends = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text="Rates are judged only once a run has attempted this many sends.",
    )
    run_guard_hard_review = _percent(5, "Hard-bounce rate (%) at which the run page asks for a review.")
    run_guard_hard_pause = _percent(10, "Hard-bounce rate (%) that pauses the run.")
    run_guard_complaint_review = _percent(0.1, "Complaint rate (%) at which the run page asks for a review.")
    run_guard_complaint_pause = _percent(0.5, "Complaint rate (%) that pauses the run.")
    run_guard_block_pause = _percent(
        20, "Share of the run's sends (%) one filter product or provider may block before the run pauses."
    )
    # Soft suppressions expire (DESIGN §3): released after soft_suppression_days, doubling on each repeat.
    soft_suppression_days = models.PositiveIntegerField(
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="Days a learner suppressed for soft bounces or mail blocks waits before being tried again "
        "(doubled on each further suppression); 0: such suppressions never expire.",
    )
    soft_suppression_max_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="The longest wait, however often the learner was suppressed.",
    )

    class Meta:
        verbose_name_plural = "bounce policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    soft_threshold_engaged__gte=1, soft_threshold_unengaged__gte=1, engaged_window_days__gte=1
                ),
                name="bounce_policy_thresholds_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(allowlisting_alert_share__gte=1, allowlisting_alert_share__lte=100),
                name="bounce_policy_alert_share_is_percent",
            ),
        ]

    def __str__(self):
        return f"Bounce policy of {self.organization}"

    def clean(self):
        if self.soft_suppression_days and self.soft_suppression_max_days < self.soft_suppression_days:
            raise ValidationError({"soft_suppression_max_days": "Must be at least the first waiting period."})

    def soft_suppression_wait(self, times: int) -> timedelta | None:
        """How long the ``times``-th soft suppression in a row lasts (None: it never expires)."""
        if not self.soft_suppression_days:
            return None
        days = min(self.soft_suppression_days * 2 ** min(max(times - 1, 0), 16), self.soft_suppression_max_days)
        return timedelta(days=days)

    def engaged_since(self, now=None):
        """Return the cut-off time after which an open or click makes a learner engaged."""
        return (now or timezone.now()) - timedelta(days=self.engaged_window_days)

    def soft_threshold_for(self, learner, now=None) -> int:
        """Return how many consecutive soft bounces suppress this learner."""
        if learner.is_engaged(self.engaged_since(now)):
            return self.soft_threshold_engaged
        return self.soft_threshold_unengaged


class EmailDomain(models.Func):
    """The lower-cased part of an address after its last ``@`` (immutable, so it can be stored and indexed)."""

    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="lower(split_part(%(expressions)s, '@', -1))", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="lower(substr(%(expressions)s, instr(%(expressions)s, '@') + 1))",
            **extra_context,
        )


class LearnerQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def suppressed(self):
        return self.exclude(status=DeliverabilityStatus.ACTIVE)

    def deliverable(self):
        return self.filter(status=DeliverabilityStatus.ACTIVE)


class Learner(models.Model):
    """A person an organization sends to, with their deliverability state."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learners")
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Deliverability state (DESIGN §1): written only by contacts.deliverability (STYLE rule 16).
    status = models.CharField(max_length=12, choices=DeliverabilityStatus.choices, default=DeliverabilityStatus.ACTIVE)
    status_reason = models.CharField(max_length=20, blank=True, help_text="Sisimai reason that set the status.")
    status_since = models.DateTimeField(null=True, blank=True)
    # The id of the campaigns.BounceEvent that put the learner in this state: a plain column, not a
    # foreign key, because contacts sits below campaigns (STYLE rule 15). campaigns loads the event
    # (contacts.extensions.LearnerPages.status_event); whoever deletes events clears the id they held.
    status_event_id = models.BigIntegerField(
        null=True, blank=True, help_text="The bounce event that put the learner in this state."
    )
    soft_bounce_count = models.PositiveIntegerField(default=0, help_text="Consecutive soft bounces and mail blocks.")
    # The latest bounce of any kind, kept on the row for list filters.
    last_bounce_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    last_bounce_subtype = models.CharField(max_length=24, choices=Subtype.choices, blank=True)
    last_bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    auto_replied_at = models.DateTimeField(null=True, blank=True, help_text="Set by an auto reply; an open clears it.")
    times_cleared = models.PositiveIntegerField(default=0)
    # A suppression for soft bounces or mail blocks ends at retry_at (released by a beat task);
    # soft_suppressions counts them in a row (each doubles the wait; a delivery or an open resets it).
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When a soft suppression ends.")
    soft_suppressions = models.PositiveIntegerField(default=0, help_text="Soft suppressions in a row.")
    last_opened_at = models.DateTimeField(null=True, blank=True)
    last_clicked_at = models.DateTimeField(null=True, blank=True)
    last_engaged_at = models.DateTimeField(null=True, blank=True, help_text="Latest open or click.")
    tags = models.JSONField(default=list, blank=True)
    # Kept by a database trigger on every UPDATE (migration 0003), whichever code writes the row (the
    # deliverability package's set-based UPDATEs included), so the API's "updated since" misses nothing.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    on_resend_list = models.BooleanField(default=False)
    # Kept by the database from the address, for the domain filter and the dashboards' top domains.
    email_domain = models.GeneratedField(
        expression=EmailDomain("email"), output_field=models.CharField(max_length=254), db_persist=True
    )

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "organization", name="learner_email_unique_per_org_ci"),
        ]
        # No (organization, status) index: learner_org_status_email starts with those columns and serves
        # the same queries; no plain (organization, last_bounced_at) either: learner_org_bounced_cover has
        # those keys. Index changes after the initial migration: see the rule in contacts/migrations/0001.
        indexes = [
            models.Index(
                fields=["organization", "last_bounce_category", "last_bounce_subtype"], name="learner_org_category"
            ),
            models.Index(fields=["organization", "last_engaged_at"], name="learner_org_engaged"),
            models.Index(fields=["organization", "email"], name="learner_org_email"),
            models.Index(fields=["organization", "email_domain"], name="learner_org_domain"),
            # The API's cursor pages in id order: an index range scan whatever the planner's estimates.
            models.Index(fields=["organization", "id"], name="learner_org_id"),
            # The API's "updated since" sync.
            models.Index(fields=["organization", "updated_at", "id"], name="learner_org_updated"),
            # The portal at a million learners (bench/pages.py): filtered list pages in address order,
            # and dashboard aggregates answered from the index alone.
            models.Index(fields=["organization", "status", "email"], name="learner_org_status_email"),
            models.Index(
                fields=["organization", "last_bounced_at"],
                name="learner_org_bounced_cover",
                include=["last_bounce_category", "last_bounce_subtype", "email_domain"],
            ),
            models.Index(
                fields=["organization", "last_bounced_at"],
                name="learner_org_repeat_bouncers",
                condition=models.Q(status="bounced", times_cleared__gt=0),
            ),
            models.Index(fields=["retry_at"], name="learner_soft_suppressed", condition=models.Q(status="bounced")),
            models.Index(
                fields=["organization", "soft_bounce_count"],
                name="learner_org_soft_counting",
                condition=models.Q(soft_bounce_count__gt=0),
            ),
        ]
        permissions = [("clear_bounce", "Can clear a learner's bounce status")]

    def __str__(self):
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def is_suppressed(self) -> bool:
        return self.status != DeliverabilityStatus.ACTIVE

    @property
    def is_bounced(self) -> bool:
        return self.status == DeliverabilityStatus.BOUNCED

    @property
    def is_soft_suppressed(self) -> bool:
        """Bounced for soft bounces or mail blocks, and released at ``retry_at``."""
        return self.is_bounced and self.retry_at is not None

    @property
    def has_auto_reply(self) -> bool:
        return self.auto_replied_at is not None

    def is_engaged(self, since) -> bool:
        return self.last_engaged_at is not None and self.last_engaged_at >= since


class Clearance(models.Model):
    """Audit row written each time a learner's bounce status is cleared.

    The database refuses to change or delete it (bounceportal/audit.py). A user who cleared
    cannot be deleted (deactivate them instead): the row keeps who did it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clearances")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="clearances")
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearances",
    )
    via = models.CharField(max_length=16, choices=ClearedVia.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    previous_status = models.CharField(max_length=12, choices=DeliverabilityStatus.choices)
    previous_reason = models.CharField(max_length=20, blank=True)
    previous_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    previous_subtype = models.CharField(max_length=24, choices=Subtype.choices, blank=True)
    previous_soft_bounce_count = models.PositiveIntegerField(default=0)
    previous_email = models.EmailField(max_length=254, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "created_at"], name="clearance_org_created")]

    def __str__(self):
        return f"{self.learner} cleared via {self.via} at {self.created_at:%Y-%m-%d %H:%M}"


class NeverSuppressQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def current(self):
        return self.filter(removed_at__isnull=True)


class NeverSuppress(models.Model):
    """A never-suppress entry (DESIGN §3): an address, or a whole domain, whose bounces never suppress.

    Entries are never deleted: removing one stamps ``removed_at`` / ``removed_by``, so the
    list's history (who added what, why, who took it off) stays readable. ``entry`` is
    lower-case: ``someone@example.com`` for an address, ``example.com`` for a domain.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="never_suppress")
    entry = models.CharField(max_length=254, help_text="An address (a@b.example) or a whole domain (b.example).")
    is_domain = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, help_text="Why bounces of this address or domain never suppress.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = NeverSuppressQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "-created_at"]
        verbose_name = "never-suppress entry"
        verbose_name_plural = "never-suppress list"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "entry"],
                condition=models.Q(removed_at__isnull=True),
                name="never_suppress_current_unique",
            ),
        ]

    def __str__(self):
        return self.entry

    @property
    def kind_label(self) -> str:
        return "Domain" if self.is_domain else "Address"


class AutomationAction(models.TextChoices):
    SUPPRESS = "suppress", "Suppress (mark bounced)"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe"
    TAG = "tag", "Tag the learner"
    NOTIFY = "notify", "Notify the admins"
    RESEND = "resend", "Add to the resend list"


class AutomationRule(models.Model):
    """Email status automation (DESIGN §3): an extra action for a category / subtype."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="automation_rules")
    category = models.CharField(max_length=12, choices=Category.choices)
    subtype = models.CharField(
        max_length=24,
        choices=Subtype.choices,
        blank=True,
        help_text="Leave empty to act on every subtype of the category.",
    )
    action = models.CharField(max_length=12, choices=AutomationAction.choices)
    tag = models.CharField(max_length=50, blank=True, help_text="The tag to add, for the tag action.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "subtype", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category", "subtype", "action"], name="automation_rule_unique"
            ),
        ]

    def __str__(self):
        target = self.get_subtype_display() if self.subtype else "any subtype"
        return f"{self.get_category_display()} / {target}: {self.get_action_display()}"

    def matches(self, category: str, subtype: str) -> bool:
        return self.enabled and self.category == category and self.subtype in ("", subtype)


class JobProgress:
    """``is_finished`` and ``percent`` of a job row with ``status``, ``total`` and ``done`` (the progress pages)."""

    status: str
    total: int
    done: int

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


class BulkClearJobStatus(models.TextChoices):
    DRAFT = "draft", "Waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkClearJob(JobProgress, models.Model):
    """A support bulk clear: the bounced learners selected in the admin, confirmed with a note,
    then cleared in chunks (by a Celery task when large) with its progress on the row."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=16, choices=ClearedVia.choices)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Set when the job is for one organization.",
    )
    description = models.CharField(max_length=300, blank=True)
    selected_count = models.PositiveIntegerField(default=0, help_text="Learners selected, bounced or not.")
    learner_ids = models.JSONField(default=list, help_text="The bounced learners to clear, snapshot at selection.")
    repeat_ids = models.JSONField(default=list, help_text="Those of them already cleared several times.")
    preview = models.JSONField(default=dict, blank=True, help_text="What an address list matched and did not.")
    organization_count = models.PositiveIntegerField(default=0)
    by_organization = models.JSONField(
        default=list, blank=True, help_text="[organization name, learners] of the largest organizations."
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=BulkClearJobStatus.choices, default=BulkClearJobStatus.DRAFT)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="Learners processed so far.")
    cleared = models.PositiveIntegerField(default=0, help_text="Learners actually cleared (still bounced then).")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Bulk clear {self.pk} ({self.get_status_display()}, {self.done}/{self.total})"


class LearnerImportStatus(models.TextChoices):
    MAPPING = "mapping", "Choosing columns"
    PREVIEWED = "previewed", "Waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class LearnerImport(JobProgress, models.Model):
    """A learner file an admin uploaded: its columns' mapping, the preview, then the import's progress and report.

    The file is kept in the row (``content``) so the worker that runs a large import
    reads it wherever it runs; ``report`` is the CSV of every row's outcome.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learner_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True, help_text="{column index: learner field}.")
    total = models.PositiveIntegerField(default=0, help_text="Data rows in the file.")
    preview = models.JSONField(default=dict, blank=True, help_text="Counts per outcome and sample rows.")
    status = models.CharField(max_length=10, choices=LearnerImportStatus.choices, default=LearnerImportStatus.MAPPING)
    done = models.PositiveIntegerField(default=0, help_text="Rows processed so far.")
    counts = models.JSONField(default=dict, blank=True, help_text="Rows written per outcome.")
    report = models.TextField(blank=True, help_text="CSV: each row's number, address, outcome and errors.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import {self.pk} of {self.file_name} ({self.get_status_display()})"
