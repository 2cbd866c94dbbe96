"""Locking learners: always in id order, always before any row of another table."""

from django.db.models import Exists, OuterRef, Q

from bounceportal.db import pk_in
from bounceportal.query_by_ids import QueryByIds
from contacts.models import AutomationRule, BouncePolicy, Learner, NeverSuppress, Organization
from contacts.webhook_models import WebhookSubscription


def lock_learners_in_order(learner_ids) -> None:
    """Lock these learner rows in id order, before any send row, in the caller's transaction.

    Every writer that touches learners and sends together (the policy, ingestion,
    the sending write-back, re-classify) takes learners first and in id order, so
    two of them can wait for each other but never deadlock.
    """
    ids = sorted({learner_id for learner_id in learner_ids if learner_id})
    if ids:  # one array parameter: a placeholder per id costs more in Python than the lock itself
        list(Learner.objects.select_for_update().filter(pk_in(ids)).order_by("pk").values_list("pk", flat=True))


def lock_learners_with_policy(learner_ids) -> dict[int, Learner]:
    """Lock the learners (in id order) and return them by id, each with its organization's policy and
    ``organization_has_rules`` / ``organization_has_never_suppress`` / ``organization_has_webhooks``
    (whether there is anything to read)."""
    ids = {learner_id for learner_id in learner_ids if learner_id}
    if not ids:
        return {}
    return {learner.pk: learner for learner in _LOCKED_WITH_POLICY(ids)}


def _learners_with_policy(ids_q: Q):
    # Whether the organization has automation rules or never-suppress entries at all comes with the
    # lock: most have neither, and then applying a bounce reads nothing more (two queries fewer per batch);
    # likewise an active webhook subscription, without which a status change records no event.
    of_organization = {"organization_id": OuterRef("organization_id")}
    return (
        Learner.objects.select_related("organization__bounce_policy")
        .defer(*_ORGANIZATION_UNREAD)
        .select_for_update(of=("self",))
        .annotate(
            organization_has_rules=Exists(AutomationRule.objects.filter(**of_organization, enabled=True)),
            organization_has_never_suppress=Exists(NeverSuppress.objects.current().filter(**of_organization)),
            organization_has_webhooks=Exists(WebhookSubscription.objects.active().filter(**of_organization)),
        )
        .filter(ids_q)
        .order_by("pk")
    )


# The organization is joined only to reach its policy: its own columns are not read (on a batch of 100
# learners, 100 copies of the same organization's name, slug, time zone and creation time to build).
_ORGANIZATION_UNREAD = [
    f"organization__{field.name}" for field in Organization._meta.concrete_fields if not field.primary_key
]

# Built and compiled once: on a one-event transaction that cost more than the lock itself. The learners of
# one organization share its instance and its policy's (built once per batch, not once per learner).
_LOCKED_WITH_POLICY = QueryByIds(_learners_with_policy, share_related=True)


def policy_of(learner: Learner) -> BouncePolicy:
    """The learner's organization's policy (the defaults are created if it has none, and kept on the
    organization's instance, which the learners of one lock share on PostgreSQL: created once per batch)."""
    organization = learner.organization
    try:
        return organization.bounce_policy
    except BouncePolicy.DoesNotExist:
        policy = BouncePolicy.objects.get_or_create(organization_id=learner.organization_id)[0]
        organization.bounce_policy = policy
        return policy


def rules_by_organization(organization_ids) -> dict[int, list[AutomationRule]]:
    """The enabled automation rules of these organizations, by organization id."""
    rules: dict[int, list[AutomationRule]] = {}
    if not organization_ids:
        return rules
    for rule in AutomationRule.objects.filter(organization_id__in=organization_ids, enabled=True):
        rules.setdefault(rule.organization_id, []).append(rule)
    return rules
