"""Your Learner Reports' categories and domains come from day counters the learner writes keep: each
learner counts once, on the day of its last bounce in the organization's zone, under its current domain."""

from datetime import UTC, date, datetime

import pytest

from campaigns.services.policy import apply_bounce_event
from contacts.deliverability import change_learner_email
from contacts.learner_counters import bounced_days_for_organization, counted_learner_days
from contacts.services import update_sending_settings
from reports.forms import DateRange
from reports.selectors import categories_for_organization, top_domains_for_organization
from tests.factories import SOFT, BounceEventFactory, SendFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]  # the counters' triggers are PostgreSQL's

MARCH = DateRange(start=date(2026, 3, 1), end=date(2026, 3, 31))


def bounce(org, email, when, **kind):
    send = SendFactory(run__campaign__organization=org, learner__email=email)
    apply_bounce_event(event=BounceEventFactory(send=send, occurred_at=when, **kind), now=when)
    send.learner.refresh_from_db()
    return send.learner


def test_a_learner_bounced_again_counts_once_under_its_last_bounce(org):
    learner = bounce(org, "a@full.example", datetime(2026, 3, 2, 9, 0, tzinfo=UTC), **SOFT)
    bounce(org, "b@gone.example", datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    again = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    send = SendFactory(run__campaign__organization=org, learner=learner)
    apply_bounce_event(event=BounceEventFactory(send=send, occurred_at=again), now=again)

    assert categories_for_organization(org, MARCH) == [
        {"category": "hard", "subtype": "address_unknown", "learners": 2}
    ]
    assert top_domains_for_organization(org, MARCH) == [
        {"domain": "full.example", "learners": 1, "hard": 1},
        {"domain": "gone.example", "learners": 1, "hard": 1},
    ]


def test_an_address_change_moves_the_learner_to_its_new_domain(org, cx_user):
    learner = bounce(org, "a@old.example", datetime(2026, 3, 2, 9, 0, tzinfo=UTC), **SOFT)

    change_learner_email(learner=learner, new_email="a@new.example", changed_by=cx_user)

    assert bounced_days_for_organization(org, MARCH.start, MARCH.end) == {
        "cat:soft:mailbox_full": 1,
        "domain:new.example": 1,
    }
    assert counted_learner_days(org) == {
        (org.pk, date(2026, 3, 2)): bounced_days_for_organization(org, MARCH.start, MARCH.end)
    }


def test_the_day_is_the_organizations_own_and_moves_when_its_zone_changes(org):
    bounce(org, "a@late.example", datetime(2026, 3, 31, 20, 30, tzinfo=UTC))  # already 1 April in Tokyo
    assert top_domains_for_organization(org, MARCH)[0]["learners"] == 1

    update_sending_settings(organization=org, changes={"time_zone": "Asia/Tokyo"})

    assert top_domains_for_organization(org, MARCH) == []
    april = bounced_days_for_organization(org, date(2026, 4, 1), date(2026, 4, 1))
    assert april == {"cat:hard:address_unknown": 1, "domain:late.example": 1, "hard:late.example": 1}
