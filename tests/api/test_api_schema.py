"""The API against its own OpenAPI schema (schemathesis): every operation, generated input, no 500.

Each operation gets a few dozen generated requests with a read-write key allowed
to clear, over an organization that has a bounced learner, an event and a run;
the responses must be no server error, a status the schema documents, and a
body that matches the schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from contacts.models import NeverSuppress
from tests.api.conftest import make_key
from tests.factories import CampaignRunFactory, bounced_learner

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    """Django's WSGI handler closes the database connection after each request, which would end the
    test's transaction; its test client disconnects the same receivers."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_data(db, org, admin_member, _keep_the_test_connection):
    bounced_learner(org)
    CampaignRunFactory(campaign__organization=org, organization=org)
    NeverSuppress.objects.create(organization=org, entry="partner.example", reason="our partner's test boxes")


@pytest.fixture
def key_header(org, admin_member, settings):
    settings.API_RATE_LIMIT = "100000/min"
    return {"Authorization": f"Bearer {make_key(org, scope='write', can_clear=True, created_by=admin_member.user)}"}


# Loaded at collection: the schema view needs no database (it is generated from the code).
# The coverage phase (every boundary and wrong method of every parameter) alone takes minutes on a
# shared CI machine; the generated examples with the checks below keep this test to seconds.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_generated_input_as_documented(case, api_data, key_header):
    case.call_and_validate(headers=key_header, checks=CHECKS)
