"""The summary counters the writes keep equal a recount from the sends and events, whatever happened."""

import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from campaigns import bounce_generator as gen
from campaigns.counters import counted_days, counted_runs, counts_for_run
from campaigns.models import InboundMessage, OrgDayCounter, RunCounter, Send, SendStatus
from campaigns.services import inbound
from campaigns.services.engagement import Hit, record_open
from campaigns.services.ingestion import poll_mailbox_once, reclassify_messages
from campaigns.services.sending import create_run, launch_run
from contacts.deliverability import change_learner_email, clear_bounce_status
from contacts.learner_counters import counted_learner_days, counted_learners
from contacts.models import Learner, LearnerCounter, LearnerDayCounter
from tests.campaigns.conftest import drop, original_of
from tests.campaigns.test_reclassify import old_classifier_says
from tests.factories import BounceEventFactory, CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db

KINDS = ["postfix_hard", "postfix_soft", "postfix_block", "exim_soft", "exchange_hard", "auto_reply", "arf_complaint"]
DOMAINS = ["alpha.example", "beta.example", "gamma.example"]


def kept_counters() -> tuple[dict, dict]:
    """What the triggers kept: (run id -> counts, (organization, day) -> counts), shards summed."""
    runs: dict = {}
    for run_id, key, n in (
        RunCounter.objects.exclude(key__in=("attempted", "hard", "complaint"))
        .exclude(key__startswith="block:")
        .values_list("run_id", "key")
        .annotate(n=Sum("count"))
    ):
        if n:
            runs.setdefault(run_id, Counter())[key] = n
    days: dict = {}
    for org, day, key, n in OrgDayCounter.objects.values_list("organization_id", "day", "key").annotate(n=Sum("count")):
        if n:
            days.setdefault((org, day), Counter())[key] = n
    return runs, days


def kept_learner_counters() -> dict:
    """What the learner triggers kept: organization id -> counts, shards summed."""
    kept: dict = {}
    for org, key, n in LearnerCounter.objects.values_list("organization_id", "key").annotate(n=Sum("count")):
        if n:
            kept.setdefault(org, Counter())[key] = n
    return kept


def kept_learner_days() -> dict:
    """What the learner day triggers kept: (organization id, day) -> counts, shards summed."""
    kept: dict = {}
    rows = LearnerDayCounter.objects.values_list("organization_id", "day", "key").annotate(n=Sum("count"))
    for org, day, key, n in rows:
        if n:
            kept.setdefault((org, day), Counter())[key] = n
    return kept


def launch(campaign, capture):
    with capture(execute=True):
        return launch_run(run=create_run(campaign=campaign))


def bounce_some(rng, mailbox, maildir, sends, share):
    for send in sends:
        if rng.random() < share:
            drop(maildir, gen.build(rng.choice(KINDS), original_of(send), rng))
    poll_mailbox_once(mailbox=mailbox)


def reclassify_as(monkeypatch, reason, messages, user):
    """Re-classify ``messages`` with a classifier that reads every recipient as ``reason``."""
    real = old_classifier_says(monkeypatch, reason)
    reclassify_messages(messages=messages, reclassified_by=user)
    monkeypatch.setattr(inbound.classifier, "classify", real)


