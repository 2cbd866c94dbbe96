"""In Chromium: an admin invites a colleague, the colleague follows the link from the real mail
(aiosmtpd), chooses a password, and logs in as a member of the organization."""

import re
from email import message_from_bytes

import pytest

from contacts.models import Membership
from tests.browser.test_accessibility import AXE, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/accounts/invitation/\S+/")
PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/browser` (make test does)")
    return AXE


def test_invite_accept_and_log_in(page, browser, live_server, log_in, admin_member, mail_sink, axe):
    log_in(page, "alice")
    page.goto(f"{live_server.url}/settings/members/")
    page.get_by_label("Email address").fill("dora@acme.example")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_label("May clear bounces").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state("networkidle")
    assert "Invitation sent to dora@acme.example" in page.content()

    (received,) = mail_sink.wait_for(1, timeout=10)
    message = message_from_bytes(received.data)
    assert message["To"] == "dora@acme.example"
    link = LINK.search(message.get_payload(decode=True).decode())
    assert link, message.get_payload()

    invitee = browser.new_context().new_page()
    invitee.goto(link.group(0))
    assert invitee.get_by_role("heading", name="Join Acme Training").is_visible()
    assert violations(invitee, axe) == []
    invitee.fill("input[name=username]", "dora")
    invitee.fill("input[name=password1]", PASSWORD)
    invitee.fill("input[name=password2]", PASSWORD)
    invitee.get_by_role("button", name="Join").click()
    invitee.wait_for_load_state("networkidle")
    assert invitee.url.endswith("/accounts/login/")

    log_in(invitee, "dora", PASSWORD)
    assert "/accounts/login/" not in invitee.url
    assert invitee.locator(".user").inner_text() == "dora · Viewer"
    assert invitee.locator(".org-name").inner_text() == "Acme Training"
    membership = Membership.objects.get(user__username="dora")
    assert (membership.organization_id, membership.role, membership.may_clear_bounces) == (
        admin_member.organization_id,
        "viewer",
        True,
    )
    invitee.context.close()
