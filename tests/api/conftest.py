"""API fixtures: a key of ``org`` per scope, and a client that sends one."""

import pytest
from django.core.cache import cache

from reports.api.keys import create_api_key


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the throttle counts live in the cache; each test starts from zero
    yield
    cache.clear()


def make_key(organization, *, scope="read", can_clear=False, created_by=None, name="HR sync"):
    _key, raw = create_api_key(
        organization=organization, name=name, scope=scope, can_clear=can_clear, created_by=created_by
    )
    return raw


class ApiClient:
    """Django's test client with an API key on every request and JSON bodies."""

    def __init__(self, client, raw_key):
        self.client, self.headers = client, {"Authorization": f"Bearer {raw_key}"}

    def get(self, path, data=None):
        return self.client.get(path, data, headers=self.headers)

    def post(self, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)

    def delete(self, path):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def read_api(client, org):
    return ApiClient(client, make_key(org))


@pytest.fixture
def write_api(client, org, admin_member):
    return ApiClient(client, make_key(org, scope="write", can_clear=True, created_by=admin_member.user))


@pytest.fixture
def other_api(client, other_org):
    return ApiClient(client, make_key(other_org, scope="write", can_clear=True, name="Other sync"))