@pytest.mark.postgres  # the triggers that keep the counters are PostgreSQL's
def test_counters_kept_by_a_random_workload_equal_the_rebuild(
    org, maildir_mailbox, maildir, smtp_sink, monkeypatch, cx_user, django_capture_on_commit_callbacks
):
    rng = random.Random(16)
    learners = [LearnerFactory(organization=org, email=f"l{i}@{rng.choice(DOMAINS)}") for i in range(40)]
    for learner in rng.sample(learners, 4):
        smtp_sink.reply_to(learner.email, "550 5.1.1 User unknown")
    for learner in rng.sample(learners, 3):
        smtp_sink.reply_to(learner.email, "451 4.7.1 Greylisted, try again later", times=1)
    campaigns = [CampaignFactory(organization=org), CampaignFactory(organization=org)]

    for round_number in range(3):
        run = launch(rng.choice(campaigns), django_capture_on_commit_callbacks)
        sends = list(Send.objects.filter(run=run, status=SendStatus.SENT).select_related("run__campaign"))
        for send in rng.sample(sends, min(3, len(sends))):  # opened, then perhaps bounced below
            record_open(send=send)
        bounce_some(rng, maildir_mailbox, maildir, sends, share=0.5)
        for send in rng.sample(sends, min(6, len(sends))):
            send.refresh_from_db()
            # A person's open (of a bounced send too: it is opened again) or a link scanner's HEAD request.
            record_open(send=send, hit=Hit(method="HEAD") if rng.random() < 0.5 else None)
        stored = list(InboundMessage.objects.filter(mailbox=maildir_mailbox).order_by("?")[:6])
        reclassify_as(
            monkeypatch,
            rng.choice(["userunknown", "mailboxfull", "spamdetected", "virusdetected"]),
            InboundMessage.objects.filter(pk__in=[m.pk for m in stored]),
            cx_user,
        )
        for learner in Learner.objects.filter(organization=org, status="bounced").order_by("pk")[:3]:
            clear_bounce_status(learner=learner, cleared_by=cx_user, note=f"round {round_number}")
        for learner in rng.sample(learners, 2):
            learner.refresh_from_db()
            change_learner_email(
                learner=learner, new_email=f"moved{round_number}.{learner.pk}@{rng.choice(DOMAINS)}", changed_by=cx_user
            )

    LearnerFactory(organization=org, email="late@alpha.example")
    LearnerFactory(organization=org, email="gone@beta.example").delete()

    (kept_runs, kept_days), kept_learners, kept_bounced = kept_counters(), kept_learner_counters(), kept_learner_days()
    call_command("rebuild_counters", verbosity=0)
    (rebuilt_runs, rebuilt_days), rebuilt_learners = kept_counters(), kept_learner_counters()
    rebuilt_bounced = kept_learner_days()

    assert kept_runs == rebuilt_runs == counted_runs()
    assert kept_days == rebuilt_days == counted_days()
    assert kept_learners == rebuilt_learners == counted_learners()
    assert kept_learners[org.pk]["status:bounced"] and kept_learners[org.pk]["status:active"]
    assert kept_bounced == rebuilt_bounced == counted_learner_days()
    bounced = sum(kept_bounced.values(), Counter())
    assert any(key.startswith("hard:") for key in bounced) and any(key.startswith("cat:soft:") for key in bounced)
    everything = sum(kept_runs.values(), Counter())
    # The workload reached every family of keys, so the equality above says something about each.
    assert everything["status:bounced"] and everything["status:sent"] and everything["opened"]
    assert everything["opened_after_bounce"] and everything["machine:open"]
    assert everything["cat:hard"] and everything["cat:soft"] and everything["cat:block"]
    assert any(key.startswith("block.domain:") for key in everything)
    assert any(key.startswith("content:") for key in everything)
    assert any(key.startswith("ev:") for counts in kept_days.values() for key in counts)


@pytest.mark.postgres
def test_a_write_counts_in_its_own_transaction_and_a_rolled_back_one_not_at_all(org):
    from django.db import transaction

    from tests.factories import CampaignRunFactory, SendFactory

    run = CampaignRunFactory(campaign=CampaignFactory(organization=org))
    send = SendFactory(run=run, organization=org, status=SendStatus.SCHEDULED)
    with pytest.raises(RuntimeError), transaction.atomic():
        Send.objects.filter(pk=send.pk).update(status=SendStatus.SENT)
        assert counts_for_run(run.pk)["status:sent"] == 1  # seen inside the transaction
        raise RuntimeError("rolled back")

    assert counts_for_run(run.pk) == Counter({"status:scheduled": 1})


@pytest.mark.postgres
def test_days_are_the_organizations_own_and_are_recounted_when_its_zone_changes(org):
    from datetime import UTC, date, datetime

    from contacts.services import update_sending_settings
    from tests.factories import BounceEventFactory

    # 20:30 UTC on 1 March is already 2 March in Tokyo.
    BounceEventFactory(send__run__campaign__organization=org, occurred_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC))
    assert {day for (_org, day) in kept_counters()[1]} == {date(2026, 3, 1)}

    update_sending_settings(organization=org, changes={"time_zone": "Asia/Tokyo"})

    assert {day for (_org, day) in kept_counters()[1]} == {date(2026, 3, 2)}
    BounceEventFactory(send__run__campaign__organization=org, occurred_at=datetime(2026, 3, 1, 14, 0, tzinfo=UTC))
    assert kept_counters()[1] == counted_days()
    assert {day for (_org, day) in counted_days()} == {date(2026, 3, 1), date(2026, 3, 2)}


