"""Fixtures for ESP webhook tests: a send of ``org`` to post events about, and connections per service."""

import pytest

from campaigns.esp_models import EspConnection
from tests.factories import SendFactory


@pytest.fixture
def send(org):
    return SendFactory(
        run__campaign__organization=org, email="jane@school.example", learner__email="jane@school.example"
    )


@pytest.fixture
def make_connection(org):
    def make(service: str, **secrets):
        connection = EspConnection(organization=org, name=f"{service} account", service=service)
        connection.set_secrets(**secrets)
        connection.save()
        return connection

    return make


def hook_url(connection) -> str:
    return f"/hooks/esp/{connection.webhook_key}/"
