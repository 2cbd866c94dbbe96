"""Scheduling and cancelling runs from the portal, and the organization's time zone setting."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns.models import CampaignRun, RunStatus, Send, SendStatus
from campaigns.services.scheduling import schedule_new_run
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    org.time_zone = "America/New_York"
    org.save()
    return CampaignFactory(organization=org, name="Security week")


def schedule(client, campaign, **data):
    form = {"start": "2031-03-03T09:30", "spread": "on", "weekdays": ["1", "2", "3", "4", "5"]}
    form.update({"window_start": "09:00", "window_end": "17:00", "window_days": "3", **data})
    return client.post(reverse("campaigns:run-schedule", args=[campaign.pk]), form, follow=True)


def test_an_admin_schedules_a_run_over_a_send_window_read_in_the_organization_time_zone(
    admin_client, admin_member, org, campaign
):
    LearnerFactory.create_batch(3, organization=org)

    response = schedule(admin_client, campaign, domain="school.example")

    run = CampaignRun.objects.get()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("campaigns:run-detail", args=[run.pk])
    assert run.status == RunStatus.SCHEDULED and run.created_by == admin_member.user
    assert run.scheduled_for == datetime(2031, 3, 3, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert (run.window_weekdays, run.window_start, run.window_end, run.window_days) == ("12345", time(9), time(17), 3)
    assert run.audience == {"domain": "school.example"}
    assert Send.objects.filter(run=run, status=SendStatus.SCHEDULED, next_attempt_at__isnull=False).count() == 3
    assert "Scheduled for 2031-03-03 09:30 (America/New_York)" in page
    assert "spread over Mon, Tue, Wed, Thu, Fri 09:00–17:00, over 3 days" in page


def test_a_window_that_ends_before_it_starts_is_shown_again_with_the_error_and_nothing_is_scheduled(
    admin_client, org, campaign
):
    response = schedule(admin_client, campaign, window_start="17:00", window_end="09:00")

    assert response.status_code == 200
    assert "The send window must end after it starts" in response.content.decode()
    assert 'value="17:00"' in response.content.decode()  # what was typed is kept
    assert not CampaignRun.objects.exists()


def test_a_start_in_the_past_is_refused_on_the_form(admin_client, org, campaign):
    response = schedule(admin_client, campaign, start="2020-01-06T09:00")

    assert "The scheduled time is in the past." in response.content.decode()
    assert not CampaignRun.objects.exists()


def test_a_viewer_can_neither_schedule_nor_cancel(viewer_client, org, campaign):
    LearnerFactory(organization=org)
    run = schedule_new_run(campaign=campaign, start=datetime(2031, 1, 6, tzinfo=ZoneInfo("UTC")))

    scheduled = schedule(viewer_client, campaign)
    cancelled = viewer_client.post(reverse("campaigns:run-cancel", args=[run.pk]))

    run.refresh_from_db()
    assert scheduled.status_code == 403 and cancelled.status_code == 403
    assert run.status == RunStatus.SCHEDULED and CampaignRun.objects.count() == 1


def test_an_admin_cancels_a_scheduled_run_from_its_page(admin_client, org, campaign):
    LearnerFactory.create_batch(2, organization=org)
    run = schedule_new_run(campaign=campaign, start=datetime(2031, 1, 6, tzinfo=ZoneInfo("UTC")))
    page = admin_client.get(reverse("campaigns:run-detail", args=[run.pk])).content.decode()

    response = admin_client.post(reverse("campaigns:run-cancel", args=[run.pk]), follow=True)

    run.refresh_from_db()
    assert f'action="{reverse("campaigns:run-cancel", args=[run.pk])}"' in page
    assert run.status == RunStatus.CANCELLED
    assert f"Run {run.pk} cancelled; 2 unsent messages will not be sent." in response.content.decode()
    assert "Cancel run" not in response.content.decode()


def test_another_organizations_run_cannot_be_cancelled(admin_client, other_org):
    LearnerFactory(organization=other_org)
    other = schedule_new_run(
        campaign=CampaignFactory(organization=other_org), start=datetime(2031, 1, 6, tzinfo=ZoneInfo("UTC"))
    )

    response = admin_client.post(reverse("campaigns:run-cancel", args=[other.pk]))

    other.refresh_from_db()
    assert response.status_code == 404 and other.status == RunStatus.SCHEDULED


def test_the_organization_time_zone_is_a_setting_and_a_wrong_name_is_refused(admin_client, org):
    saved = admin_client.post(reverse("contacts:settings-sending"), {"time_zone": "Europe/Paris"}, follow=True)
    refused = admin_client.post(reverse("contacts:settings-sending"), {"time_zone": "Mars/Olympus"})

    org.refresh_from_db()
    assert "Sending settings saved" in saved.content.decode()
    assert "Mars/Olympus is not one of the available choices" in refused.content.decode()
    assert org.time_zone == "Europe/Paris"
