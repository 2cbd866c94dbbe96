"""In the browser: the header's picker switches the portal to German and back, with the keyboard alone."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_language(page, code: str) -> None:
    """Choose ``code`` in the header's picker and submit it, by keyboard (focus, arrow keys, Enter)."""
    page.focus("#header-language")
    page.select_option("#header-language", code)
    page.focus(".topbar .language-picker button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_picker_switches_the_portal_to_german_and_back(page, live_server, log_in, admin_member, screenshot):
    LearnerFactory(
        organization=admin_member.organization,
        email="ada@school.example",
        status="bounced",
        status_since=dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC),
    )
    log_in(page, "alice")
    page.goto(f"{live_server.url}{reverse('contacts:learner-list')}")
    assert page.locator("h1").inner_text() == "Learners"
    screenshot(page, "language-learners-en")

    pick_language(page, "de")

    assert page.url.endswith(reverse("contacts:learner-list"))  # back on the same page
    assert page.locator("h1").inner_text() == "Lernende"
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".nav").inner_text().split() == [
        "Kampagnen",
        "Lernende",
        "Berichte",
        "Prüfung",
        "Versandkonfigurationen",
        "Einstellungen",
    ]
    screenshot(page, "language-learners-de")
    page.goto(f"{live_server.url}{reverse('reports:learner-report')}")
    assert page.locator("h1").inner_text() == "Ihre Berichte zu Lernenden"
    screenshot(page, "language-report-de")
    page.goto(f"{live_server.url}{reverse('contacts:settings')}")
    assert "Bounce-Richtlinie" in page.locator("main").inner_text()
    screenshot(page, "language-settings-de")

    pick_language(page, "en")

    assert page.locator("h1").inner_text() == "Settings"
    screenshot(page, "language-settings-en")


def test_the_login_page_picker_works_before_logging_in(page, live_server, admin_member, screenshot):
    page.goto(f"{live_server.url}{reverse('login')}")

    page.select_option("#login-language", "de")
    with page.expect_navigation():
        page.click(".language-picker button")

    assert page.locator(".login-card button[type=submit]").first.inner_text() == "Anmelden"
    assert page.locator(".login-help a").inner_text() == "Passwort vergessen?"
    screenshot(page, "language-login-de")
