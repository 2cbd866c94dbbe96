"""State changes of learners that belong to the contacts app: clearing and email changes.

Every function here is atomic, locks the learner rows it changes and writes a
Clearance audit row in the same transaction (STYLE rules 1–2).
"""

from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, QuerySet, Value
from django.utils import timezone

from bounceportal.db import concrete_fields, pk_in, sql_names
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.models import AutomationRule, BouncePolicy, Clearance, Learner, Organization


class LearnerStateError(Exception):
    """A requested state change does not apply to this learner; the message says why."""


def _cleared_fields(now) -> dict:
    """The learner fields a clearance resets (one definition for every way of clearing)."""
    return {
        "status": DeliverabilityStatus.ACTIVE,
        "status_reason": "",
        "status_since": now,
        "status_event": None,
        "soft_bounce_count": 0,
    }


# The learner columns each Clearance copies, in the order of _CLEARANCE_COLUMNS' previous_* part.
_SNAPSHOT_FIELDS = ("status", "status_reason", "last_bounce_category", "last_bounce_subtype", "soft_bounce_count")
_CLEARANCE_COLUMNS = (
    "organization",
    "learner",
    "cleared_by",
    "via",
    "created_at",
    "previous_status",
    "previous_reason",
    "previous_category",
    "previous_subtype",
    "previous_soft_bounce_count",
    "previous_email",
    "note",
)


def clear_bounce_statuses(*, learners: QuerySet, cleared_by, via: str, note: str = "", now=None) -> int:
    """Clear every bounced learner in ``learners``; return how many were cleared.

    Set-based so that a support bulk action over 100,000 learners runs in a few
    statements: lock the bounced rows, copy them into one Clearance each with
    INSERT … SELECT (no model instance per row), then reset them with one UPDATE.
    Learners that are not bounced are left alone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        bounced = Learner.objects.filter(pk__in=learners.values("pk"), status=DeliverabilityStatus.BOUNCED)
        locked_ids = list(bounced.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not locked_ids:
            return 0
        # Only the locked rows: a learner bounced meanwhile by another transaction is not in the snapshot.
        locked = Learner.objects.filter(pk_in(locked_ids)).order_by()
        _insert_clearances(locked, cleared_by=cleared_by, via=via, note=note, now=now)
        locked.update(times_cleared=F("times_cleared") + 1, **_cleared_fields(now))
    return len(locked_ids)


def _insert_clearances(learners: QuerySet, *, cleared_by, via: str, note: str, now) -> None:
    """INSERT one Clearance per learner of ``learners``, copying its state in SQL."""
    constant = {
        "cleared_by": Value(getattr(cleared_by, "pk", cleared_by), output_field=models.BigIntegerField()),
        "via": Value(via, output_field=models.CharField()),
        "created_at": Value(now, output_field=models.DateTimeField()),
        "previous_email": Value("", output_field=models.CharField()),
        "note": Value(note, output_field=models.TextField()),
    }
    select = learners.values_list(
        "organization_id",
        "pk",
        constant["cleared_by"],
        constant["via"],
        constant["created_at"],
        *_SNAPSHOT_FIELDS,
        constant["previous_email"],
        constant["note"],
    )
    sql, params = select.query.sql_with_params()
    connection = connections[learners.db]
    names = sql_names(Clearance, connection)
    columns = ", ".join(getattr(names, field.name) for field in concrete_fields(Clearance, _CLEARANCE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {names.table} ({columns}) {sql}", params)


def clear_bounce_status(
    *, learner: Learner, cleared_by, via: str = ClearedVia.PORTAL, note: str = "", now=None
) -> Clearance:
    """Clear one learner's bounce status and return its Clearance; raise if not bounced."""
    with transaction.atomic():
        cleared = clear_bounce_statuses(
            learners=Learner.objects.filter(pk=learner.pk),
            cleared_by=cleared_by,
            via=via,
            note=note,
            now=now,
        )
        if not cleared:
            raise LearnerStateError(f"{learner.email} is not bounced, so there is nothing to clear.")
        learner.refresh_from_db()
        return learner.clearances.select_related("cleared_by").latest("created_at", "id")


def change_learner_email(*, learner: Learner, new_email: str, changed_by, note: str = "", now=None) -> Learner:
    """Change the learner's address; a bounced learner is cleared (audited) because the
    bounce belonged to the old address (a change of letter case only is the same address and
    clears nothing). Raise LearnerStateError on a duplicate address."""
    now = now or timezone.now()
    new_email = new_email.strip()
    with transaction.atomic():
        locked = Learner.objects.select_for_update().get(pk=learner.pk)
        if locked.email == new_email:
            return locked
        duplicate = (
            Learner.objects.filter(organization_id=locked.organization_id, email__iexact=new_email)
            .exclude(pk=locked.pk)
            .exists()
        )
        if duplicate:
            raise LearnerStateError(f"Another learner in this organization already uses {new_email}.")
        previous_email = locked.email
        fields: dict[str, object] = {"email": new_email}
        if previous_email.lower() == new_email.lower():  # the same address spelled differently: nothing to clear
            pass
        elif locked.status == DeliverabilityStatus.BOUNCED:
            Clearance.objects.create(
                organization_id=locked.organization_id,
                learner=locked,
                cleared_by=changed_by,
                via=ClearedVia.EMAIL_CHANGE,
                created_at=now,
                previous_status=locked.status,
                previous_reason=locked.status_reason,
                previous_category=locked.last_bounce_category,
                previous_subtype=locked.last_bounce_subtype,
                previous_soft_bounce_count=locked.soft_bounce_count,
                previous_email=previous_email,
                note=note,
            )
            fields.update(_cleared_fields(now), times_cleared=locked.times_cleared + 1)
        elif locked.soft_bounce_count:
            fields["soft_bounce_count"] = 0
        for name, value in fields.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=[*fields])
        except IntegrityError:  # a concurrent insert won the race for the address
            raise LearnerStateError(f"Another learner in this organization already uses {new_email}.") from None
    return locked


def create_organization(*, name: str, slug: str) -> Organization:
    """Create an organization together with its default bounce policy."""
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug)
        BouncePolicy.objects.create(organization=organization)
    return organization


def policy_for(organization_id: int) -> BouncePolicy:
    """Return the organization's bounce policy, creating the defaults if it has none."""
    policy, _created = BouncePolicy.objects.get_or_create(organization_id=organization_id)
    return policy


def update_learner_details(*, learner: Learner, first_name: str, last_name: str, department: str) -> Learner:
    """Save the learner's name and department (not the address: see change_learner_email)."""
    learner.first_name, learner.last_name, learner.department = first_name, last_name, department
    learner.save(update_fields=["first_name", "last_name", "department"])
    return learner


def update_bounce_policy(*, policy: BouncePolicy, changes: dict) -> BouncePolicy:
    """Save validated policy settings (thresholds, windows, switches) on the organization's policy."""
    with transaction.atomic():
        for name, value in changes.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save(update_fields=[*changes])
    return policy


def add_automation_rule(
    *, organization: Organization, category: str, subtype: str, action: str, tag: str = ""
) -> AutomationRule:
    """Add an email status automation rule; the policy service applies it to the next events."""
    with transaction.atomic():
        return AutomationRule.objects.create(
            organization=organization, category=category, subtype=subtype or "", action=action, tag=tag.strip()
        )


def set_automation_rule_enabled(*, rule: AutomationRule, enabled: bool) -> AutomationRule:
    rule.enabled = enabled
    rule.save(update_fields=["enabled"])
    return rule


def remove_automation_rule(*, rule: AutomationRule) -> None:
    rule.delete()
