"""Every portal page passes axe-core in Chromium with no serious or critical violation.

axe-core comes from the npm registry (tests/browser/package.json; ``make test`` installs it with
``npm ci``) and is injected into each page the test opens. The pages are the tenancy walk's: every
list page and every page of an object, with one object of each kind in the admin's organization.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.factories import BounceEventFactory, LearnerFactory, SendFactory
from tests.test_tenancy import LIST_URLS, OBJECT_URLS, objects_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/browser` (make test does)")
    return AXE


def violations(page, axe) -> list[dict]:
    """The page's serious and critical axe-core violations: rule, impact, and the first offending nodes."""
    page.evaluate(axe.read_text())  # through the DevTools protocol: the page's CSP forbids inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]], "help": v["help"]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def portal_paths(objects) -> list[str]:
    """Every list page, then every page of an object that answers GET with a page."""
    paths = [reverse(name) for name in LIST_URLS]
    paths += [reverse(name, kwargs=kwargs(objects)) for name, kwargs in sorted(OBJECT_URLS.items())]
    return paths


def test_every_portal_page_has_no_serious_accessibility_violation(page, live_server, log_in, admin_member, axe):
    objects = objects_of(admin_member.organization)
    run = objects["run"]
    BounceEventFactory(send=SendFactory(run=run, status="bounced"))
    log_in(page, "alice")

    found = {}
    for path in portal_paths(objects):
        try:
            response = page.goto(f"{live_server.url}{path}")
        except PlaywrightError:  # an empty error page (405 for a POST-only action)
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue  # a POST-only action, a download
        page_violations = violations(page, axe)
        if page_violations:
            found[path] = page_violations

    assert found == {}, json.dumps(found, indent=1)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_the_bulk_clear_flow_works_with_the_keyboard_alone(page, live_server, log_in, admin_member, axe):
    learner = LearnerFactory(organization=admin_member.organization, email="ada@school.example", status="bounced")
    log_in(page, "alice")
    page.goto(f"{live_server.url}{reverse('contacts:learner-list')}")

    tab_to(page, f"input[name=select][value='{learner.pk}']")
    page.keyboard.press("Space")
    tab_to(page, ".bulk-actions button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=will be cleared")
    assert violations(page, axe) == []
    tab_to(page, "textarea[name=note]")
    page.keyboard.type("IT confirmed the mailbox exists")
    tab_to(page, "button[name=confirm]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "Cleared the bounce status of" in page.locator(".messages").inner_text()

    learner.refresh_from_db()
    assert learner.status == "active"


def test_every_chart_has_its_numbers_as_text(page, live_server, log_in, admin_member):
    objects = objects_of(admin_member.organization)
    BounceEventFactory(send=SendFactory(run=objects["run"], status="bounced"))
    log_in(page, "alice")

    for path in (
        reverse("reports:learner-report"),
        reverse("reports:email-status"),
        reverse("campaigns:run-detail", args=[objects["run"].pk]),
    ):
        page.goto(f"{live_server.url}{path}")
        for chart in page.locator("svg.bar-chart, svg.column-chart").all():
            title, desc = chart.locator("title").text_content() or "", chart.locator("desc").text_content() or ""
            assert title.strip(), path
            assert any(ch.isdigit() for ch in desc), path


def test_the_digest_pages_have_no_serious_accessibility_violation(
    page, live_server, log_in, admin_member, axe, screenshot
):
    from contacts.digest_subscriptions import set_digest_frequency, unsubscribe_token

    subscription = set_digest_frequency(membership=admin_member, frequency="daily")
    log_in(page, "alice")
    page.goto(f"{live_server.url}{reverse('contacts:settings-digest')}")
    settings_page = violations(page, axe)
    screenshot(page, "digest-settings")
    page.context.clear_cookies()  # the unsubscribe link works without a login

    page.goto(f"{live_server.url}{reverse('digest-unsubscribe', args=[unsubscribe_token(subscription)])}")
    confirm = violations(page, axe)
    screenshot(page, "digest-unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("text=You are unsubscribed")
    done = violations(page, axe)
    screenshot(page, "digest-unsubscribed")

    assert (settings_page, confirm, done) == ([], [], [])
    subscription.refresh_from_db()
    assert subscription.frequency == "off"
