"""The scheduled-run form in a real browser: a window that ends before it starts is re-shown with its
error and what was typed, a good one schedules the run, whose page says when and how it is spread and
can cancel it."""

from datetime import time

import pytest
from django.urls import reverse

from campaigns.models import CampaignRun, RunStatus, Send
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_schedules_a_run_over_a_send_window_and_cancels_it(page, live_server, log_in, admin_member, screenshot):
    org = admin_member.organization
    org.time_zone, org.time_zone_chosen = "Europe/Paris", True  # chosen: the first login keeps it
    org.save()
    campaign = CampaignFactory(organization=org, name="Security week", subject="{{ first_name }}, a quick check")
    LearnerFactory.create_batch(5, organization=org)
    log_in(page, "alice")
    page.goto(live_server.url + reverse("campaigns:campaign-detail", args=[campaign.pk]))
    page.click("text=Schedule a run for later…")

    page.fill("input[name=start]", "2031-03-03T08:30")
    page.check("input[name=spread]")
    page.fill("input[name=window_start]", "17:00")
    page.fill("input[name=window_end]", "09:00")
    page.click("button:has-text('Schedule run')")
    assert "The send window must end after it starts" in page.locator(".errors").inner_text()
    assert page.input_value("input[name=window_start]") == "17:00"
    screenshot(page, "schedule_run_error")
    assert not CampaignRun.objects.exists()

    page.fill("input[name=window_start]", "09:00")
    page.fill("input[name=window_end]", "17:00")
    page.fill("input[name=window_days]", "3")
    page.uncheck("input[name=weekdays][value='3']")  # no Wednesdays
    page.click("button:has-text('Schedule run')")
    page.wait_for_url("**/campaigns/runs/*/")
    run = CampaignRun.objects.get()
    schedule = page.locator(".schedule").first.inner_text()
    assert "Scheduled for 2031-03-03 08:30 (Europe/Paris)" in schedule
    assert "spread over Mon, Tue, Thu, Fri 09:00–17:00, over 3 days" in schedule
    assert (run.window_weekdays, run.window_start, run.status) == ("1245", time(9), RunStatus.SCHEDULED)
    screenshot(page, "schedule_run_scheduled")

    page.click("button:has-text('Cancel run')")
    page.wait_for_load_state()  # the page the click opened, not the one it left
    assert "5 unsent messages will not be sent" in page.locator(".messages, [role=status], body").first.inner_text()
    assert page.locator(".badge-run-cancelled").is_visible()
    screenshot(page, "schedule_run_cancelled")
    assert set(Send.objects.filter(run=run).values_list("skip_reason", flat=True)) == {"cancelled"}
