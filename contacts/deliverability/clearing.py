"""Where a learner's bounce status is cleared, and the one writer of Clearance audit rows.

Every clear — a portal admin's acknowledgement, a bulk clear (portal, admin,
address list), an email change, an open or click, a re-classification — goes
through ``insert_clearances`` inside the transaction that resets the learner,
so each Clearance snapshots the state it replaced and names its actor and
channel (STYLE rules 1, 2 and 16).
"""

from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext

from bounceportal.db import pk_in, sql_names
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.models import Clearance, Learner
from contacts.webhook_models import WebhookEventType
from contacts.webhooks.events import record_cleared, record_learner_events


class LearnerStateError(Exception):
    """A requested state change does not apply to this learner; the message says why."""


def cleared_fields(now) -> dict:
    """The learner fields a clearance resets (one definition for every way of clearing)."""
    return {
        "status": DeliverabilityStatus.ACTIVE,
        "status_reason": "",
        "status_since": now,
        "status_event_id": None,
        "soft_bounce_count": 0,
        "retry_at": None,
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


def insert_clearances(
    learners: QuerySet, *, cleared_by, via: str, note: str, now, previous_email: bool = False
) -> None:
    """INSERT one Clearance per learner of ``learners``, copying its current state in SQL.

    Package-internal: callers lock the rows and reset them right after, in the
    same transaction. ``previous_email`` copies the address too (an email change
    calls this before saving the new one). One statement whatever the count: no
    model instance per row, which is what keeps a 100,000-learner clear fast.
    """
    constant = {
        "cleared_by": Value(getattr(cleared_by, "pk", cleared_by), output_field=models.BigIntegerField()),
        "via": Value(via, output_field=models.CharField()),
        "created_at": Value(now, output_field=models.DateTimeField()),
        "note": Value(note, output_field=models.TextField()),
    }
    select = learners.values_list(
        "organization_id",
        "pk",
        constant["cleared_by"],
        constant["via"],
        constant["created_at"],
        *_SNAPSHOT_FIELDS,
        "email" if previous_email else Value("", output_field=models.CharField()),
        constant["note"],
    )
    sql, params = select.query.sql_with_params()
    connection = connections[learners.db]
    names = sql_names(Clearance, connection)
    columns = ", ".join(getattr(names, name) for name in _CLEARANCE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {names.table} ({columns}) {sql}", params)


def clear_bounce_statuses(*, learners: QuerySet, cleared_by, via: str, note: str = "", now=None) -> int:
    """Clear every bounced learner in ``learners``; return how many were cleared.

    Set-based so that a support bulk action over 100,000 learners runs in a few
    statements: lock the bounced rows in id order, copy them into one Clearance
    each with INSERT … SELECT, then reset them with one UPDATE. Learners that are
    not bounced are left alone.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        bounced = Learner.objects.filter(pk__in=learners.values("pk"), status=DeliverabilityStatus.BOUNCED)
        locked_ids = list(bounced.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not locked_ids:
            return 0
        # Only the locked rows: a learner bounced meanwhile by another transaction is not in the snapshot.
        locked = Learner.objects.filter(pk_in(locked_ids)).order_by()
        insert_clearances(locked, cleared_by=cleared_by, via=via, note=note, now=now)
        locked.update(times_cleared=F("times_cleared") + 1, **cleared_fields(now))
        record_cleared(locked, via=via, now=now)
    return len(locked_ids)


def clear_bounce_status(
    *, learner: Learner, cleared_by, via: str = ClearedVia.PORTAL, note: str = "", now=None
) -> Clearance:
    """Clear one learner's bounce status and return its Clearance; raise LearnerStateError if not bounced."""
    with transaction.atomic():
        cleared = clear_bounce_statuses(
            learners=Learner.objects.filter(pk=learner.pk), cleared_by=cleared_by, via=via, note=note, now=now
        )
        if not cleared:
            raise LearnerStateError(
                gettext("%(email)s is not bounced, so there is nothing to clear.") % {"email": learner.email}
            )
        learner.refresh_from_db()
        return learner.clearances.select_related("cleared_by").latest("created_at", "pk")


def change_learner_email(*, learner: Learner, new_email: str, changed_by, note: str = "", now=None) -> Learner:
    """Change the learner's address and return the saved learner.

    A bounced learner is cleared (audited, ``via=email_change``) because the
    bounce belonged to the old address; a change of letter case only is the same
    address and clears nothing. Raise LearnerStateError on a duplicate address.
    """
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
            raise LearnerStateError(
                gettext("Another learner in this organization already uses %(email)s.") % {"email": new_email}
            )
        fields: dict = {"email": new_email}
        if locked.email.lower() == new_email.lower():  # the same address spelled differently: nothing to clear
            pass
        elif locked.status == DeliverabilityStatus.BOUNCED:
            insert_clearances(
                Learner.objects.filter(pk=locked.pk),
                cleared_by=changed_by,
                via=ClearedVia.EMAIL_CHANGE,
                note=note,
                now=now,
                previous_email=True,
            )
            fields.update(cleared_fields(now), times_cleared=locked.times_cleared + 1)
        elif locked.soft_bounce_count:
            fields["soft_bounce_count"] = 0
        for name, value in fields.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=[*fields])
        except IntegrityError:  # a concurrent insert won the race for the address
            raise LearnerStateError(
                gettext("Another learner in this organization already uses %(email)s.") % {"email": new_email}
            ) from None
        if "times_cleared" in fields:
            record_learner_events([locked], WebhookEventType.LEARNER_CLEARED, now=now, via=ClearedVia.EMAIL_CHANGE)
    return locked
