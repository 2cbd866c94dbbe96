"""The never-suppress list through the API: list, add, read and remove entries (through contacts.never_suppress)."""

import pytest

from contacts.models import NeverSuppress

pytestmark = pytest.mark.django_db


def test_adding_an_entry_lists_it_and_records_who_added_it(write_api, admin_member):
    response = write_api.post("/api/v1/never-suppress/", {"entry": "@Partner.Example", "reason": "our test boxes"})

    assert response.status_code == 201
    assert response.json()["entry"] == "partner.example"
    assert response.json()["kind"] == "domain"
    assert response.json()["added_by"] == admin_member.user.username
    listed = write_api.get("/api/v1/never-suppress/").json()["results"]
    assert [row["entry"] for row in listed] == ["partner.example"]


def test_an_entry_already_listed_is_a_conflict_and_a_bad_one_a_400(write_api):
    write_api.post("/api/v1/never-suppress/", {"entry": "qa@acme.example", "reason": "QA"})

    again = write_api.post("/api/v1/never-suppress/", {"entry": "QA@acme.example", "reason": "QA"})
    bad = write_api.post("/api/v1/never-suppress/", {"entry": "not an address", "reason": "x"})
    no_reason = write_api.post("/api/v1/never-suppress/", {"entry": "b@acme.example", "reason": ""})

    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    assert bad.status_code == 400
    assert "entry" in bad.json()
    assert no_reason.status_code == 400
    assert NeverSuppress.objects.count() == 1


def test_deleting_an_entry_takes_it_off_the_list_and_keeps_its_history(write_api, org, admin_member):
    entry = NeverSuppress.objects.create(organization=org, entry="qa@acme.example", reason="QA")

    response = write_api.delete(f"/api/v1/never-suppress/{entry.pk}/")

    assert response.status_code == 204
    entry.refresh_from_db()
    assert entry.removed_at is not None
    assert entry.removed_by == admin_member.user
    assert write_api.get("/api/v1/never-suppress/").json()["results"] == []
    assert write_api.delete(f"/api/v1/never-suppress/{entry.pk}/").status_code == 404


def test_a_read_only_key_may_list_but_not_change_the_list(read_api, org):
    entry = NeverSuppress.objects.create(organization=org, entry="qa@acme.example", reason="QA")

    assert read_api.get(f"/api/v1/never-suppress/{entry.pk}/").status_code == 200
    assert read_api.post("/api/v1/never-suppress/", {"entry": "b@acme.example", "reason": "x"}).status_code == 403
    assert read_api.delete(f"/api/v1/never-suppress/{entry.pk}/").status_code == 403
    entry.refresh_from_db()
    assert entry.removed_at is None
