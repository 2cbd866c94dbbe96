"""In the browser: an admin attaches an unmatched bounce to a learner from the review queue."""

import pytest

from tests.campaigns.test_inbound_review import unmatched  # noqa: F401  (fixture)
from tests.factories import LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_attaches_an_unmatched_bounce_from_the_queue(
    page,
    live_server,
    log_in,
    admin_member,
    unmatched,  # noqa: F811
    screenshot,
):
    ada = LearnerFactory(organization=admin_member.organization, email="ada@school.example")
    log_in(page, "alice")

    page.goto(f"{live_server.url}/reports/")
    page.click("text=1 message to review")
    screenshot(page, "review-queue")
    page.click("text=Undeliverable: Phishing awareness")
    page.fill("input[name=email]", "ada@school.example")
    screenshot(page, "review-message")
    page.click("text=Attach and apply")
    page.wait_for_selector("text=Attached to ada@school.example")

    ada.refresh_from_db()
    assert ada.status == "bounced"
