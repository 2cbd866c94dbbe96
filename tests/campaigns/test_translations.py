"""German for the campaigns app's Python strings: a review's flash message, send-window errors, choices."""

from datetime import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from campaigns.models import RunStatus
from campaigns.send_windows import MAX_WINDOW_DAYS, SendWindow, WindowError
from tests.contacts.test_translations import in_german
from tests.factories import InboundMessageFactory

pytestmark = pytest.mark.django_db


def test_dismissing_an_unreadable_message_in_german_flashes_german(admin_client, org):
    message = InboundMessageFactory(organization=org, kind="unparseable", is_bounce=False, parse_error="no MIME")
    client = in_german(admin_client)

    with translation.override("de"):
        response = client.post(
            reverse("campaigns:review-detail", args=[message.pk]), {"decision": "dismiss", "note": "Spam"}
        )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Verworfen: Die Nachricht hat die Prüfliste verlassen."
    ]


def test_a_send_window_error_is_german_with_its_number_in_place():
    with translation.override("de"), pytest.raises(WindowError) as error:
        SendWindow(weekdays=frozenset({1, 2}), start=time(9), end=time(17), days=MAX_WINDOW_DAYS + 1)

    assert str(error.value) == f"Das Versandfenster dauert 1 bis {MAX_WINDOW_DAYS} Tage."


def test_run_status_labels_are_translated_and_stay_english_by_default():
    with translation.override("de"):
        german = str(RunStatus.PAUSED.label)

    assert (german, str(RunStatus.PAUSED.label)) == ("Pausiert", "Paused")


def test_a_bounce_panel_reads_in_german_and_keeps_the_server_text_as_it_came():
    from campaigns.panels import bounce_facts_html
    from tests.factories import BounceEventFactory

    event = BounceEventFactory(stage="rcpt", diagnostic="550 5.1.1 User unknown")

    with translation.override("de"):
        html = bounce_facts_html(event, can_view_raw=False)

    assert "<dt>Servermeldung</dt>" in html and "Bei RCPT TO (dem Empfänger) abgelehnt" in html
    assert "550 5.1.1 User unknown" in html
    assert "<dt>Server message</dt>" in bounce_facts_html(event, can_view_raw=False)


def test_a_send_window_is_described_with_german_weekdays():
    window = SendWindow(weekdays=frozenset({1, 2, 5}), start=time(9), end=time(17), days=3)

    with translation.override("de"):
        german = window.describe()

    assert german == "Mo, Di, Fr 09:00–17:00, über 3 Tage"
    assert window.describe() == "Mon, Tue, Fri 09:00–17:00, over 3 days"


def test_a_sending_configuration_page_reads_in_german_and_keeps_the_product_names(admin_client, org):
    url = reverse("campaigns:guidance-detail", args=["spamhaus-pbl"])
    english = admin_client.get(url).content.decode()

    body = in_german(admin_client).get(url).content.decode()

    assert "<h1>Spamhaus PBL</h1>" in body
    assert "es bedeutet nicht, dass Sie Spam verschickt haben" in body  # the summary
    assert "Nutzen Sie PBL Self-Service IP Removal" in body  # a step
    assert "it does not mean you spammed" not in body
    assert "it does not mean you spammed" in english


def test_the_authentication_page_explains_the_records_and_refuses_a_bad_domain_in_german(admin_client, org):
    client = in_german(admin_client)

    body = client.get(reverse("campaigns:guidance-authentication"), {"domain": "acme.example"}).content.decode()
    refused = client.get(reverse("campaigns:guidance-authentication"), {"domain": "nope"}).content.decode()

    assert "v=spf1 ip4:" in body and "ip4/ip6 kosten keine DNS-Abfragen" in body
    assert "„nope“ ist kein Domainname." in refused
