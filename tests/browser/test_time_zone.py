"""In the browser: a new organization's first admin login takes the browser's time zone."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def berlin_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_first_login_takes_the_browsers_zone_and_names_it(berlin_page, log_in, admin_member, screenshot):
    log_in(berlin_page, "alice")

    assert berlin_page.locator(".org-zone").inner_text() == "Times in Europe/Berlin"
    admin_member.organization.refresh_from_db()
    assert admin_member.organization.time_zone == "Europe/Berlin"
    screenshot(berlin_page, "time-zone-from-browser")
