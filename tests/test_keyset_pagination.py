"""Keyset pages (bounceportal/keyset.py): Next / Previous links carry a signed cursor, every row is seen once and
in order while rows are added between page loads, and a cursor we did not hand out shows the first page."""

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.urls import reverse

from bounceportal.keyset import InvalidCursor, key_of, keyset_page, make_cursor
from campaigns.models import Send
from contacts.models import Clearance, Learner
from tests.factories import BounceEventFactory, CampaignRunFactory, LearnerFactory, SendFactory
from tests.pager_links import follow, link

pytestmark = pytest.mark.django_db
LIST = reverse("contacts:learner-list")


def emails_on(response) -> list[str]:
    return [row.record.email for row in response.context["table"].page.object_list]


def walk(client, response, rel="next", between=None) -> list[list[str]]:
    """The emails of each page from ``response`` on, following ``rel`` links; ``between(n)`` runs before page n+1."""
    pages = [emails_on(response)]
    while link(response, rel):
        if between:
            between(len(pages))
        response = follow(client, response, rel)
        pages.append(emails_on(response))
    return pages


@pytest.fixture
def learners(org):
    return Learner.objects.bulk_create(
        Learner(organization=org, email=f"learner{n:03}@school.example") for n in range(0, 250, 2)
    )


def test_next_links_walk_every_learner_once_in_address_order(viewer_client, learners):
    pages = walk(viewer_client, viewer_client.get(LIST, {"per_page": 20}))

    seen = [email for page in pages for email in page]
    assert seen == sorted(learner.email for learner in learners)
    assert [len(page) for page in pages] == [20] * 6 + [5]


def test_rows_added_between_page_loads_shift_nothing(viewer_client, org, learners):
    expected = sorted(learner.email for learner in learners)

    def insert(page_number):  # one address before the cursor (already passed) and one ahead of it
        Learner.objects.create(organization=org, email=f"learner{page_number * 40 - 39:03}@school.example")
        Learner.objects.create(organization=org, email=f"learner{page_number * 40 + 21:03}@school.example")

    pages = walk(viewer_client, viewer_client.get(LIST, {"per_page": 20}), between=insert)

    seen = [email for page in pages for email in page]
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    assert set(expected) <= set(seen)
    assert "learner061@school.example" in seen and "learner001@school.example" not in seen


def test_previous_links_walk_back_through_the_same_pages(viewer_client, learners):
    last = viewer_client.get(LIST, {"per_page": 20, "sort": "-email"})
    forward = [emails_on(last)]
    while link(last, "next"):
        last = follow(viewer_client, last, "next")
        forward.append(emails_on(last))

    backward = walk(viewer_client, last, rel="prev")

    assert backward == forward[::-1]
    assert link(viewer_client.get(LIST, {"per_page": 20}), "prev") is None


def test_status_sort_pages_through_ties_by_address(viewer_client, org, learners):
    Learner.objects.filter(email__lt="learner100").update(status="bounced")

    pages = walk(viewer_client, viewer_client.get(LIST, {"per_page": 15, "sort": "status"}))

    seen = [email for page in pages for email in page]
    rows = Learner.objects.filter(organization=org).order_by("status", "email")
    assert seen == [learner.email for learner in rows]


@pytest.mark.parametrize("cursor", ["garbage", "", "x" * 5000, "\u00e9t\u00e9:abc:def"])
def test_a_cursor_we_did_not_make_shows_the_first_page_with_a_message(viewer_client, learners, cursor):
    response = viewer_client.get(LIST, {"per_page": 20, "cursor": cursor})

    assert response.status_code == 200
    assert emails_on(response) == sorted(learner.email for learner in learners)[:20]
    if cursor:
        assert "not valid" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_edited_cursor_is_refused(viewer_client, learners):
    second = follow(viewer_client, viewer_client.get(LIST, {"per_page": 20}), "next")
    token = second.wsgi_request.GET["cursor"]
    salt = "keyset:contacts.tables.LearnerTable:email"
    forged = signing.dumps(["n", ["learner200@school.example"]], salt=salt, key="not-our-secret", compress=True)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    for cursor in (forged, tampered):
        response = viewer_client.get(LIST, {"per_page": 20, "cursor": cursor})

        assert emails_on(response)[0] == "learner000@school.example"
    assert make_cursor(salt, "n", ["learner200@school.example"]) != forged


def test_a_cursor_of_one_sort_is_not_read_under_another(org, learners):
    queryset = Learner.objects.filter(organization=org)
    page = keyset_page(queryset, key=key_of("email"), per_page=10, cursor=None, salt="a")

    with pytest.raises(InvalidCursor):
        keyset_page(queryset, key=key_of("status", "email"), per_page=10, cursor=page.next_cursor, salt="b")


def test_a_sort_without_an_index_pages_by_an_offset_capped_at_ten_thousand_rows(viewer_client, learners):
    response = viewer_client.get(LIST, {"sort": "department", "page": "1000000", "per_page": "100"})

    table = response.context["table"]
    assert response.status_code == 200 and not table.keyset
    assert table.page.number == 2  # 125 learners: the last page, found without a deep OFFSET


def test_run_sends_walk_every_send_once_newest_address_first(admin_client, org):
    run = CampaignRunFactory(campaign__organization=org)
    learners = LearnerFactory.create_batch(45, organization=org)
    for learner in learners:
        SendFactory(run=run, learner=learner)
    url = reverse("campaigns:run-detail", args=[run.pk])

    pages = walk(admin_client, admin_client.get(url, {"per_page": 10, "sort": "-email"}))

    seen = [email for page in pages for email in page]
    assert seen == sorted((learner.email for learner in learners), reverse=True)
    assert emails_on(admin_client.get(url, {"status": "sent", "per_page": 50})) == sorted(seen)


def test_activity_log_pages_through_every_entry_once_across_kinds_at_the_same_instant(admin_client, org):
    learner = LearnerFactory(organization=org)
    clearances = [Clearance.objects.create(organization=org, learner=learner, via="admin") for _ in range(12)]
    instants = [clearance.created_at for clearance in clearances[:3]]  # sends and bounces share these instants
    for n in range(12):
        send = SendFactory(learner=learner, run__campaign__organization=org)
        Send.objects.filter(pk=send.pk).update(created_at=instants[n % 3], sent_at=None)
        BounceEventFactory(send=send, occurred_at=instants[n % 2])
    url = reverse("contacts:learner-detail", args=[learner.pk])

    entries, response = [], admin_client.get(url)
    while True:
        entries += response.context["activity"].object_list
        if not link(response, "next"):
            break
        response = follow(admin_client, response, "next")

    keys = [entry.sort_key for entry in entries]
    assert len({(entry.kind, entry.item.pk) for entry in entries}) == len(entries) == 36
    assert keys == sorted(keys, reverse=True)


def test_the_review_queue_pages_newest_first_by_cursor(admin_client, org):
    from tests.factories import InboundMessageFactory

    messages = InboundMessageFactory.create_batch(60, organization=org, matched_by="none")
    url = reverse("campaigns:review-list")

    response, seen = admin_client.get(url, {"per_page": 25}), []
    while True:
        seen += [row.record.pk for row in response.context["table"].page.object_list]
        if not link(response, "next"):
            break
        response = follow(admin_client, response, "next")

    assert response.context["table"].keyset
    assert seen == [m.pk for m in sorted(messages, key=lambda m: (m.received_at, m.pk), reverse=True)]
