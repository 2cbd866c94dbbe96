"""What campaigns adds to contacts' learner pages (the extension point of ``contacts.extensions``).

Registered by ``CampaignsConfig.ready()``: the profile's activity log gets the
learner's sends, opens and clicks (human or machine) and bounces; the profile and edit pages get the bounce
event that set the status; the learner list gets the "Campaign" filter.
"""

from datetime import timedelta

import django_filters
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import BounceEvent, Campaign, EngagementEvent, Send, SendStatus
from contacts.activity import count_of, older_than
from contacts.choices import DeliverabilityStatus
from contacts.extensions import ActivityEntry, LearnerPages
from contacts.models import Clearance


def _sent_campaign(queryset, name, value):
    """Learners who were sent ``value`` (a Campaign) in any of its runs."""
    if not value:
        return queryset
    return queryset.filter(Exists(Send.objects.filter(learner=OuterRef("pk"), run__campaign=value)))


# A next send "reached" the learner when it was accepted and did not bounce; one still pending, skipped or
# refused at MAIL FROM (our sender, not the address) says nothing either way and is looked past.
_REACHED = (SendStatus.SENT, SendStatus.DELIVERED, SendStatus.OPENED)
_OUTCOMES = (*_REACHED, SendStatus.BOUNCED)
RECOVERY_HISTORY = timedelta(days=365)
# The newest clearances counted: plenty for the odds, and it bounds the page's cost for a large organization.
RECOVERY_CLEARANCES = 10_000


class CampaignLearnerPages(LearnerPages):
    def activity_counts(self, learner) -> dict:
        return {
            "sends": count_of(Send.objects.filter(learner=learner)),
            "engagement": count_of(EngagementEvent.objects.filter(learner=learner)),
            "bounces": count_of(BounceEvent.objects.filter(learner=learner)),
        }

    def activity(self, learner, limit: int, position=None) -> list[ActivityEntry]:
        # Sends page on created_at (send_learner_created) and show when they went out.
        sends = older_than(
            Send.objects.filter(learner=learner).select_related("run__campaign"), "created_at", "send", position
        )
        entries = [ActivityEntry("send", s.sent_at or s.created_at, s, key_at=s.created_at) for s in sends[:limit]]
        # Opens and clicks, people's and machines' alike, each labelled (contacts/_activity_engagement.html).
        engagement = EngagementEvent.objects.filter(learner=learner).select_related("send__run__campaign")
        engagement = older_than(engagement, "occurred_at", "engagement", position)
        entries += [ActivityEntry("engagement", e.occurred_at, e) for e in engagement[:limit]]
        # Never load the raw inbound message here: it may be megabytes; the page links to it by id.
        events = BounceEvent.objects.filter(learner=learner).select_related("send__run__campaign")
        entries += [
            ActivityEntry("bounce", e.occurred_at, e)
            for e in older_than(events, "occurred_at", "bounce", position)[:limit]
        ]
        return entries

    def status_event(self, learner):
        if learner.status_event_id is None:
            return None
        # The id is a plain column (contacts holds no foreign key into campaigns): an event deleted since is None.
        return BounceEvent.objects.filter(pk=learner.status_event_id, organization_id=learner.organization_id).first()

    def recovery_counts(self, *, organization_ids, vias) -> dict[str, tuple[int, int]]:
        """One query: the latest clearances of the last year, each with the learner's first send after it
        that has an outcome (an index probe on send_learner_created per clearance, evaluated once)."""
        next_outcome = (
            Send.objects.filter(
                learner_id=OuterRef("learner_id"), created_at__gt=OuterRef("created_at"), status__in=_OUTCOMES
            )
            .order_by("created_at", "pk")
            .values("status")[:1]
        )
        rows = (
            Clearance.objects.filter(
                organization_id__in=organization_ids,
                via__in=vias,
                previous_status=DeliverabilityStatus.BOUNCED,
                created_at__gte=timezone.now() - RECOVERY_HISTORY,
            )
            .exclude(previous_subtype="")
            .order_by("-created_at")
            .annotate(next_status=Subquery(next_outcome))
            .values_list("previous_subtype", "next_status")[:RECOVERY_CLEARANCES]
        )
        counts: dict[str, tuple[int, int]] = {}
        for subtype, status in rows:
            if status is not None:
                delivered, sample = counts.get(subtype, (0, 0))
                counts[subtype] = (delivered + (status in _REACHED), sample + 1)
        return counts

    def filters(self, organization) -> dict:
        campaigns = Campaign.objects.filter(organization=organization) if organization else Campaign.objects.none()
        return {
            "campaign": django_filters.ModelChoiceFilter(
                queryset=campaigns.order_by("-created_at"),
                method=_sent_campaign,
                label=_("Campaign"),
                empty_label=_("Any campaign"),
            )
        }
