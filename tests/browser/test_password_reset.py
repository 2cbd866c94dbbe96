"""In the browser: a forgotten password is reset from the login page through the mailed link."""

import pytest

from tests.test_password_reset import reset_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_resets_a_forgotten_password_and_logs_in(page, live_server, log_in, admin_member, mail_sink, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Forgot your password?")
    page.fill("input[name=email]", "alice@portal.example")
    screenshot(page, "password-reset-form")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your email")

    page.goto(reset_link(mail_sink))
    page.fill("input[name=new_password1]", "a much better passphrase 7")
    page.fill("input[name=new_password2]", "a much better passphrase 7")
    screenshot(page, "password-reset-confirm")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Password changed")
    log_in(page, "alice", password="a much better passphrase 7")

    assert page.url.endswith("/learners/")
