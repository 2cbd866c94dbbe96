"""The never-suppress settings page in a real browser: a bad entry is re-shown with its error, a good one
is listed, the learner's profile says why they are never suppressed, and the entry can be removed."""

import pytest
from django.urls import reverse

from campaigns.services.policy import apply_bounce_event
from contacts.models import NeverSuppress
from tests.factories import BounceEventFactory, SendFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_manages_the_never_suppress_list(page, live_server, log_in, admin_member, screenshot):
    org = admin_member.organization
    send = SendFactory(run__campaign__organization=org, learner__email="ceo@acme.example", email="ceo@acme.example")
    log_in(page, "alice")
    page.goto(live_server.url + reverse("contacts:settings-never-suppress"))

    page.fill("input[name=entry]", "not a domain")
    page.fill("input[name=reason]", "Typo")
    page.click("text=Add to the list")
    assert page.locator(".field-error").first.inner_text().startswith("'not a domain' is neither")
    page.fill("input[name=entry]", "@Acme.example")
    page.fill("input[name=reason]", "Our executives and test mailboxes")
    page.click("text=Add to the list")
    page.wait_for_load_state()  # the page the click opened, not the one it left
    row = page.locator("#never-suppress-entries tbody tr")
    assert row.count() == 1 and "acme.example" in row.inner_text() and "Domain" in row.inner_text()
    screenshot(page, "never_suppress_settings")

    apply_bounce_event(event=BounceEventFactory(send=send))
    page.goto(live_server.url + reverse("contacts:learner-detail", args=[send.learner.pk]))
    assert "Our executives and test mailboxes" in page.locator(".never-suppress").inner_text()
    assert page.locator(".badge-active").first.is_visible()
    screenshot(page, "never_suppress_profile")

    page.goto(live_server.url + reverse("contacts:settings-never-suppress"))
    page.click('#never-suppress-entries button:has-text("Remove")')
    page.wait_for_load_state()  # the page the click opened, not the one it left
    assert "Nobody is on the list" in page.content() and "Removed lately" in page.content()
    assert NeverSuppress.objects.get().removed_by == admin_member.user
