"""A run's audience (campaigns/audience.py): its own schema, validated at creation, independent of the portal filter."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.audience import AudienceError, validate_audience
from campaigns.forms import RunLaunchForm
from campaigns.models import SendStatus
from campaigns.services.sending import create_run, schedule_run
from contacts.filters import LearnerFilter
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db


def scheduled_learners(run):
    return set(run.sends.filter(status=SendStatus.SCHEDULED).values_list("learner", flat=True))


def test_a_stored_run_keeps_its_audience_when_a_learner_list_filter_is_renamed(org, monkeypatch):
    target = LearnerFactory(organization=org, email="ada@corp.example")
    LearnerFactory(organization=org, email="bob@school.example")
    run = create_run(campaign=CampaignFactory(organization=org), audience={"domain": "corp.example"})
    renamed = dict(LearnerFilter.base_filters)
    renamed["email_domain"] = renamed.pop("domain")
    monkeypatch.setattr(LearnerFilter, "base_filters", renamed)

    run = schedule_run(run=run)

    assert scheduled_learners(run) == {target.pk}


def test_the_launch_form_translates_the_learner_list_fields_into_the_audience(org):
    form = RunLaunchForm(
        {"q": " Ada ", "domain": "@Corp.example", "category": "soft", "subtype": "", "engaged": "false"},
        organization=org,
    )

    assert form.is_valid(), form.errors
    assert validate_audience(form.audience()) == {
        "search": "Ada",
        "domain": "corp.example",
        "category": "soft",
        "engaged": False,
    }


def test_an_audience_selects_by_search_category_and_engagement(org):
    now = timezone.now()
    engaged = LearnerFactory(organization=org, first_name="Ada", last_engaged_at=now - timedelta(days=1))
    LearnerFactory(organization=org, first_name="Ada")  # never engaged
    LearnerFactory(organization=org, first_name="Bob", last_engaged_at=now)
    campaign = CampaignFactory(organization=org)

    run = schedule_run(run=create_run(campaign=campaign, audience={"search": "ada", "engaged": True}))

    assert scheduled_learners(run) == {engaged.pk}


@pytest.mark.parametrize(
    "audience, message",
    [
        ({"q": "ada"}, "Unknown audience key(s): q."),
        ({"engaged": "yes"}, "engaged: must be true or false."),
        ({"subtype": "mailbox_ful"}, "subtype: 'mailbox_ful' is not one of"),
        ({"domain": "x" * 300}, "domain: must be text of at most 254 characters."),
        (["corp.example"], "An audience is an object"),
    ],
)
def test_an_audience_outside_the_schema_is_refused_saying_why(audience, message):
    with pytest.raises(AudienceError, match=re.escape(message)):
        validate_audience(audience)
