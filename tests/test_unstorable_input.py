"""Hostile input from forms and query strings (issue #13, finding 4): NUL bytes, unknown values and
10,000-character values are refused with a message, never a 500, and nothing bad is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bounceportal.security import UNSTORABLE_MESSAGE
from campaigns.models import CampaignRun
from contacts.models import BulkClearJob
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x"))
    return client


@pytest.mark.parametrize(
    "changelist, params",
    [
        ("admin:contacts_learner_changelist", {"q": "ada\x00"}),
        ("admin:campaigns_send_changelist", {"status__exact": "sent\x00"}),
        ("admin:campaigns_bounceevent_changelist", {"category__exact": "\x00"}),
        ("admin:campaigns_inboundmessage_changelist", {"kind__exact": "dsn\x00"}),
        ("admin:campaigns_bouncemailbox_changelist", {"protocol__exact": "\x00imap"}),
        ("admin:contacts_automationrule_changelist", {"action__exact": "\x00"}),
    ],
)
def test_admin_filters_and_search_with_a_nul_byte_say_so_instead_of_failing(superuser_client, changelist, params):
    url = reverse(changelist)

    response = superuser_client.get(url, params, follow=True)

    assert response.redirect_chain[0][0] == url
    assert response.status_code == 200 and UNSTORABLE_MESSAGE in response.content.decode()


def test_a_portal_filter_with_a_nul_byte_keeps_the_other_filters(admin_client, org):
    url = reverse("contacts:learner-list")

    response = admin_client.get(url, {"q": "a\x00b", "domain": "school.example"})

    assert response.status_code == 302 and response["Location"] == f"{url}?domain=school.example"


def test_an_uploaded_address_list_with_nul_bytes_is_a_form_error(cx_client, org):
    upload = SimpleUploadedFile("list.csv", "ada@school.example\n".encode("utf-16-le"))

    response = cx_client.post(reverse("admin:contacts_learner_address_list"), {"organization": org.pk, "file": upload})

    assert response.status_code == 200
    assert "The list holds NUL bytes" in response.content.decode()
    assert not BulkClearJob.objects.exists()


@pytest.mark.parametrize(
    "data, says",
    [
        ({"engaged": "abc"}, "Engaged"),
        ({"q": "x" * 10_000}, "at most"),
        ({"domain": "school\x00.example"}, "Null characters are not allowed"),
        ({"category": "hard\x00"}, "Select a valid choice"),
    ],
)
def test_the_run_launch_form_stores_nothing_it_did_not_validate(admin_client, org, data, says):
    campaign = CampaignFactory(organization=org)

    response = admin_client.post(reverse("campaigns:run-create", args=[campaign.pk]), data, follow=True)

    assert response.status_code == 200
    assert "The run was not launched" in response.content.decode() and says in response.content.decode()
    assert not CampaignRun.objects.exists()
