"""In Chromium: an admin invites a colleague, the colleague follows the link from the real mail
(aiosmtpd), chooses a password, and logs in as a member of the organization; then sets up
two-factor authentication and logs in again with a code computed from the secret the page shows."""

import re
from base64 import b32decode
from email import message_from_bytes

import pytest
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def invite_and_join(page, browser, log_in, live_server, mail_sink, axe, username="dora"):
    """Alice invites dora@acme.example (viewer, may clear bounces); the invitee follows the mailed link in
    a browser of their own and joins. Returns the invitee's page, on the login page."""
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
    invitee.fill("input[name=username]", username)
    invitee.fill("input[name=password1]", PASSWORD)
    invitee.fill("input[name=password2]", PASSWORD)
    invitee.get_by_role("button", name="Join").click()
    invitee.wait_for_load_state("networkidle")
    assert invitee.url.endswith("/accounts/login/")
    return invitee


def test_invite_accept_and_log_in(page, browser, live_server, log_in, admin_member, mail_sink, axe):
    invitee = invite_and_join(page, browser, log_in, live_server, mail_sink, axe)

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


def app_code(secret: str, after_step: int) -> str:
    """What an authenticator app holding ``secret`` (base32, as the page shows it) shows now; a step
    later when the current step's code was used already (each step's code logs in once)."""
    key = b32decode(secret.replace(" ", ""))
    now_step = TOTP(key).t()
    return f"{totp(key, drift=max(0, after_step + 1 - now_step)):06d}"


def test_invite_accept_set_up_two_factor_and_log_in_with_a_code(
    page, browser, live_server, log_in, admin_member, mail_sink, axe, screenshot
):
    invitee = invite_and_join(page, browser, log_in, live_server, mail_sink, axe)
    log_in(invitee, "dora", PASSWORD)

    invitee.get_by_role("link", name="dora").click()  # the name in the header: the account page
    invitee.get_by_role("link", name="Set up two-factor authentication").click()
    invitee.wait_for_load_state("networkidle")
    qr = invitee.get_by_role("img", name="QR code holding the secret key for BouncePortal")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the data: URI rendered
    secret = invitee.locator("#secret-key").inner_text()
    assert violations(invitee, axe) == []
    screenshot(invitee, "two-factor-enrol")
    invitee.get_by_label("Code from the app").fill(app_code(secret, after_step=-1))
    invitee.get_by_role("button", name="Turn on two-factor authentication").click()
    invitee.wait_for_load_state("networkidle")
    codes = invitee.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert violations(invitee, axe) == []
    screenshot(invitee, "two-factor-backup-codes")
    invitee.get_by_role("link", name="I have kept them: continue").click()
    invitee.get_by_role("button", name="Log out").click()
    invitee.wait_for_load_state("networkidle")

    log_in(invitee, "dora", PASSWORD)
    assert "/accounts/login/code/" in invitee.url
    assert invitee.get_by_role("heading", name="Two-factor authentication").is_visible()
    assert violations(invitee, axe) == []
    invitee.get_by_label("Code").fill("000000" if app_code(secret, 0) != "000000" else "111111")
    invitee.get_by_role("button", name="Continue").click()
    invitee.wait_for_load_state("networkidle")
    assert "That code is not right" in invitee.content(), invitee.locator(
        ".field-error, .errors, .messages"
    ).all_inner_texts()
    screenshot(invitee, "two-factor-wrong-code")
    invitee.wait_for_timeout(1100)  # the device takes no code for 1 s after a wrong one
    device = TOTPDevice.objects.get(user__username="dora")
    invitee.get_by_label("Code").fill(app_code(secret, after_step=device.last_t))
    invitee.get_by_role("button", name="Continue").click()
    invitee.wait_for_load_state("networkidle")

    assert invitee.url.endswith("/learners/")
    assert invitee.locator(".user").inner_text() == "dora · Viewer"
    invitee.goto(f"{live_server.url}/account/two-factor/")
    assert invitee.get_by_role("heading", name="Two-factor authentication is on").is_visible()
    assert "10 unused backup codes left" in invitee.content()
    screenshot(invitee, "two-factor-account")
    invitee.context.close()

    # Alice (an admin without two-factor authentication) makes it a rule for admins: from then on
    # she can reach only the set-up page.
    page.goto(f"{live_server.url}/settings/security/")
    assert page.locator("#admins-title + ul").inner_text() == "alice"
    page.get_by_label("Require two-factor authentication for admins").check()
    screenshot(page, "two-factor-security-settings")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "/account/two-factor/set-up/" in page.url
    assert "requires two-factor authentication for admins" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/learners/")
    assert "/account/two-factor/set-up/" in page.url
    screenshot(page, "two-factor-required-enrol")
