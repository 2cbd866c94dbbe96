"""Re-classify in the Django admin, in a real browser: the action first shows its impact (events and
learners that would change, with a sample), changes nothing until "Apply", then clears in the support
user's name."""

import pytest
from django.urls import reverse

from contacts.models import Clearance
from tests.campaigns.conftest import maildir  # noqa: F401 -- the fixture
from tests.campaigns.test_reclassify import misread_full_mailbox
from tests.factories import BounceMailboxFactory, SendFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_previews_a_reclassify_then_applies_it(
    page,
    live_server,
    log_in,
    cx_user,
    org,
    maildir,  # noqa: F811 -- the fixture imported above
    monkeypatch,
    screenshot,
):
    send = SendFactory(run__campaign__organization=org, learner__email="ada@school.example", email="ada@school.example")
    mailbox = BounceMailboxFactory(organization=org, protocol="maildir", folder=str(maildir))
    misread_full_mailbox(monkeypatch, maildir, mailbox, send)
    send.learner.refresh_from_db()
    assert send.learner.status == "bounced"

    log_in(page, "carol")
    page.goto(live_server.url + reverse("admin:campaigns_inboundmessage_changelist"))
    page.check("input.action-select")
    page.select_option("select[name=action]", "reclassify")
    page.click("button[name=index]")

    assert page.locator("#to-active").inner_text() == "1"
    assert page.locator("#category-changes").inner_text() == "1"
    assert "ada@school.example" in page.locator("table.reclassify-learners").inner_text()
    assert "soft / mailbox_full" in page.locator("table.reclassify-events").inner_text()
    screenshot(page, "reclassify_preview")
    send.learner.refresh_from_db()
    assert send.learner.status == "bounced" and not Clearance.objects.exists()

    page.click("input[value='Apply the re-classification']")

    assert "Re-classified 1 message" in page.locator(".messagelist").inner_text()
    screenshot(page, "reclassify_applied")
    send.learner.refresh_from_db()
    assert send.learner.status == "active" and Clearance.objects.get().cleared_by == cx_user
