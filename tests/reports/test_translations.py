"""German on the dashboards for a German reader; the REST API and CSV exports stay English."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.api.conftest import ApiClient, make_key
from tests.contacts.test_translations import in_german
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db
REPORT = reverse("reports:learner-report")


def test_the_learner_report_names_its_charts_in_german(admin_client):
    client = in_german(admin_client)

    with translation.override("de"):
        body = client.get(REPORT, {"start": "2026-01-01", "end": "2026-06-30"}).content.decode()

    assert "Bounces pro Woche" in body


def test_a_report_csv_keeps_english_headers_for_a_german_reader(admin_client):
    client = in_german(admin_client)

    with translation.override("de"):
        response = client.get(REPORT, {"export": "csv", "table": "trend"})
        header = b"".join(response.streaming_content).decode().splitlines()[0]

    assert header == "Period starting,Hard bounces,Soft bounces,Mail blocks,Total"


def test_the_rest_api_answers_in_english_to_a_german_client(client, org, admin_member):
    api = ApiClient(client, make_key(org, scope="write", can_clear=True, created_by=admin_member.user))
    api.headers["Accept-Language"] = "de"
    active = LearnerFactory(organization=org)

    with translation.override("de"):
        response = api.post(f"/api/v1/learners/{active.pk}/clear/", {"note": "x"})

    assert response.status_code == 409
    assert response.json()["detail"] == f"{active.email} is not bounced, so there is nothing to clear."


def test_the_email_status_csv_keeps_its_labels_english_while_the_page_is_german(admin_client, org):
    from tests.factories import BounceEventFactory, CampaignRunFactory, SendFactory

    BounceEventFactory(send=SendFactory(run=CampaignRunFactory(campaign__organization=org, campaign__name="Welcome")))
    BounceEventFactory(send=None, organization=org, learner=None, address="ghost@nowhere.example")
    client = in_german(admin_client)
    report = reverse("reports:email-status")

    with translation.override("de"):
        page = client.get(report).content.decode()
        response = client.get(report, {"export": "csv", "table": "subtypes"})
        lines = b"".join(response.streaming_content).decode().splitlines()

    assert "Keiner Sendung zugeordnet" in page and "Adresse existiert nicht" in page
    assert "Welcome,Hard bounce,Address does not exist,1" in lines
    assert any(line.startswith("Not matched to a send,") for line in lines)
