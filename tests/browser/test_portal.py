"""The portal in a real browser: clear a bounced learner, run details' chart and "i" panel, XSS as text.

Every page visited is saved under var/screenshots/ (desktop and phone width) for a person to look at.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import SendStatus
from campaigns.services.policy import apply_bounce_event, record_delivery, record_open
from tests.factories import (
    AUTOREPLY,
    BLOCK,
    SOFT,
    BounceEventFactory,
    CampaignRunFactory,
    InboundMessageFactory,
    LearnerFactory,
    SendFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo_smoke, pytest.mark.django_db(transaction=True)]

XSS = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def watched(page):
    """The page, failing the test on any JavaScript dialog or CSP violation."""
    problems = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on(
        "console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.problems = problems
    return page


@pytest.fixture
def portal_data(admin_member):
    """A run of 24 sends: deliveries, opens, hard and soft bounces, a blocking domain, an auto reply."""
    org = admin_member.organization
    now = timezone.now()
    run = CampaignRunFactory(
        campaign__organization=org,
        campaign__name="Security awareness — March",
        campaign__subject="Your password expires today",
        left_out={"bounced": 2},
        started_at=now - timedelta(hours=5),
    )
    names = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Ken Thompson",
        "Donald Knuth",
        "Margaret Hamilton",
        "Tim Berners-Lee",
        "Radia Perlman",
        "John McCarthy",
        "Frances Allen",
    ]
    sends = []
    for i in range(24):
        first, last = names[i % len(names)].split(" ", 1)
        domain = "filtered.example" if i % 4 == 0 else ("school.example" if i % 3 else "college.example")
        learner = LearnerFactory(
            organization=org,
            email=f"{first.lower()}.{i}@{domain}",
            first_name=first,
            last_name=last,
            department="Finance" if i % 2 else "Teaching",
        )
        sends.append(SendFactory(run=run, learner=learner, created_at=now - timedelta(hours=5)))
    message = InboundMessageFactory(organization=org, raw=f"Subject: Undelivered\n\n{XSS}\n".encode())
    for i, send in enumerate(sends):
        if i % 4 == 0:
            apply_bounce_event(
                event=BounceEventFactory(
                    send=send,
                    remote_mta="gw.filtered.example",
                    inbound_message=message if i == 0 else None,
                    **{**BLOCK, "diagnostic": XSS if i == 0 else BLOCK["diagnostic"]},
                )
            )
        elif i in (1, 5):
            apply_bounce_event(event=BounceEventFactory(send=send, inbound_message=message if i == 1 else None))
        elif i == 2:
            apply_bounce_event(event=BounceEventFactory(send=send, **SOFT))
        elif i == 3:
            apply_bounce_event(event=BounceEventFactory(send=send, **AUTOREPLY))
        elif i % 3 == 0:
            record_open(send=send, now=now - timedelta(hours=2))
        elif i % 5:
            record_delivery(send=send, now=now - timedelta(hours=4))
    SendFactory(
        run=run,
        status=SendStatus.SKIPPED,
        skip_reason="bounced",
        learner=LearnerFactory(organization=org, email="left.out@school.example"),
    )
    return {"run": run, "bounced": sends[1].learner, "xss_send": sends[0]}


def test_admin_clears_a_bounced_learner_by_acknowledging_the_address(
    watched, live_server, log_in, portal_data, screenshot
):
    page, learner = watched, portal_data["bounced"]
    log_in(page, "alice")

    page.goto(f"{live_server.url}/learners/?status=bounced")
    screenshot(page, "learners-bounced")
    page.click(f"text={learner.email}")
    screenshot(page, "learner-profile-bounced")
    page.click("text=Edit or clear bounce")
    page.check("input[name=acknowledge_valid]")
    page.fill("textarea[name=note]", "IT confirmed the mailbox exists")
    screenshot(page, "learner-edit-acknowledge")
    page.click("button:has-text('Save')")

    deliverability = page.locator(".deliverability")
    assert deliverability.locator(".badge-active").inner_text() == "Active"
    clearance = page.locator(".activity-clearance").first
    assert "Bounce status cleared" in clearance.inner_text()
    assert "IT confirmed the mailbox exists" in clearance.inner_text()
    page.locator(".activity-bounce summary").first.click()
    assert "User unknown" in page.locator(".activity-bounce .diagnostic").first.inner_text()
    screenshot(page, "learner-profile-cleared")
    assert page.problems == []


def test_run_details_chart_info_panel_and_xss_shown_as_text(watched, live_server, log_in, portal_data, screenshot):
    page, run = watched, portal_data["run"]
    log_in(page, "alice")

    page.goto(f"{live_server.url}/campaigns/runs/{run.pk}/")
    chart = page.locator("svg.bar-chart")
    assert chart.get_attribute("role") == "group"  # its bars link to the filtered sends: a group of links
    assert "by status" in chart.locator("title").text_content()
    assert chart.locator("text.bar-value").count() == 8
    assert "Review your allowlisting for filtered.example" in page.locator(".allowlisting-alert").first.inner_text()
    screenshot(page, "run-details")

    row = page.locator("tr", has_text=portal_data["xss_send"].email)
    row.locator(".info-panel summary").click()
    panel = row.locator(".info-body")
    assert panel.is_visible()
    assert XSS in panel.locator(".diagnostic").inner_text()
    assert "gw.filtered.example" in panel.inner_text()
    assert "Verified" in panel.inner_text()
    screenshot(page, "run-details-info-panel")

    panel.locator("text=Show the message as received").click()
    assert XSS in page.locator("pre.raw-message").inner_text()
    screenshot(page, "raw-message")
    assert page.problems == []


def test_reports_and_settings_pages(watched, live_server, log_in, portal_data, screenshot):
    page = watched
    log_in(page, "alice")

    page.goto(f"{live_server.url}/reports/")
    screenshot(page, "reports-index")
    page.click("text=Your Learner Reports")
    page.wait_for_load_state()  # the page the click opened, not the one it left
    assert page.locator("svg.column-chart").count() == 1
    assert "Review your allowlisting for filtered.example" in page.content()
    screenshot(page, "learner-report")
    page.goto(f"{live_server.url}/reports/email-status/")
    assert "Security awareness — March" in page.locator("table").first.inner_text()
    screenshot(page, "email-status-report")

    page.goto(f"{live_server.url}/settings/")
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "Settings"
    screenshot(page, "settings")
    page.goto(f"{live_server.url}/settings/policy/")
    page.fill("input[name=soft_threshold_unengaged]", "0")
    page.click("button:has-text('Save policy')")
    assert "Must be a whole number of at least 1." in page.locator(".field.has-error").inner_text()
    screenshot(page, "settings-policy-error")
    page.goto(f"{live_server.url}/settings/automation/")
    page.select_option("select[name=category]", "soft")
    page.select_option("select[name=action]", "resend")
    page.click("button:has-text('Add rule')")
    assert "Add to the resend list" in page.locator("table").inner_text()
    screenshot(page, "settings-automation")
    assert page.problems == []


def test_pages_fit_a_phone_screen(phone_page, live_server, log_in, portal_data, screenshot):
    page = phone_page
    log_in(page, "alice")

    for name, path in [
        ("phone-learners", "/learners/"),
        ("phone-learner-profile", f"/learners/{portal_data['bounced'].pk}/"),
        ("phone-learner-edit", f"/learners/{portal_data['bounced'].pk}/edit/"),
        ("phone-run-details", f"/campaigns/runs/{portal_data['run'].pk}/"),
        ("phone-learner-report", "/reports/dashboards/learners/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, name)

        assert page_width <= 390 + 1, f"{path} scrolls sideways on a phone ({page_width}px)"


def test_admin_bulk_clears_the_learners_of_a_domain(watched, live_server, log_in, portal_data, screenshot):
    page = watched
    log_in(page, "alice")

    page.goto(f"{live_server.url}/learners/?status=bounced")
    page.check("th input.select-all")
    assert page.locator("tbody input[name=select]:checked").count() == page.locator("tbody tr").count()
    page.click("text=Clear bounce status of selected…")
    assert "bounced learners will be cleared" in page.locator("form.card").inner_text()
    page.click("button[name=confirm]")
    page.wait_for_load_state()  # the page the click opened, not the one it left
    assert "Say why these addresses are valid." in page.content() or "This field is required." in page.content()
    page.fill("textarea[name=note]", "Mailboxes restored by IT")
    screenshot(page, "learners-bulk-clear-confirm")
    page.click("button[name=confirm]")

    assert "Cleared the bounce status of" in page.locator(".messages").inner_text()
    assert page.locator("tbody tr", has_text="bounced").count() == 0
    screenshot(page, "learners-bulk-cleared")
    assert page.problems == []
