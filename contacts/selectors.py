"""Read-only learner queries shared by the learner list, the profile and the dashboards."""

from django.db.models import Q
from django.utils import timezone

from contacts.choices import DeliverabilityStatus, MemberRole
from contacts.models import Membership


def near_threshold_floor(threshold: int) -> int:
    """Return the soft-bounce count from which a learner counts as near ``threshold``.

    "Near" is the last fifth of the way (at least the last two bounces), so the
    dashboard warns before the policy suppresses.
    """
    return max(1, threshold - max(2, threshold // 5))


def near_threshold_q(policy, now=None) -> Q:
    """Active learners whose consecutive soft bounces are near their (engaged or not) threshold."""
    engaged = Q(last_engaged_at__gte=policy.engaged_since(now or timezone.now()))
    lowest = min(
        near_threshold_floor(policy.soft_threshold_engaged), near_threshold_floor(policy.soft_threshold_unengaged)
    )
    # The explicit lower bound lets an index on the soft count skip everyone further away.
    return Q(status=DeliverabilityStatus.ACTIVE, soft_bounce_count__gte=lowest) & (
        (engaged & Q(soft_bounce_count__gte=near_threshold_floor(policy.soft_threshold_engaged)))
        | (~engaged & Q(soft_bounce_count__gte=near_threshold_floor(policy.soft_threshold_unengaged)))
    )


def repeat_bouncer_q() -> Q:
    """Learners bounced again after somebody cleared them before."""
    return Q(status=DeliverabilityStatus.BOUNCED, times_cleared__gt=0)


def engaged_q(policy, now=None) -> Q:
    return Q(last_engaged_at__gte=policy.engaged_since(now or timezone.now()))


def search_q(text: str) -> Q:
    """Learners whose address (or, unless ``text`` has an ``@``, name) contains ``text``; everyone when blank."""
    text = text.strip()
    if not text:
        return Q()
    if "@" in text:
        return Q(email__icontains=text)
    return Q(email__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)


def normalized_domain(text: str) -> str:
    """The domain as ``Learner.email_domain`` stores it: no leading ``@``, lower case."""
    return text.strip().lstrip("@").lower()


def domain_q(text: str) -> Q:
    """Learners whose address is at ``text`` (``@example.com`` or ``Example.com`` alike); everyone when blank."""
    domain = normalized_domain(text)
    return Q(email_domain=domain) if domain else Q()


def admin_emails_for(organization_id: int) -> list[str]:
    """The email addresses of the organization's admins (those notifications go to)."""
    return list(
        Membership.objects.filter(organization_id=organization_id, role=MemberRole.ADMIN)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
