"""API keys: made by admins in the portal and shown once, stored hashed, revocable, scoped, rate-limited."""

import pytest

from reports.api.keys import hash_key
from reports.api.models import ApiKey
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_hashed(admin_client, org):
    response = admin_client.post("/settings/api-keys/", {"name": "HR sync", "scope": "write", "can_clear": "on"})

    raw = response.context["raw_key"]
    key = ApiKey.objects.get(organization=org)
    assert raw.startswith("bpk_") and raw in response.content.decode()
    assert key.key_hash == hash_key(raw) and raw not in (key.prefix, key.key_hash)
    assert (key.scope, key.can_clear, key.name) == ("write", True, "HR sync")
    assert raw not in admin_client.get("/settings/api-keys/").content.decode()


def test_a_read_only_key_may_not_be_allowed_to_clear(admin_client, org):
    response = admin_client.post("/settings/api-keys/", {"name": "Reader", "scope": "read", "can_clear": "on"})

    assert "Only a read-write key" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_viewers_cannot_see_or_make_keys(viewer_client):
    assert viewer_client.get("/settings/api-keys/").status_code == 403
    assert viewer_client.post("/settings/api-keys/", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_a_revoked_key_stops_working_and_another_organization_cannot_revoke_ours(admin_client, client, org, other_org):
    raw, theirs = make_key(org), make_key(other_org)
    api = ApiClient(client, raw)
    assert api.get("/api/v1/learners/").status_code == 200
    key, their_key = ApiKey.objects.get(organization=org), ApiKey.objects.get(organization=other_org)

    assert admin_client.post(f"/settings/api-keys/{their_key.pk}/revoke/").status_code == 404
    admin_client.post(f"/settings/api-keys/{key.pk}/revoke/")

    assert api.get("/api/v1/learners/").status_code == 401
    assert ApiClient(client, theirs).get("/api/v1/learners/").status_code == 200


def test_no_key_or_a_wrong_key_is_a_401_with_a_bearer_challenge(client):
    none = client.get("/api/v1/learners/")
    wrong = ApiClient(client, "bpk_not-a-key").get("/api/v1/learners/")

    assert (none.status_code, wrong.status_code) == (401, 401)
    assert none.headers["WWW-Authenticate"] == "Bearer"


def test_using_a_key_records_when_it_was_last_used(read_api, org):
    assert ApiKey.objects.get(organization=org).last_used_at is None

    read_api.get("/api/v1/runs/")

    assert ApiKey.objects.get(organization=org).last_used_at is not None


def test_each_key_is_rate_limited_on_its_own(settings, client, org):
    settings.API_RATE_LIMIT = "3/min"
    first, second = ApiClient(client, make_key(org)), ApiClient(client, make_key(org, name="Other"))

    codes = [first.get("/api/v1/learners/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert second.get("/api/v1/learners/").status_code == 200


def test_the_schema_and_the_docs_page_are_served(client):
    schema = client.get("/api/v1/schema/")
    docs = client.get("/api/v1/docs/")

    assert schema.status_code == 200 and b"/api/v1/learners/{id}/clear/" in schema.content
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