@pytest.mark.postgres
def test_one_statement_over_many_rows_counts_exactly_the_rows_whose_counted_columns_changed(org):
    """The UPDATE triggers pair each row's old and new values (migration 0025): a statement that
    changes some rows' counted columns, and only other columns of the rest, counts the former alone."""
    from django.db.models import Case, F, Value, When
    from django.utils import timezone

    from bounceportal.audit import retention_path
    from campaigns.models import BounceEvent
    from tests.factories import BLOCK, CampaignRunFactory, SendFactory

    run = CampaignRunFactory(campaign=CampaignFactory(organization=org))
    sends = [SendFactory(run=run, organization=org, status=SendStatus.SENT) for _ in range(30)]
    events = [BounceEventFactory(send=send, **(BLOCK if i % 2 else {})) for i, send in enumerate(sends[:20])]
    before = counts_for_run(run.pk)
    now = timezone.now()

    # Ten sends bounce, twenty only get a new timestamp (their status written back unchanged).
    bounced = [s.pk for s in sends[:10]]
    Send.objects.filter(run=run).update(
        status=Case(When(pk__in=bounced, then=Value(SendStatus.BOUNCED)), default=F("status")), status_changed_at=now
    )
    # Seven events superseded, the other thirteen get an outcome in the same statement.
    superseded = [e.pk for e in events[:7]]
    BounceEvent.objects.filter(pk__in=[e.pk for e in events]).update(
        superseded_at=Case(When(pk__in=superseded, then=Value(now)), default=None), outcome="counted", applied_at=now
    )
    # Three of the current events lose their send (what erasing a learner does), with the rest rewritten as they were.
    with retention_path():
        BounceEvent.objects.filter(pk__in=[e.pk for e in events[7:]]).update(
            send=Case(When(pk__in=[e.pk for e in events[7:10]], then=None), default=F("send"))
        )

    kept = counts_for_run(run.pk)
    assert kept == counted_runs([run.pk])[run.pk]
    assert kept_counters()[1] == counted_days()
    assert (kept["status:sent"], kept["status:bounced"]) == (20, 10)
    assert before["cat:hard"] + before["cat:block"] == 20
    assert kept["cat:hard"] + kept["cat:block"] == 10  # 20 - 7 superseded - 3 without a send


@pytest.mark.postgres
def test_a_change_counts_after_an_outcome_write_in_its_transaction_and_after_a_rolled_back_savepoint(org):
    """The event and learner UPDATE triggers skip a transaction until a row changes a counted column
    (0027 and contacts 0025): an outcome write first, and a change marked then rolled back with its
    savepoint, must not make them miss what comes after."""
    from django.db import transaction
    from django.utils import timezone

    from campaigns.models import BounceEvent
    from contacts.choices import DeliverabilityStatus
    from tests.factories import CampaignRunFactory, SendFactory

    run = CampaignRunFactory(campaign=CampaignFactory(organization=org))
    first, second = (SendFactory(run=run, organization=org, status=SendStatus.SENT) for _ in range(2))
    event, other = BounceEventFactory(send=first), BounceEventFactory(send=second)
    now = timezone.now()

    with transaction.atomic():
        BounceEvent.objects.filter(pk=event.pk).update(outcome="counted", applied_at=now)  # counts nothing
        Learner.objects.filter(pk=first.learner_id).update(soft_bounce_count=2)  # neither
        with pytest.raises(RuntimeError), transaction.atomic():
            BounceEvent.objects.filter(pk=other.pk).update(superseded_at=now)
            Learner.objects.filter(pk=second.learner_id).update(status=DeliverabilityStatus.BOUNCED)
            raise RuntimeError("the savepoint goes, with its mark")
        BounceEvent.objects.filter(pk=event.pk).update(superseded_at=now)
        Learner.objects.filter(pk=first.learner_id).update(status=DeliverabilityStatus.UNSUBSCRIBED)

    kept = counts_for_run(run.pk)
    assert kept == counted_runs([run.pk])[run.pk]
    assert kept_counters()[1] == counted_days()
    assert kept_learner_counters()[org.pk] == counted_learners(org.pk)[org.pk]
    assert kept_learner_counters()[org.pk]["status:unsubscribed"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_counts_in_a_shard_no_other_open_transaction_holds(org):
    """Two workers whose connections have the same home shard (pid % 8) do not take turns at the counter rows:
    while another transaction writes the run's and the organization's counters in this connection's home
    shard, this one counts in another shard without waiting for it."""
    from django.db import connection, transaction

    from tests.factories import CampaignRunFactory, SendFactory

    run = CampaignRunFactory(campaign=CampaignFactory(organization=org))
    send = SendFactory(run=run, organization=org, status=SendStatus.SCHEDULED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() % 8")
        (home,) = cursor.fetchone()
    other = connection.get_new_connection(connection.get_connection_params())  # its own transaction
    try:  # the other writer holds the home shard's lock and rows, uncommitted
        other.execute("SELECT pg_advisory_xact_lock(1651000016, %s)", [home])
        other.execute(
            "INSERT INTO campaigns_runcounter (run_id, key, shard, count) VALUES (%s, 'status:sent', %s, 0)",
            [run.pk, home],
        )
        other.execute(
            "INSERT INTO contacts_learnercounter (organization_id, key, shard, count) "
            "VALUES (%s, 'status:bounced', %s, 0)",
            [org.pk, home],
        )
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting for the other writer fails the test
            Send.objects.filter(pk=send.pk).update(status=SendStatus.SENT)
            Learner.objects.filter(pk=send.learner_id).update(status="bounced")
    finally:
        other.rollback()
        other.close()

    assert counts_for_run(run.pk) == Counter({"status:sent": 1})
    assert kept_learner_counters()[org.pk]["status:bounced"] == 1
    assert home not in set(RunCounter.objects.filter(run=run, key="status:sent").values_list("shard", flat=True))
