"""Your Learner Reports: widgets over the date range, each linking to the filtered learner list."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import SendStatus
from campaigns.services.policy import apply_bounce_event
from contacts.deliverability import clear_bounce_status
from tests.factories import (
    BLOCK,
    SOFT,
    BounceEventFactory,
    CampaignRunFactory,
    LearnerFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db
REPORT = reverse("reports:learner-report")


def bounce(org, *, email=None, run=None, days_ago=0, **kind):
    when = timezone.now() - timedelta(days=days_ago)
    send = SendFactory(
        run=run or CampaignRunFactory(campaign__organization=org), **({"learner__email": email} if email else {})
    )
    apply_bounce_event(event=BounceEventFactory(send=send, occurred_at=when, **kind), now=when)
    send.learner.refresh_from_db()
    return send


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_headline_counts_link_to_the_filtered_learner_list(admin_client, org):
    bounce(org)
    bounce(org, days_ago=60)

    body = admin_client.get(REPORT).content.decode()

    assert '<span class="stat-number">2</span><span class="stat-label">learners bounced now' in body
    assert '<span class="stat-number">1</span><span class="stat-label">bounced in this range' in body
    assert 'href="/learners/?status=bounced"' in body


def test_trend_counts_bounces_per_day_in_the_range(admin_client, org):
    bounce(org, days_ago=2)
    bounce(org, days_ago=2, **SOFT)
    bounce(org, days_ago=40)

    rows = csv_rows(admin_client.get(REPORT, {"export": "csv", "table": "trend"}))

    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert rows[0] == ["Period starting", "Hard bounces", "Soft bounces", "Mail blocks", "Total"]
    assert len(rows) == 1 + 30
    assert [day, "1", "1", "0", "2"] in rows


def test_a_longer_range_is_grouped_by_week(admin_client, org):
    response = admin_client.get(REPORT, {"start": "2026-01-01", "end": "2026-06-30"})

    assert "Bounces per week" in response.content.decode()


def test_categories_and_domains_widgets_link_to_the_learner_list(admin_client, org):
    bounce(org, email="a@blocked.example", **BLOCK)
    bounce(org, email="b@blocked.example", **BLOCK)
    bounce(org, email="c@gone.example")

    body = admin_client.get(REPORT).content.decode()
    domains = csv_rows(admin_client.get(REPORT, {"export": "csv", "table": "domains"}))

    assert domains[1:] == [["blocked.example", "2", "0"], ["gone.example", "1", "1"]]
    assert "/learners/?domain=blocked.example&amp;bounced_after=" in body
    assert "/learners/?category=block&amp;subtype=spam_detected&amp;bounced_after=" in body


def test_repeat_bouncers_and_near_threshold_learners_are_listed(admin_client, org, admin_member):
    repeat = bounce(org).learner
    clear_bounce_status(learner=repeat, cleared_by=admin_member.user)
    apply_bounce_event(event=BounceEventFactory(send=SendFactory(run__campaign__organization=org, learner=repeat)))
    near = LearnerFactory(organization=org, soft_bounce_count=9)

    body = admin_client.get(REPORT).content.decode()

    repeat_section = body[body.index('id="repeat-title"') : body.index('id="near-title"')]
    near_section = body[body.index('id="near-title"') :]
    assert repeat.email in repeat_section
    assert near.email in near_section


def test_allowlisting_alert_is_raised_for_a_blocking_domain(admin_client, org):
    run = CampaignRunFactory(campaign__organization=org, campaign__name="Security week")
    for i in range(4):
        bounce(org, run=run, email=f"u{i}@strict.example", **BLOCK)
    for _ in range(6):
        SendFactory(run=run, status=SendStatus.DELIVERED)

    body = admin_client.get(REPORT).content.decode()

    assert "Review your allowlisting for strict.example" in body
    assert f"run {run.pk} of Security week" in body


def test_an_invalid_range_is_shown_next_to_its_field_and_the_default_used(admin_client, org):
    response = admin_client.get(REPORT, {"start": "2026-05-10", "end": "2026-05-01"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "The start must be on or before the end." in body
    assert "(30 days)" in body


@pytest.mark.parametrize("params", [{"end": "0001-01-02"}, {"start": "9999-12-30", "end": "9999-12-31"}])
def test_a_range_at_the_ends_of_the_calendar_is_refused_and_the_default_used(admin_client, org, params):
    response = admin_client.get(REPORT, params)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a date" in body
    assert "(30 days)" in body


def test_unknown_export_table_is_a_404(admin_client, org):
    assert admin_client.get(REPORT, {"export": "csv", "table": "nope"}).status_code == 404


def test_report_query_count_does_not_grow_with_data(admin_client, org, django_assert_max_num_queries):
    run = CampaignRunFactory(campaign__organization=org)
    bounce(org, run=run, **BLOCK)
    with django_assert_max_num_queries(16):
        admin_client.get(REPORT)
    for i in range(40):
        bounce(org, run=run if i % 2 else None, days_ago=i % 20, **(BLOCK if i % 3 else SOFT))

    with django_assert_max_num_queries(16):
        response = admin_client.get(REPORT)

    assert response.status_code == 200


def test_each_trend_column_links_to_the_learners_of_that_day(admin_client, org):
    bounce(org, days_ago=3)

    body = admin_client.get(REPORT).content.decode()

    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert f'<a href="/learners/?bounced_after={day}&amp;bounced_before={day}" aria-label=' in body
