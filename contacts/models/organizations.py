"""Organizations, their portal members and bounce policy."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.choices import MemberRole


def validate_time_zone(value: str) -> None:
    """Accept an IANA time zone name (``Europe/Paris``, ``UTC``)."""
    if value not in zoneinfo.available_timezones() and value != "UTC":
        raise ValidationError(
            gettext("%(value)r is not a time zone name such as Europe/Paris or America/New_York.") % {"value": value}
        )


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_rate_per_second = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("Campaign messages per second for the whole organization, shared by every worker."),
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Every date and time of the portal is shown in this time zone, and send windows are read in it."),
    )
    # False until an admin picks the zone on the settings page; until then the browser's zone of
    # the first admin who logs in is taken (contacts.services.adopt_browser_time_zone).
    time_zone_chosen = models.BooleanField(default=False)
    require_admin_two_factor = models.BooleanField(
        default=False,
        help_text=_("Admins must give a one-time code at every login; one without a device is sent to set one up."),
    )

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
    # A viewer who may still clear bounce statuses (admins always may); kept on the membership so it
    # holds in this organization only and is changed (and audited) from the portal's Members page.
    may_clear_bounces = models.BooleanField(default=False)

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
        help_text=_("Consecutive soft bounces (mail blocks included) before an engaged learner is suppressed."),
    )
    soft_threshold_unengaged = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Consecutive soft bounces before a learner who has not engaged recently is suppressed."),
    )
    engaged_window_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A learner who opened or clicked within this many days counts as engaged."),
    )
    allowlisting_alert_share = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Percent of a run's sends one domain or remote server must block to raise an allowlisting alert."),
    )
    unverified_events_suppress = models.BooleanField(
        default=True,
        help_text=_("Let bounces matched only by address (no token of ours) change a learner's status."),
    )
    sender_side_counts = models.BooleanField(
        default=False,
        help_text=_(
            "Count soft bounces and mail blocks caused by the sender (a blocklist, reputation, SPF/DKIM/DMARC, "
            "PTR or TLS, the sending rate, the message's content) toward the learner's threshold. Off: they are "
            "recorded but never suppress a learner, because the learner's address is not the problem."
        ),
    )
    # The run guard (DESIGN §3): a run pauses itself when one of these rates crosses its pause
    # threshold over at least run_guard_min_sends attempted sends. Defaults from what Amazon SES
    # publishes (review at 5 % bounces / 0.1 % complaints, pause at 10 % / 0.5 %).
    run_guard_enabled = models.BooleanField(
        default=True, help_text=_("Pause a run by itself when its bounce, complaint or block rate crosses a threshold.")
    )
    run_guard_min_sends = models.PositiveIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("Rates are judged only once a run has attempted this many sends."),
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
        help_text=_(
            "Days a learner suppressed for soft bounces or mail blocks waits before being tried again "
            "(doubled on each further suppression); 0: such suppressions never expire."
        ),
    )
    soft_suppression_max_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("The longest wait, however often the learner was suppressed."),
    )

    class Meta:
        verbose_name_plural = _("bounce policies")
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
            raise ValidationError({"soft_suppression_max_days": gettext("Must be at least the first waiting period.")})

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


class OrganizationDayCounter(models.Model):
    """One shard of an organization's count of a key on a day in its time zone; a count is the sum of its
    shards. Its tables (the campaigns' OrgDayCounter, the learners' LearnerDayCounter) are kept by triggers
    and add the organization (no foreign key constraint: rows of a deleted one are left for the rebuild)."""

    day = models.DateField()
    key = models.TextField()
    shard = models.SmallIntegerField(default=0, db_default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"organization {self.organization_id} {self.day} {self.key}[{self.shard}]={self.count}"
