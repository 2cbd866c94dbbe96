"""Deliveries, opens and clicks: proof that an address works.

A delivery resets the consecutive soft-bounce count and the soft suppressions in
a row (the next soft suppression waits the first period again). An open or a click makes
the learner engaged, resets the count, removes the auto-reply flag and, when
the learner was bounced, clears the bounce (a Clearance ``via=open`` with no
user: the learner's own mail program is the witness). Callers pass people's
opens and clicks only: a link scanner's (``machine``) proves nothing about the
learner and never comes here. ``correct_last_click`` takes back the click
date of clicks found to be a scanner's after they were counted.
"""

from collections.abc import Collection

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bounceportal.db import pk_in
from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.deliverability.clearing import cleared_fields, insert_clearances
from contacts.deliverability.facts import EngagementResult
from contacts.models import Learner
from contacts.webhooks.events import record_cleared

_OPEN_NOTE = "Opened a message, so the address works."
_CLICK_NOTE = "Clicked a link in a message, so the address works."


def record_deliveries(*, learner_ids, now=None, locked: Collection[int] = ()) -> int:
    """Reset the consecutive soft-bounce count of these learners (a DSN said delivered); return how many had one.

    Learners whose counts are zero already are not written (most deliveries are of such learners,
    and a row rewritten to the same values still costs a new row version). ``locked``: ids of learners
    the caller's transaction has locked already (``lock_learners_with_policy``); when it holds them
    all, they are not locked again.
    """
    ids = sorted({learner_id for learner_id in learner_ids if learner_id})
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        if len(ids) > 1 and not set(ids) <= set(locked):  # one UPDATE locks in scan order: id order first
            list(Learner.objects.select_for_update().filter(pk_in(ids)).order_by("pk").values_list("pk", flat=True))
        counted = Q(soft_bounce_count__gt=0) | Q(soft_suppressions__gt=0)
        return Learner.objects.filter(pk_in(ids), counted).update(soft_bounce_count=0, soft_suppressions=0)


def record_open(*, learner_id: int, now=None) -> EngagementResult:
    """Record that the learner opened a message; return whether that cleared a bounce."""
    return _record_engagement(learner_id, now or timezone.now(), clicked=False)


def record_click(*, learner_id: int, now=None) -> EngagementResult:
    """Record that the learner clicked a link in a message; return whether that cleared a bounce."""
    return _record_engagement(learner_id, now or timezone.now(), clicked=True)


def _record_engagement(learner_id: int, now, *, clicked: bool) -> EngagementResult:
    with transaction.atomic(savepoint=False):
        learner = Learner.objects.select_for_update().only("pk", "status", "times_cleared").get(pk=learner_id)
        fields = {"last_engaged_at": now, "soft_bounce_count": 0, "soft_suppressions": 0, "auto_replied_at": None}
        fields["last_clicked_at" if clicked else "last_opened_at"] = now
        cleared = learner.status == DeliverabilityStatus.BOUNCED
        if cleared:
            note = _CLICK_NOTE if clicked else _OPEN_NOTE
            insert_clearances(
                Learner.objects.filter(pk=learner_id), cleared_by=None, via=ClearedVia.OPEN, note=note, now=now
            )
            fields.update(cleared_fields(now), times_cleared=learner.times_cleared + 1)
        Learner.objects.filter(pk=learner_id).update(**fields)
        if cleared:
            record_cleared(Learner.objects.filter(pk=learner_id), via=ClearedVia.OPEN, now=now)
    return EngagementResult(learner_id=learner_id, cleared=cleared)


def correct_last_click(*, learner_id: int, last_clicked_at) -> None:
    """Set the learner's last click to ``last_clicked_at`` (None: no person's click left), and the
    last engagement to the later of it and the last open: clicks found to be a scanner's are taken back."""
    with transaction.atomic(savepoint=False):
        learner = Learner.objects.select_for_update().only("pk", "last_opened_at").get(pk=learner_id)
        dates = [date for date in (learner.last_opened_at, last_clicked_at) if date is not None]
        Learner.objects.filter(pk=learner_id).update(
            last_clicked_at=last_clicked_at, last_engaged_at=max(dates) if dates else None
        )
