"""In Chromium: clear by address list (organization autocomplete, preview, confirm) and a raw bounce page."""

import pytest
from django.utils import timezone

from contacts.models import Clearance, Learner
from tests.browser.test_admin_bulk_clear import admin_log_in
from tests.factories import InboundMessageFactory, LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_clears_a_pasted_address_list_for_one_organization(page, live_server, cx_user, org, screenshot):
    LearnerFactory(
        organization=org,
        email="ada@acme.example",
        status="bounced",
        last_bounce_category="hard",
        last_bounce_subtype="address_unknown",
        last_bounced_at=timezone.now(),
    )
    LearnerFactory(organization=org, email="grace@acme.example")

    admin_log_in(page, live_server, "carol", "/admin/contacts/learner/")
    page.click("text=Clear by address list")
    page.click(".select2-selection")  # the organization autocomplete
    page.fill(".select2-search__field", "Acme")
    page.click(".select2-results__option >> text=Acme Training")
    page.fill("textarea[name=addresses]", "ADA@acme.example\ngrace@acme.example\nnobody@acme.example")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.locator("#matched-bounced").inner_text() == "1"
    assert page.locator("#matched-not-bounced").inner_text() == "1"
    assert page.locator("#not-found").inner_text() == "1"
    screenshot(page, "admin-address-list-preview")
    page.fill("textarea[name=note]", "Customer confirmed Ada's mailbox works again")
    page.click("input[type=submit].default")
    page.wait_for_load_state("networkidle")

    assert page.locator("#job-status").inner_text() == "Done"
    assert Learner.objects.get(email="ada@acme.example").status == "active"
    assert Clearance.objects.get().via == "address_list"


def test_raw_bounce_is_shown_as_text_and_runs_no_script(page, live_server, cx_user, org, screenshot):
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Content-Type: text/html\r\n\r\n<h1>Big heading</h1><script>document.title='pwned'</script>"
        b"<img src=x onerror=\"document.title='pwned'\">550 5.1.1 User unknown\r\n"
    )
    message = InboundMessageFactory(organization=org, raw=raw, subject="Undelivered Mail Returned to Sender")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())

    admin_log_in(page, live_server, "carol", f"/admin/campaigns/inboundmessage/{message.pk}/change/")

    raw_text = page.locator("pre.raw-message").inner_text()
    assert "<h1>Big heading</h1><script>" in raw_text
    assert page.locator("h1:has-text('Big heading')").count() == 0
    assert "pwned" not in page.title() and dialogs == []
    screenshot(page, "admin-inbound-message")
