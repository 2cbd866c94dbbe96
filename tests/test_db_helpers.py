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
