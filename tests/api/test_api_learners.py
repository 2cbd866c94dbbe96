"""The learners endpoints: filters, cursor pages, one learner's history, clearing and bulk upsert."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.choices import ClearedVia, DeliverabilityStatus
from contacts.models import Clearance, Learner
from tests.factories import LearnerFactory, bounced_learner

pytestmark = pytest.mark.django_db


def emails(response):
    return [row["email"] for row in response.json()["results"]]


def test_list_filters_by_status_category_and_domain(read_api, org):
    bounced = bounced_learner(org, learner=LearnerFactory(organization=org, email="gone@school.example"))
    LearnerFactory(organization=org, email="fine@school.example")
    LearnerFactory(organization=org, email="fine@other.example")

    by_status = read_api.get("/api/v1/learners/", {"status": "bounced"})
    by_category = read_api.get("/api/v1/learners/", {"category": "hard"})
    by_domain = read_api.get("/api/v1/learners/", {"domain": "Other.Example"})

    assert emails(by_status) == [bounced.email]
    assert emails(by_category) == [bounced.email]
    assert emails(by_domain) == ["fine@other.example"]


def test_a_bad_filter_value_is_a_400_naming_it(read_api):
    response = read_api.get("/api/v1/learners/", {"status": "dead", "updated_since": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()) == {"status", "updated_since"}


def test_updated_since_takes_any_offset_and_a_bad_cursor_is_a_400(read_api, org):
    learner = LearnerFactory(organization=org)

    far_offset = read_api.get("/api/v1/learners/", {"updated_since": "2000-01-01T00:00:00-16:24"})
    bad_cursor = read_api.get("/api/v1/learners/", {"cursor": "not-ours"})

    assert emails(far_offset) == [learner.email]
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()


def test_updated_since_sees_a_change_made_by_the_deliverability_package(read_api, org):
    learner = LearnerFactory(organization=org)
    Learner.objects.filter(pk=learner.pk).update(updated_at=timezone.now() - timedelta(days=2))
    before = timezone.now() - timedelta(days=1)
    assert emails(read_api.get("/api/v1/learners/", {"updated_since": before.isoformat()})) == []

    bounced_learner(org, learner=learner)

    assert emails(read_api.get("/api/v1/learners/", {"updated_since": before.isoformat()})) == [learner.email]


def test_the_cursor_walks_every_learner_once_in_id_order(read_api, org):
    created = [LearnerFactory(organization=org).email for _ in range(7)]

    seen, url = [], "/api/v1/learners/?page_size=3"
    while url:
        page = read_api.get(url).json()
        seen += [row["email"] for row in page["results"]]
        url = page["next"]

    assert seen == created


def test_one_learner_comes_with_its_bounce_events_and_clearances(write_api, org):
    learner = bounced_learner(org)
    write_api.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "Mailbox restored"})

    body = write_api.get(f"/api/v1/learners/{learner.pk}/").json()

    assert body["status"] == "active"
    assert [event["category"] for event in body["bounce_events"]] == ["hard"]
    assert [(c["via"], c["previous_status"]) for c in body["clearances"]] == [("api", "bounced")]


def test_clearing_through_the_api_is_audited_with_the_note_and_the_key(write_api, org, admin_member):
    learner = bounced_learner(org)

    response = write_api.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "Mailbox restored"})

    assert response.status_code == 200
    clearance = Clearance.objects.get(learner=learner)
    assert (clearance.via, clearance.cleared_by) == (ClearedVia.API, admin_member.user)
    assert clearance.note == "API key HR sync: Mailbox restored"
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE


def test_clearing_needs_a_note_a_bounced_learner_and_a_key_allowed_to_clear(write_api, read_api, client, org):
    from tests.api.conftest import ApiClient, make_key

    learner, active = bounced_learner(org), LearnerFactory(organization=org)
    no_clear = ApiClient(client, make_key(org, scope="write", can_clear=False))

    assert write_api.post(f"/api/v1/learners/{learner.pk}/clear/", {}).status_code == 400
    assert write_api.post(f"/api/v1/learners/{active.pk}/clear/", {"note": "x"}).status_code == 409
    assert read_api.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "x"}).status_code == 403
    assert no_clear.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "x"}).status_code == 403
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_bulk_upsert_creates_updates_and_the_second_time_changes_nothing(write_api, org):
    LearnerFactory(organization=org, email="Known@School.example", first_name="Old")
    body = {
        "learners": [
            {"email": "known@school.example", "first_name": "New"},
            {"email": "fresh@school.example", "first_name": "Fay", "department": "HR"},
        ]
    }

    first = write_api.post("/api/v1/learners/bulk/", body).json()
    second = write_api.post("/api/v1/learners/bulk/", body).json()

    assert (first["new"], first["updated"], first["unchanged"]) == (1, 1, 0)
    assert (second["new"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert Learner.objects.get(email="Known@School.example").first_name == "New"
    assert Learner.objects.filter(organization=org).count() == 2


def test_bulk_upsert_with_one_bad_row_writes_nothing_and_says_which(write_api, org):
    body = {"learners": [{"email": "ok@school.example"}, {"email": "not an address"}, {"email": "OK@school.example"}]}

    response = write_api.post("/api/v1/learners/bulk/", body)

    assert response.status_code == 422
    assert [(e["index"], e["email"]) for e in response.json()["errors"]] == [
        (1, "not an address"),
        (2, "OK@school.example"),
    ]
    assert "letter case" in response.json()["errors"][1]["errors"][0]
    assert not Learner.objects.filter(organization=org).exists()


def test_bulk_upsert_changes_an_address_through_the_email_change_transition(write_api, org):
    learner = bounced_learner(org, learner=LearnerFactory(organization=org, email="old@school.example"))

    response = write_api.post(
        "/api/v1/learners/bulk/", {"learners": [{"email": "old@school.example", "new_email": "new@school.example"}]}
    )

    assert response.json()["renamed"] == 1
    learner.refresh_from_db()
    assert (learner.email, learner.status) == ("new@school.example", DeliverabilityStatus.ACTIVE)
    assert Clearance.objects.get(learner=learner).via == ClearedVia.EMAIL_CHANGE


def test_a_read_only_key_cannot_upsert(read_api, org):
    response = read_api.post("/api/v1/learners/bulk/", {"learners": [{"email": "a@school.example"}]})

    assert response.status_code == 403
    assert not Learner.objects.exists()


def test_unstorable_characters_are_a_400_not_a_redirect_or_a_500(write_api, org):
    learner = bounced_learner(org)

    in_query = write_api.get("/api/v1/learners/", {"domain": "a\x00b"})
    in_body = write_api.post(f"/api/v1/learners/{learner.pk}/clear/", {"note": "a\x00b"})
    surrogate = write_api.post(
        "/api/v1/learners/bulk/", {"learners": [{"email": "x@school.example", "first_name": "\ud800"}]}
    )

    assert (in_query.status_code, in_body.status_code, surrogate.status_code) == (400, 400, 400)
    assert not Learner.objects.filter(email="x@school.example").exists()
