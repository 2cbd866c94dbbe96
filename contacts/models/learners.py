"""Learners (with their deliverability state, written only by contacts.deliverability) and the clearance audit."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.choices import Category, ClearedVia, DeliverabilityStatus, Subtype
from contacts.models.organizations import Organization, OrganizationDayCounter


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
    status_reason = models.CharField(max_length=20, blank=True, help_text=_("Sisimai reason that set the status."))
    status_since = models.DateTimeField(null=True, blank=True)
    # The id of the campaigns.BounceEvent that put the learner in this state: a plain column, not a
    # foreign key, because contacts sits below campaigns (STYLE rule 15). campaigns loads the event
    # (contacts.extensions.LearnerPages.status_event); whoever deletes events clears the id they held.
    status_event_id = models.BigIntegerField(
        null=True, blank=True, help_text=_("The bounce event that put the learner in this state.")
    )
    soft_bounce_count = models.PositiveIntegerField(default=0, help_text=_("Consecutive soft bounces and mail blocks."))
    # The latest bounce of any kind, kept on the row for list filters.
    last_bounce_category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    last_bounce_subtype = models.CharField(max_length=24, choices=Subtype.choices, blank=True)
    last_bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    auto_replied_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set by an auto reply; an open clears it.")
    )
    times_cleared = models.PositiveIntegerField(default=0)
    # A suppression for soft bounces or mail blocks ends at retry_at (released by a beat task);
    # soft_suppressions counts them in a row (each doubles the wait; a delivery or an open resets it).
    retry_at = models.DateTimeField(null=True, blank=True, help_text=_("When a soft suppression ends."))
    soft_suppressions = models.PositiveIntegerField(default=0, help_text=_("Soft suppressions in a row."))
    last_opened_at = models.DateTimeField(null=True, blank=True)
    last_clicked_at = models.DateTimeField(null=True, blank=True)
    last_engaged_at = models.DateTimeField(null=True, blank=True, help_text=_("Latest open or click."))
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
            # The domain filter in id order (the API's cursor pages): one range of this index, where a walk
            # of the primary key read 200 rows for each one of a domain's (155 ms at a million learners).
            models.Index(fields=["organization", "email_domain", "id"], name="learner_org_domain_id"),
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
            # The learners near the soft-bounce threshold (contacts.selectors.near_threshold_q): active ones
            # only, in the report's order (closest first), the engagement date at hand so the engaged and
            # unengaged thresholds are told apart in the index without reading the rows, and the last bounce's
            # category and subtype so the learner list's near-threshold filter with a category (or subtype)
            # counts from the index too (contacts 0026).
            models.Index(
                fields=["organization", "-soft_bounce_count", "id"],
                include=["last_engaged_at", "last_bounce_category", "last_bounce_subtype"],
                name="learner_org_active_soft_cat",
                condition=models.Q(status="active", soft_bounce_count__gt=0),
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


class LearnerCounter(models.Model):
    """One shard of an organization's count of its learners by deliverability status (``status:<status>``);
    a count is the sum of its shards.

    PostgreSQL triggers on the learners keep it (contacts/migrations/0023), each statement adding its net
    change to a shard no other open transaction writes (0027), so parallel writers never wait on one row;
    the learner list and the learner report read it (contacts/learner_counters.py), SQLite counts the learners instead.
    """

    # No foreign key constraint, as the runs' counters: deleting an organization deletes its learners,
    # whose trigger adds rows after Django collected these; rebuild_counters removes such leftovers.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="learner_counters", db_index=False, db_constraint=False
    )
    key = models.TextField()
    shard = models.SmallIntegerField(default=0, db_default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key", "shard"], name="learner_counter_unique_key_shard")
        ]

    def __str__(self):
        return f"organization {self.organization_id} {self.key}[{self.shard}]={self.count}"


class LearnerDayCounter(OrganizationDayCounter):
    """The learners whose last bounce (hard, soft or block) fell on ``day``: ``cat:<category>:<subtype>``,
    ``domain:<domain>`` and ``hard:<domain>``.

    What Your Learner Reports groups over its date range, kept like LearnerCounter by statement triggers on
    the learners (contacts/migrations/0029) and read by contacts/learner_counters.py; SQLite counts the
    learners instead.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="learner_day_counters", db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "key", "shard"], name="learner_day_counter_unique_key_shard"
            )
        ]
