"""The run page's rates over delivered mail and its "opened after bouncing" flag, in a real browser
(screenshot saved)."""

import pytest

from campaigns.models import RunStatus, SendStatus
from campaigns.services.engagement import Hit, record_click, record_open
from campaigns.services.policy import apply_bounce_event
from tests.factories import COMPLAINT, BounceEventFactory, CampaignRunFactory, SendFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTLOOK = Hit(user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Outlook 16.0", ip="198.51.100.7")
SCANNER = Hit(user_agent="Proofpoint URL Defense", ip="198.51.100.9")


@pytest.fixture
def run(admin_member, settings):
    """20 sends: 4 bounced (a scanner opened one of them), 4 opened by people (one clicked), one complaint."""
    settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = 0
    run = CampaignRunFactory(
        campaign__organization=admin_member.organization, campaign__name="Invoice lure — May", status=RunStatus.DONE
    )
    sends = [SendFactory(run=run, learner__email=f"l{i:02}@corp{i % 3}.example") for i in range(20)]
    for send in sends[:4]:
        apply_bounce_event(event=BounceEventFactory(send=send, remote_mta="mx.corp.example"))
    record_open(send=sends[0], hit=SCANNER)
    for send in sends[4:8]:
        record_open(send=send, hit=OUTLOOK)
    record_click(send=sends[4], link_index=0, url="https://lms.example/start", link_count=1, hit=OUTLOOK)
    apply_bounce_event(event=BounceEventFactory(send=sends[9], **COMPLAINT))
    SendFactory(run=run, learner__email="later@corp0.example", status=SendStatus.SCHEDULED)
    return run


def test_the_run_page_shows_rates_over_delivered_sends_and_flags_a_send_opened_after_bouncing(
    page, live_server, log_in, run, screenshot
):
    log_in(page, "alice")

    page.goto(f"{live_server.url}/campaigns/runs/{run.pk}/")
    rates = page.locator(".engagement-rates").inner_text()
    flag = page.locator(".opened-after-bounce").inner_text()
    screenshot(page, "h14-run-opened-after-bounce")
    page.click("text=See it")
    page.wait_for_load_state("networkidle")
    rows = page.locator(".sends-table tbody tr")
    row_count, row_text = rows.count(), rows.first.inner_text()
    screenshot(page, "h14-run-opened-after-bounce-filtered")

    assert "Of the 16 delivered sends" in rates
    assert "opened by people 4 (25.0%)" in rates and "clicked: 1 (6.3%)" in rates
    assert "complaints: 1 (6.25%)" in rates
    assert "machines also opened 1 and clicked 0 times" in rates
    assert "1 send was opened after bouncing: the bounce may be false, or a scanner opened it." in flag
    assert row_count == 1 and "l00@corp0.example" in row_text and "Opened after bouncing" in row_text
