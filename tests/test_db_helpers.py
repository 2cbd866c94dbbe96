"""bounceportal.db's batch writes on PostgreSQL: one statement each, and what they write is what the rows say."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bounceportal.db import insert_finished_rows, probe_rows, reserve_ids, update_fields_many
from campaigns.models import BounceEvent
from contacts.models import Learner
from tests.factories import LearnerFactory
from tests.generic_plans import generic_plan, prepared_write


def test_update_fields_many_writes_each_rows_fields_in_one_statement(org):
    learners = LearnerFactory.create_batch(3, organization=org)
    when = timezone.now() - timedelta(hours=2)
    for n, learner in enumerate(learners):
        learner.bounce_count, learner.last_bounced_at, learner.tags = n + 1, when, [f"tag{n}"]
    learners[2].last_bounced_at = None

    with CaptureQueriesContext(connection) as queries:
        update_fields_many(learners, ["bounce_count", "last_bounced_at", "tags"])

    assert len(queries) == 1
    stored = {learner.pk: learner for learner in Learner.objects.filter(organization=org)}
    assert [stored[learner.pk].bounce_count for learner in learners] == [1, 2, 3]
    assert [stored[learner.pk].last_bounced_at for learner in learners] == [when, when, None]
    assert [stored[learner.pk].tags for learner in learners] == [["tag0"], ["tag1"], ["tag2"]]


def test_update_fields_many_writes_an_object_listed_twice_as_its_last_listing_says(org):
    learner = LearnerFactory(organization=org)
    first, second = Learner.objects.get(pk=learner.pk), Learner.objects.get(pk=learner.pk)
    first.bounce_count, second.bounce_count = 5, 7

    update_fields_many([first, second], ["bounce_count"])

    assert Learner.objects.get(pk=learner.pk).bounce_count == 7


def test_update_fields_many_leaves_other_rows_and_fields_alone(org):
    changed, untouched = LearnerFactory.create_batch(2, organization=org, first_name="Ada")
    changed.first_name, changed.bounce_count = "Not written", 4

    update_fields_many([changed], ["bounce_count"])

    assert Learner.objects.get(pk=changed.pk).first_name == "Ada"
    assert Learner.objects.get(pk=changed.pk).bounce_count == 4
    assert Learner.objects.get(pk=untouched.pk).bounce_count == 0


def test_update_fields_many_writes_nulls_text_choices_json_and_times_as_they_are(org):
    learners = LearnerFactory.create_batch(2, organization=org, tags=["old"], status_reason="x")
    retry = timezone.now() + timedelta(days=3)
    learners[0].status, learners[0].status_reason, learners[0].retry_at = "bounced", 'a "b" \\c\' é', retry
    learners[0].tags, learners[0].on_resend_list = [{"say": 'it\'s "quoted" \\'}, "ü"], True
    learners[1].status, learners[1].status_reason, learners[1].retry_at, learners[1].tags = "active", "", None, []
    fields = ["status", "status_reason", "retry_at", "tags", "on_resend_list"]

    update_fields_many(learners, fields)

    stored = {each.pk: each for each in Learner.objects.filter(organization=org)}
    assert [[getattr(stored[each.pk], f) for f in fields] for each in learners] == [
        ["bounced", 'a "b" \\c\' é', retry, [{"say": 'it\'s "quoted" \\'}, "ü"], True],
        ["active", "", None, [], False],
    ]


@pytest.mark.postgres
def test_update_fields_many_probes_the_primary_key_on_a_table_of_thousands(org):
    """The prepared generic plan of the write-back: a primary key probe per row, not a sequential scan and
    hash join of the table (which jsonb_to_recordset's 100-row estimate chose up to ~12,000 learners)."""
    learner = LearnerFactory(organization=org)
    copied = [
        f.column
        for f in Learner._meta.concrete_fields
        if not f.primary_key and f.name != "email" and not getattr(f, "generated", False)
    ]
    with connection.cursor() as cursor:  # 5,000 more learners: a sequential scan now costs the planner little
        cursor.execute(
            f"INSERT INTO contacts_learner (email, {', '.join(copied)}) SELECT 'copy' || n || '@example.org', "
            f"{', '.join(copied)} FROM contacts_learner CROSS JOIN generate_series(1, 5000) AS n WHERE id = %s",
            [learner.pk],
        )
    learner.bounce_count, learner.last_bounced_at = 1, timezone.now()
    update_fields_many([learner], ["bounce_count", "last_bounced_at"])
    write_back = prepared_write(
        starting='UPDATE "contacts_learner" SET "bounce_count" = r.r0, "last_bounced_at" = r.r1 FROM'
    )

    plan = generic_plan(write_back, {"bigint[]": "'{1}'", "jsonb": """'[{"r0": 1, "r1": null}]'"""})

    assert "contacts_learner_pkey" in plan and "Seq Scan on contacts_learner" not in plan, plan


@pytest.mark.postgres  # ids are drawn from PostgreSQL's sequence (reserve_ids is None elsewhere)
def test_reserved_ids_name_rows_inserted_later_with_their_fields(org):
    learner = LearnerFactory(organization=org)
    now = timezone.now()
    events = [
        BounceEvent(
            organization=org,
            learner=learner,
            address=learner.email,
            category="soft",
            subtype="mailbox_full",
            diagnostic=f"452 4.2.2 over quota ({n})",
            occurred_at=now,
            applied_at=now,
            outcome="counted",
            evidence=[{"rule": "r", "text": "over quota"}],
        )
        for n in range(2)
    ]

    ids = reserve_ids(BounceEvent, 2)
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
    insert_finished_rows(BounceEvent, events, [f.attname for f in BounceEvent._meta.concrete_fields])

    stored = BounceEvent.objects.filter(pk__in=ids).order_by("pk")
    assert [e.diagnostic for e in stored] == ["452 4.2.2 over quota (0)", "452 4.2.2 over quota (1)"]
    assert all(e.outcome == "counted" and e.applied_at == now and e.evidence[0]["text"] == "over quota" for e in stored)
    assert BounceEvent.objects.create(organization=org, occurred_at=now).pk > max(ids)


def test_insert_finished_rows_refuses_a_row_whose_id_is_taken(org):
    taken = BounceEvent.objects.create(organization=org, occurred_at=timezone.now())
    again = BounceEvent(pk=taken.pk, organization=org, occurred_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_finished_rows(BounceEvent, [again], [f.attname for f in BounceEvent._meta.concrete_fields])


def test_a_query_by_ids_compiled_once_returns_what_the_queryset_returns_for_other_ids(org, other_org):
    """QueryByIds keeps the SQL of its first call; later calls with other ids get the same instances,
    related objects and annotations as the queryset built anew would (and one statement each)."""
    from django.db.models import Exists, OuterRef

    from bounceportal.query_by_ids import QueryByIds
    from contacts.models import NeverSuppress

    first = LearnerFactory.create_batch(2, organization=org)
    second = LearnerFactory.create_batch(3, organization=other_org)
    NeverSuppress.objects.create(organization=other_org, entry="x.example", is_domain=True, reason="tests")

    def build(ids_q):
        has_list = Exists(NeverSuppress.objects.filter(organization_id=OuterRef("organization_id")))
        return Learner.objects.select_related("organization").annotate(listed=has_list).filter(ids_q).order_by("pk")

    query = QueryByIds(build)
    assert [(each.pk, each.listed) for each in query(learner.pk for learner in first)] == [
        (learner.pk, False) for learner in first
    ]
    with CaptureQueriesContext(connection) as queries:
        found = query([learner.pk for learner in second] + [first[0].pk])
        names = [each.organization.name for each in found]  # selected with them: no query

    assert len(queries) == 1
    assert [(each.pk, each.listed, each.email) for each in found] == [
        (each.pk, each.listed, each.email) for each in build(Q(pk__in=[first[0].pk, *[s.pk for s in second]]))
    ]
    assert names == [org.name] + [other_org.name] * 3


@pytest.mark.postgres  # elsewhere QueryByIds runs the queryset itself: no sharing
def test_a_query_by_ids_sharing_related_builds_one_instance_per_related_row(org, other_org):
    """With ``share_related`` the learners of one organization name the same organization instance, and
    its policy once: what the rows say is unchanged."""
    from bounceportal.query_by_ids import QueryByIds
    from contacts.models import BouncePolicy

    BouncePolicy.objects.get_or_create(organization=org)
    learners = LearnerFactory.create_batch(3, organization=org) + [LearnerFactory(organization=other_org)]

    def build(ids_q):
        return Learner.objects.select_related("organization__bounce_policy").filter(ids_q).order_by("pk")

    found = QueryByIds(build, share_related=True)(learner.pk for learner in learners)

    first, second, third, other = found
    assert first.organization is second.organization is third.organization
    assert first.organization.bounce_policy is third.organization.bounce_policy
    assert other.organization is not first.organization and other.organization.name == other_org.name
    assert [(each.pk, each.organization_id, each.organization.name) for each in found] == [
        (each.pk, each.organization_id, each.organization.name) for each in build(Q(pk__in=[x.pk for x in learners]))
    ]


def test_binary_columns_inserted_as_new_rows_keep_every_byte(org):
    """``insert_new_rows`` sends bytes as a binary array on PostgreSQL: NUL, CR and bytes over 127 come
    back as they went, inside or outside a block of held writes."""
    from bounceportal.db import insert_new_rows
    from bounceportal.held_writes import atomic_with_held_writes
    from campaigns.models import InboundMessage
    from campaigns.services.ingestion_rows import COLUMNS, InboundRow

    now = timezone.now()
    every_byte = bytes(range(256)) * 3

    def row(digest: str, raw: bytes) -> InboundRow:
        return InboundRow(
            organization_id=org.pk, mailbox_id=None, digest=digest, content_digest=digest, raw=raw, size=len(raw),
            truncated=False, received_at=now, kind="dsn", processed_at=now, classifier_version="t",
        )  # fmt: skip

    plain = [row("a", every_byte), row("b", b""), row("c", b"\r\n\x00")]
    inserted = insert_new_rows(InboundMessage, plain, COLUMNS, unique=(), key="digest")
    with atomic_with_held_writes():
        held = insert_new_rows(InboundMessage, [row("d", every_byte[::-1])], COLUMNS, unique=(), key="digest")

    assert inserted == {"a", "b", "c"} and held == {"d"} and all(each.pk for each in plain)
    stored = {m.digest: bytes(m.raw) for m in InboundMessage.objects.filter(organization=org)}
    assert stored == {"a": every_byte, "b": b"", "c": b"\r\n\x00", "d": every_byte[::-1]}


def test_probe_rows_finds_each_key_once_and_only_among_the_rows_it_is_told_to(org):
    from contacts.services import create_organization

    other = create_organization(name="Other", slug="other-probe")
    mine = LearnerFactory.create_batch(3, organization=org)
    theirs = LearnerFactory(organization=other, email=mine[0].email)

    found = probe_rows(
        Learner,
        ["id", "email"],
        key="email",
        values=[mine[0].email, mine[1].email, mine[1].email, "nobody@example.org", theirs.email],
        equal={"organization_id": org.pk},
    )

    assert sorted(found) == sorted([(mine[0].pk, mine[0].email), (mine[1].pk, mine[1].email)])
    assert probe_rows(Learner, ["id"], key="email", values=[], equal={"organization_id": org.pk}) == []


def test_probes_and_in_lists_find_values_that_array_text_must_quote(org):
    """Strings travel as one array text (``text_array``): quotes, backslashes, commas, braces, white
    space, NULL, the empty string and non-ASCII text are each found as themselves and as nothing else."""
    from bounceportal.db import field_in, text_array

    awkward = ['a"b', "back\\slash", "x,y", "{z}", " spaced ", "NULL", "", "é ü 中", '\\\\"\\']
    learners = [LearnerFactory(organization=org, first_name=value) for value in awkward]
    LearnerFactory(organization=org, first_name="ab")

    found = probe_rows(Learner, ["first_name"], key="first_name", values=awkward, equal={"organization_id": org.pk})
    listed = Learner.objects.filter(field_in("first_name", awkward), organization=org)

    assert sorted(value for (value,) in found) == sorted(awkward)
    assert sorted(each.pk for each in listed) == sorted(each.pk for each in learners)
    assert text_array(["a", 'b"c']) == '{"a","b\\"c"}'
