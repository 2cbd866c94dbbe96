"""Campaigns, their runs and sends, bounce mailboxes, inbound messages and bounce events."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bounceportal.secrets_box import decrypt_secret, encrypt_secret
from campaigns.engagement_models import EngagementEvent, EngagementKind, MachineReason  # noqa: F401 -- registered from here
from campaigns.esp_models import EspConnection, EspEvent
from campaigns.send_windows import SendWindow
from contacts.choices import Category, Reason, Subtype
from contacts.deliverability.facts import Outcome
from contacts.models import Learner, Organization
from contacts.models.organizations import OrganizationDayCounter


def new_send_token() -> str:
    """Return an unguessable URL-safe token (144 bits) for VERP, Message-ID and tracking links."""
    return secrets.token_urlsafe(18)


class Campaign(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=250)
    from_name = models.CharField(max_length=100, blank=True)
    from_email = models.EmailField()
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "created_at"], name="campaign_org_created")]

    def __str__(self):
        return self.name


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignRun(models.Model):
    """One scheduled sending of a campaign to a set of learners."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaign_runs")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    audience = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Which learners the run targets (schema in campaigns/audience.py); empty means everyone."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    left_out = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("How many learners were left out, by reason (bounced, unsubscribed, invalid, cancelled)."),
    )
    # A send window (campaigns/send_windows.py): the sends are spread over these hours, in the
    # organization's time zone. Empty window_weekdays: no window, all sends are due at scheduled_for.
    window_weekdays = models.CharField(max_length=7, blank=True, help_text=_("ISO weekdays, 1 = Monday ('12345')."))
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    last_due_at = models.DateTimeField(null=True, blank=True, help_text=_("When the run's last send falls due."))
    released_until = models.DateTimeField(
        null=True, blank=True, help_text=_("Sends due up to this time have been handed to the workers.")
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    esp_connection = models.ForeignKey(
        EspConnection,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # a connection that carried runs stays, unless its organization goes
        related_name="runs",
        help_text=_("Send through this email service instead of SMTP."),
    )
    # The run guard (campaigns/services/guard.py): why it paused the run, and the counters it
    # stood at when the run was last resumed (rates are judged on what happened since).
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    guard_baseline = models.JSONField(default=dict, blank=True, help_text=_("Guard counters at the last resume."))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="run_org_created"),
            models.Index(
                fields=["scheduled_for"],
                name="run_waiting_release",
                condition=models.Q(status__in=["scheduled", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.campaign} — run {self.pk}"

    @property
    def window(self) -> SendWindow | None:
        """The run's send window, or None when its sends are all due at ``scheduled_for``."""
        if not self.window_weekdays or self.window_start is None or self.window_end is None:
            return None
        weekdays = frozenset(int(day) for day in self.window_weekdays)
        return SendWindow(weekdays=weekdays, start=self.window_start, end=self.window_end, days=self.window_days or 1)

    @property
    def can_be_cancelled(self) -> bool:
        return self.status not in (RunStatus.DONE, RunStatus.CANCELLED)

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


class RunCounter(models.Model):
    """One shard of a running count of a run's outcomes; a count is the sum of its shards.

    The keys (``status:<status>``, ``cat:…``, ``block.<kind>:…``, see campaigns/counters.py) are kept
    by PostgreSQL triggers on sends and bounce events (campaigns/migrations/0022), each writer adding
    to a shard no other open transaction writes (contacts/migrations/0027), so several workers on the
    same run never wait on one row. The run details, the dashboards and the run guard read them."""

    # No foreign key constraint (here and on OrgDayCounter): deleting a run or an organization deletes
    # its sends and events first, whose triggers add rows after Django collected the counters; those
    # rows of a deleted owner are left over, read by nobody and removed by rebuild_counters.
    run = models.ForeignKey(
        CampaignRun, on_delete=models.CASCADE, related_name="guard_counters", db_index=False, db_constraint=False
    )
    key = models.TextField()
    shard = models.SmallIntegerField(default=0, db_default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key", "shard"], name="run_counter_unique_key_shard")]

    def __str__(self):
        return f"run {self.run_id} {self.key}[{self.shard}]={self.count}"


class OrgDayCounter(OrganizationDayCounter):
    """``ev:<campaign>:<category>:<subtype>`` and ``blockrun:<run>`` of the day: what the dashboards chart,
    kept like RunCounter's summary keys."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="day_counters", db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "key", "shard"], name="org_day_counter_unique_key_shard"
            )
        ]


class SendStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred")
    DELIVERED = "delivered", _("Delivered")
    OPENED = "opened", _("Opened")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class SendQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class Send(models.Model):
    """One message to one learner in a run."""

    # No single-column indexes on the foreign keys or a LIKE index on the token: the
    # composite indexes below lead with each of them, and every index slows the
    # bulk insert of a run's sends and each status write-back (see bench/send.py).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sends", db_index=False)
    run = models.ForeignKey(CampaignRun, on_delete=models.CASCADE, related_name="sends", db_index=False)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="sends", db_index=False)
    token = models.CharField(max_length=32, default=new_send_token)
    email = models.EmailField(max_length=254, help_text=_("The address at the time of sending."))
    domain = models.CharField(max_length=253, blank=True)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.SCHEDULED)
    skip_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("Set by the worker that is sending it."))
    first_attempt_at = models.DateTimeField(null=True, blank=True, help_text=_("The retry window starts here."))
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Human engagement only: machine opens and clicks are EngagementEvent rows and change nothing here.
    opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)
    bounced_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    last_reply = models.TextField(blank=True, help_text=_("The last SMTP reply or error."))

    objects = SendQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "learner"], name="send_one_per_learner_per_run"),
            models.UniqueConstraint(fields=["token"], name="send_token_unique"),
        ]
        indexes = [
            models.Index(fields=["run", "status"], name="send_run_status"),
            # Address matching (campaigns/services/matching.py) probes an organization's recent sends to an
            # address by its lower case: an index of ``email`` as stored served no query and left that a scan.
            models.Index("organization", Lower("email"), "created_at", name="send_org_lower_email_created"),
            models.Index(fields=["learner", "created_at"], name="send_learner_created"),
            models.Index(fields=["run", "domain"], name="send_run_domain"),
            models.Index(fields=["run", "email"], name="send_run_email"),  # the run details' table order
            # The release task's range scan over a scheduled run's due times; immediate runs' sends
            # (no due time) stay out of it, so it costs their bulk insert nothing.
            models.Index(
                fields=["run", "next_attempt_at"],
                name="send_run_due",
                condition=models.Q(status="scheduled", next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.email} in run {self.run_id}"


class MailboxProtocol(models.TextChoices):
    IMAP = "imap", _("IMAP")
    POP3 = "pop3", _("POP3")
    MAILDIR = "maildir", _("Local Maildir")


class MailboxSecurity(models.TextChoices):
    TLS = "tls", _("TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (loopback only)")


class ProcessedAction(models.TextChoices):
    MOVE = "move", _("Move to a folder")
    FLAG = "flag", _("Flag as seen (IMAP)")
    DELETE = "delete", _("Delete after commit (POP3)")
    LEAVE = "leave", _("Leave in place")


class BounceMailbox(models.Model):
    """Where bounces arrive; the password is stored encrypted and never shown."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="mailboxes")
    name = models.CharField(max_length=100)
    protocol = models.CharField(max_length=8, choices=MailboxProtocol.choices)
    host = models.CharField(max_length=253, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    security = models.CharField(max_length=8, choices=MailboxSecurity.choices, default=MailboxSecurity.TLS)
    username = models.CharField(max_length=254, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(max_length=200, default="INBOX", help_text=_("IMAP folder, or the Maildir path."))
    processed_action = models.CharField(max_length=8, choices=ProcessedAction.choices, default=ProcessedAction.MOVE)
    processed_folder = models.CharField(max_length=200, default="Processed")
    poll_interval_seconds = models.PositiveIntegerField(default=300, validators=[MinValueValidator(10)])
    enabled = models.BooleanField(default=True)
    # OAuth2 (XOAUTH2) for providers that no longer accept passwords.
    oauth_client_id = models.CharField(max_length=200, blank=True)
    oauth_client_secret_encrypted = models.TextField(blank=True, editable=False)
    oauth_token_endpoint = models.URLField(blank=True)
    oauth_refresh_token_encrypted = models.TextField(blank=True, editable=False)
    # Poll bookkeeping, shown on the mailbox's page and in the admin.
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    poll_failures = models.PositiveIntegerField(default=0, help_text=_("Failed polls since the mailbox was created."))
    messages_fetched = models.PositiveIntegerField(default=0)
    messages_processed = models.PositiveIntegerField(default=0)
    # IMAP: the folder's UIDVALIDITY and the highest UID processed under it; a poll lists only newer UIDs.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)

    # Where a mailbox is read from and whose it is: operators only (see contacts.capabilities).
    CONFIGURATION_FIELDS = ("organization", "protocol", "host", "port", "folder")

    class Meta:
        ordering = ["organization", "name"]
        verbose_name_plural = _("bounce mailboxes")
        permissions = [
            (
                "configure_bouncemailbox",
                "Can set a bounce mailbox's organization, protocol, host, port and folder or local path",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_protocol_display()})"

    def set_password(self, plain: str) -> None:
        """Store the password encrypted (call save() after)."""
        self.password_encrypted = encrypt_secret(plain)

    def get_password(self) -> str:
        return decrypt_secret(self.password_encrypted)

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)

    def set_oauth_secrets(self, *, client_secret: str | None = None, refresh_token: str | None = None) -> None:
        """Store the OAuth2 client secret and/or refresh token encrypted (None leaves one as is)."""
        if client_secret is not None:
            self.oauth_client_secret_encrypted = encrypt_secret(client_secret)
        if refresh_token is not None:
            self.oauth_refresh_token_encrypted = encrypt_secret(refresh_token)

    def get_oauth_client_secret(self) -> str:
        return decrypt_secret(self.oauth_client_secret_encrypted)

    def get_oauth_refresh_token(self) -> str:
        return decrypt_secret(self.oauth_refresh_token_encrypted)

    @property
    def uses_oauth(self) -> bool:
        return bool(self.oauth_token_endpoint and self.oauth_refresh_token_encrypted)


class MailboxChangeVia(models.TextChoices):
    PORTAL = "portal", _("Portal")
    ADMIN = "admin", _("Django admin")


class MailboxChange(models.Model):
    """One saved change of a bounce mailbox's settings: who, when, where from, and which fields.

    Secrets appear by name only ("password"), never with a value. Written by
    ``campaigns.services.mailboxes.save_bounce_mailbox`` in the transaction that saves the mailbox.
    """

    mailbox = models.ForeignKey(BounceMailbox, on_delete=models.SET_NULL, null=True, related_name="changes")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=8, choices=MailboxChangeVia.choices)
    created = models.BooleanField(default=False)
    fields = models.JSONField(default=list, help_text=_("Names of the settings changed; secrets by name only."))

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{'Created' if self.created else 'Changed'} {', '.join(self.fields)}"


class InboundKind(models.TextChoices):
    DSN = "dsn", _("Delivery status notification")
    AUTOREPLY = "autoreply", _("Auto reply")
    FEEDBACK = "feedback", _("Complaint (ARF)")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe request")
    NOT_BOUNCE = "not_bounce", _("Not a bounce")
    UNPARSEABLE = "unparseable", _("Unparseable")
    TOO_COMPLEX = "too_complex", _("Too complex (kept for review)")
    PENDING = "pending", _("Not classified yet")


class MatchedBy(models.TextChoices):
    VERP = "verp", _("VERP token")
    MESSAGE_ID = "message_id", _("Returned Message-ID or header")
    ESP_METADATA = "esp_metadata", _("Token in the email service's metadata")
    ADDRESS = "address", _("Recipient address (unverified)")
    REVIEW = "review", _("Attached by an admin (review of unmatched mail)")
    NONE = "none", _("Not matched")


class InboundMessage(models.Model):
    """One raw message fetched from a bounce mailbox, kept exactly as received."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inbound_messages")
    mailbox = models.ForeignKey(
        BounceMailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    digest = models.CharField(max_length=64, help_text=_("SHA-256 of the raw bytes as received."))
    content_digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        help_text=_(
            "SHA-256 of the message without the transport headers relays add (Received, DKIM, ...): "
            "the same bounce delivered again is the same message. Empty for messages stored before 0.2."
        ),
    )
    raw = models.BinaryField()
    size = models.PositiveIntegerField(help_text=_("Size as received, before any truncation."))
    truncated = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=300, blank=True)
    from_header = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=InboundKind.choices, default=InboundKind.PENDING)
    is_bounce = models.BooleanField(default=False)
    parse_error = models.TextField(blank=True)
    original_message_id = models.CharField(max_length=300, blank=True)
    send_token = models.CharField(max_length=64, blank=True)
    matched_by = models.CharField(max_length=12, choices=MatchedBy.choices, default=MatchedBy.NONE)
    processed_at = models.DateTimeField(null=True, blank=True)
    classifier_version = models.CharField(max_length=20, blank=True)
    body_purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When retention replaced the raw message by its headers (RAW_RETENTION_DAYS); "
            "the events and their evidence are kept."
        ),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        # Unique per organization: the same bytes reaching two customers' mailboxes are two
        # messages, each kept and applied for its own organization.
        constraints = [
            models.UniqueConstraint(fields=["organization", "digest"], name="inbound_digest_unique_per_org"),
            models.UniqueConstraint(fields=["organization", "content_digest"], name="inbound_content_unique_per_org"),
        ]
        indexes = [
            models.Index(fields=["organization", "received_at"], name="inbound_org_received"),
            models.Index(fields=["organization", "kind"], name="inbound_org_kind"),
            models.Index(fields=["organization", "matched_by"], name="inbound_org_matched"),
            # Retention's batches (campaigns/services/retention.py): the oldest bodies still kept, from the
            # index alone; a purged message leaves it.
            models.Index(
                fields=["received_at", "id"], name="inbound_unpurged", condition=models.Q(body_purged_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.subject or f"Inbound message {self.pk}"

    @property
    def raw_text(self) -> str:
        """The raw bytes as text for display (undecodable bytes replaced, never rendered as HTML)."""
        return bytes(self.raw).decode("utf-8", errors="replace")

    @property
    def is_body_purged(self) -> bool:
        """True once retention kept only the headers (the raw bytes are no longer the message as received)."""
        return self.body_purged_at is not None


class EventSource(models.TextChoices):
    MAILBOX = "mailbox", _("Bounce mailbox")
    SMTP = "smtp", _("SMTP reply while sending")
    WEBHOOK = "webhook", _("Webhook")
    LINK = "link", _("Unsubscribe link")


# What applying an event did to its learner: the deliverability package decides it and owns the words.
EventOutcome = Outcome


class CurrentEventManager(models.Manager):
    """Events in force: those a re-classify replaced (``superseded_at`` set) are kept for the audit, not counted."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_at__isnull=True)


class AllEventsManager(models.Manager):
    """Every event, those a re-classify replaced included (the audit, the metrics)."""


class BounceEvent(models.Model):
    """One recipient's outcome parsed out of an inbound message, an SMTP rejection or an ESP webhook event.

    An audit row: the database refuses to change or delete it (bounceportal/audit.py), except
    ``outcome`` / ``applied_at`` once when the policy applies it and ``superseded_at`` once when a
    re-classify replaces it. ``objects`` holds the events in force; ``all_objects`` every one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bounce_events")
    inbound_message = models.ForeignKey(
        InboundMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # RESTRICT: bounce events are append-only (migration 0009), so a raw ESP event that has one is kept,
    # unless both go in the same cascade (deleting the organization).
    esp_event = models.ForeignKey(
        EspEvent, null=True, blank=True, on_delete=models.RESTRICT, related_name="bounce_events"
    )
    send = models.ForeignKey(Send, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounce_events")
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounce_events")
    # The run of ``send`` when the event was stored: written by PostgreSQL (a BEFORE INSERT trigger,
    # campaigns/migrations/0029), never by the app, so every way an event is made carries it. It lets the run
    # details list the sends of a rare category from the (run, category) index instead of probing the events
    # of every send of the run (campaigns/filters.py). No foreign key: it is a copy, read with ``send``; SQLite
    # (the demo) leaves it empty and filters as before.
    run_id = models.BigIntegerField(null=True, blank=True, editable=False)
    source = models.CharField(max_length=8, choices=EventSource.choices, default=EventSource.MAILBOX)
    # The recipient's position in its report; it stops at 32,767 (a report naming more still gets
    # an event for every recipient: the column stays small, so no rewrite of this large table).
    recipient_index = models.PositiveSmallIntegerField(default=0)
    event_key = models.CharField(
        max_length=64,
        blank=True,
        help_text=_(
            "SHA-256 of send, recipient, status and the report's own Message-ID: a report delivered "
            "again in other bytes yields no second event. Empty when the report has no Message-ID."
        ),
    )
    # The classifier's per-recipient output (DESIGN §2, "Classifier contract").
    address = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=16, blank=True, help_text=_("RFC 3463 enhanced status code."))
    reply_code = models.CharField(max_length=3, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.UNDEFINED)
    category = models.CharField(max_length=12, choices=Category.choices)
    subtype = models.CharField(max_length=24, choices=Subtype.choices)
    hard = models.BooleanField(default=False)
    diagnostic = models.TextField(blank=True)
    remote_mta = models.CharField(max_length=253, blank=True)
    feedback_type = models.CharField(max_length=40, blank=True)
    matched_by = models.CharField(max_length=12, choices=MatchedBy.choices, default=MatchedBy.NONE)
    occurred_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=EventOutcome.choices, default=EventOutcome.PENDING)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Why the classifier read it so (DESIGN "Classifier contract", release 0.2): shown to admins.
    stage = models.CharField(max_length=12, blank=True, help_text=_("SMTP stage of the refusal, when known."))
    sender_side = models.BooleanField(default=False, help_text=_("The cause is the sender's, not the learner's."))
    filter_product = models.CharField(max_length=60, blank=True)
    blocklist = models.CharField(max_length=60, blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text='[{"rule", "text"}]: which rule fired on which words.'
    )
    superseded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a re-classify replaced this event (kept for the audit, no longer counted)."),
    )

    objects = CurrentEventManager()
    all_objects = AllEventsManager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # event_org_occurred_cover also serves every plain (organization, occurred_at) range, so there is
        # no index of those keys alone. Index changes after the initial migration: see campaigns/migrations/0001.
        indexes = [
            models.Index(fields=["organization", "category", "subtype"], name="event_org_category"),
            # The API's events feed in id order (cursor pages): an index range scan at any depth.
            models.Index(fields=["organization", "id"], name="event_org_id"),
            # A run's sends with a current event of a rare category (the run details' category filter).
            models.Index(
                fields=["run_id", "category"],
                name="event_run_category",
                include=["send_id"],
                condition=models.Q(superseded_at__isnull=True),
            ),
            models.Index(fields=["learner", "occurred_at"], name="event_learner_occurred"),
            # A report's events are looked up by key before they are counted (campaigns/services/digests.py).
            models.Index(fields=["organization", "event_key"], name="event_org_key"),
            # Dashboards' trend per category over a date range, from the index alone.
            models.Index(
                fields=["organization", "occurred_at"], name="event_org_occurred_cover", include=["category", "send_id"]
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.address} ({self.reason})"

    @property
    def is_verified(self) -> bool:
        """True when the bounce carried our token (a forged bounce cannot), or an admin attached it."""
        return (
            self.matched_by in (MatchedBy.VERP, MatchedBy.MESSAGE_ID, MatchedBy.ESP_METADATA, MatchedBy.REVIEW)
            or self.source == EventSource.SMTP
        )

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()


class GuidanceNote(models.Model):
    """An organization's own note on a Sending configurations page (a product or a blocklist)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="guidance_notes")
    slug = models.SlugField(max_length=40, help_text=_("The page: a product's or blocklist's slug."))
    text = models.TextField(max_length=4000)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-added_at", "-id"]
        indexes = [models.Index(fields=["organization", "slug"], name="guidance_note_org_slug")]

    def __str__(self):
        return f"Note on {self.slug} ({self.organization_id})"


class ReviewDecision(models.TextChoices):
    ATTACHED = "attached", _("Attached to a learner")
    DISMISSED = "dismissed", _("Dismissed")


class InboundReview(models.Model):
    """An admin's decision on an unmatched or unparseable inbound message: the audit row of the review.

    A message with a review has left the review queue; written once by ``campaigns.services.review``.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inbound_reviews")
    inbound_message = models.OneToOneField(InboundMessage, on_delete=models.CASCADE, related_name="review")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self):
        return f"{self.get_decision_display()}: inbound message {self.inbound_message_id}"
