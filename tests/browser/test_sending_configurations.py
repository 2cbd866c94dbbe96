"""Sending configurations, the product alert and a paused run, in a real browser (screenshots saved)."""

import pytest
from django.utils import timezone

from campaigns.models import RunStatus
from tests.factories import BLOCK, BounceEventFactory, CampaignRunFactory, SendFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paused_run(admin_member):
    """A run the guard paused: Proofpoint refused 8 of its 20 sends at 4 domains."""
    org = admin_member.organization
    run = CampaignRunFactory(
        campaign__organization=org,
        campaign__name="Invoice lure — May",
        campaign__from_email="training@phish.acme.example",
        status=RunStatus.PAUSED,
        paused_at=timezone.now(),
        pause_reason="Proofpoint blocked 40.0 % of 20 sends, the pause share (20.00 %)",
    )
    for index in range(20):
        send = SendFactory(run=run, learner__email=f"l{index}@corp{index % 4}.example")
        if index < 8:
            send.status = "bounced"
            send.save(update_fields=["status"])
            BounceEventFactory(
                send=send,
                **{
                    **BLOCK,
                    "reason": "blocked",
                    "subtype": "block_general",
                    "diagnostic": "554 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.7",
                },
                filter_product="Proofpoint",
                blocklist="Proofpoint PDR",
                sender_side=True,
                remote_mta=f"mx0a-00{index % 4}.pphosted.com",
                evidence=[{"rule": "product Proofpoint: remote host *.pphosted.com (obs, X1)", "text": "pphosted"}],
            )
    return run


def test_paused_run_alert_and_guidance_pages(page, live_server, log_in, paused_run, screenshot):
    log_in(page, "alice")

    page.goto(f"{live_server.url}/campaigns/runs/{paused_run.pk}/")
    paused_text = page.locator(".run-paused").inner_text()
    alert_text = page.locator(".allowlisting-alert").first.inner_text()
    screenshot(page, "h14-paused-run")
    page.click("text=Review your allowlisting in Proofpoint")
    page.wait_for_load_state("networkidle")
    heading = page.locator("h1").inner_text()
    page.fill("textarea[name=text]", "PPS is run by Dana (IT); ask her for a Policy Route.")
    page.click("button:has-text('Add note')")
    page.wait_for_load_state("networkidle")
    note = page.locator(".guidance-notes").inner_text()
    screenshot(page, "h14-guidance-proofpoint")
    page.goto(f"{live_server.url}/campaigns/sending-configurations/authentication/")
    records = page.locator(".dns-records").inner_text()
    screenshot(page, "h14-guidance-authentication")
    page.goto(f"{live_server.url}/campaigns/sending-configurations/")
    screenshot(page, "h14-guidance-index")
    page.goto(f"{live_server.url}/reports/dashboards/learners/")
    dashboard = page.locator("main").inner_text()
    screenshot(page, "h14-dashboard")
    page.goto(f"{live_server.url}/campaigns/runs/{paused_run.pk}/")
    page.click("button:has-text('Resume sending')")
    page.wait_for_load_state("networkidle")
    after = page.locator("main").inner_text()

    assert "The run guard paused this run" in paused_text and "Proofpoint blocked 40.0 %" in paused_text
    assert "Proofpoint refused 40% of this run's sends at 4 domains" in alert_text
    assert heading == "Proofpoint"
    assert "ask her for a Policy Route" in note
    assert "_dmarc.phish.acme.example" in records
    assert f"Run {paused_run.pk} of Invoice lure — May is paused" in dashboard
    assert "is sending again" in after
