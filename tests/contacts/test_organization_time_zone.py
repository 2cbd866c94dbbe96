"""Every date and time a member sees is in the organization's time zone, named on every page."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

# 20:30 UTC on 1 March is 05:30 on 2 March in Tokyo (UTC+9, no daylight saving time).
BOUNCED_AT = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)


@pytest.fixture
def tokyo_org(org):
    org.time_zone, org.time_zone_chosen = "Asia/Tokyo", True
    org.save()
    return org


@pytest.fixture
def bounced_learner(tokyo_org):
    return LearnerFactory(
        organization=tokyo_org,
        email="ada@school.example",
        status="bounced",
        status_since=BOUNCED_AT,
        last_bounced_at=BOUNCED_AT,
        last_bounce_category="hard",
    )


def test_every_page_names_the_time_zone(admin_client, tokyo_org):
    response = admin_client.get(reverse("contacts:learner-list"))

    assert "Times in Asia/Tokyo" in response.content.decode()


def test_learner_pages_show_times_in_the_organizations_zone(admin_client, bounced_learner):
    listing = admin_client.get(reverse("contacts:learner-list")).content.decode()
    edit = admin_client.get(reverse("contacts:learner-edit", args=[bounced_learner.pk])).content.decode()

    assert "2026-03-02 05:30" in listing
    assert "since 2026-03-02 05:30" in edit
    assert "2026-03-01 20:30" not in listing + edit


def test_csv_export_writes_times_in_the_organizations_zone_with_the_offset(admin_client, bounced_learner):
    response = admin_client.get(reverse("contacts:learner-list"), {"export": "csv"})

    assert "2026-03-02 05:30:00+09:00" in b"".join(response.streaming_content).decode()


def test_date_filters_read_dates_in_the_organizations_zone(admin_client, bounced_learner):
    on_second = admin_client.get(reverse("contacts:learner-list"), {"bounced_after": "2026-03-02"})
    until_first = admin_client.get(reverse("contacts:learner-list"), {"bounced_before": "2026-03-01"})

    assert "ada@school.example" in on_second.content.decode()
    assert "ada@school.example" not in until_first.content.decode()


def log_in(client, username, browser_time_zone):
    return client.post(
        reverse("login"),
        {"username": username, "password": "correct horse battery staple", "browser_time_zone": browser_time_zone},
    )


def test_an_admins_first_login_takes_the_browsers_time_zone(client, admin_member):
    log_in(client, "alice", "Europe/Berlin")

    admin_member.organization.refresh_from_db()
    assert admin_member.organization.time_zone == "Europe/Berlin"
    assert admin_member.organization.time_zone_chosen


def test_a_later_login_from_another_zone_changes_nothing(client, admin_member):
    log_in(client, "alice", "Europe/Berlin")
    client.logout()

    log_in(client, "alice", "America/New_York")

    admin_member.organization.refresh_from_db()
    assert admin_member.organization.time_zone == "Europe/Berlin"


def test_a_zone_chosen_in_settings_is_kept_at_login(client, admin_client, admin_member):
    admin_client.post(reverse("contacts:settings-sending"), {"time_zone": "Asia/Tokyo"})
    admin_client.logout()

    log_in(client, "alice", "Europe/Berlin")

    admin_member.organization.refresh_from_db()
    assert admin_member.organization.time_zone == "Asia/Tokyo"


def test_a_viewers_login_or_a_bogus_zone_changes_nothing(client, viewer_member, admin_member):
    log_in(client, "victor", "Europe/Berlin")
    client.logout()
    log_in(client, "alice", "Mars/Olympus_Mons")

    admin_member.organization.refresh_from_db()
    assert (admin_member.organization.time_zone, admin_member.organization.time_zone_chosen) == ("UTC", False)
