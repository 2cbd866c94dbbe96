"""Scheduling a run: who is targeted, who is left out and why, and what is refused."""

import pytest

from campaigns.models import CampaignRun, RunStatus, Send, SendStatus
from campaigns.services.sending import RunError, create_run, launch_run, schedule_run
from contacts.choices import DeliverabilityStatus
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return CampaignFactory(organization=org, name="Phishing basics")


def test_run_schedules_every_deliverable_learner_with_its_own_token(org, campaign):
    learners = LearnerFactory.create_batch(3, organization=org)
    run = create_run(campaign=campaign)

    run = schedule_run(run=run)

    sends = list(Send.objects.filter(run=run).order_by("learner_id"))
    assert run.status == RunStatus.SCHEDULED
    assert [s.learner_id for s in sends] == [learner.pk for learner in learners]
    assert {s.status for s in sends} == {SendStatus.SCHEDULED}
    assert len({s.token for s in sends}) == 3 and all(len(s.token) == 24 for s in sends)
    assert sends[0].email == learners[0].email and sends[0].domain == "school.example"
    assert sends[0].organization_id == org.pk
    assert run.left_out == {}


def test_suppressed_learners_are_never_scheduled_and_the_run_lists_them_with_the_reason(org, campaign):
    active = LearnerFactory(organization=org)
    bounced = LearnerFactory(organization=org, status=DeliverabilityStatus.BOUNCED)
    unsubscribed = LearnerFactory(organization=org, status=DeliverabilityStatus.UNSUBSCRIBED)

    run = schedule_run(run=create_run(campaign=campaign))

    scheduled = Send.objects.filter(run=run, status=SendStatus.SCHEDULED)
    skipped = dict(Send.objects.filter(run=run, status=SendStatus.SKIPPED).values_list("learner_id", "skip_reason"))
    assert list(scheduled.values_list("learner_id", flat=True)) == [active.pk]
    assert skipped == {bounced.pk: "bounced", unsubscribed.pk: "unsubscribed"}
    assert run.left_out == {"bounced": 1, "unsubscribed": 1}
    assert run.left_out_total == 2


def test_learner_whose_address_is_not_valid_syntax_is_skipped_with_the_reason(org, campaign):
    LearnerFactory(organization=org, email="good@school.example")
    broken = LearnerFactory(organization=org, email="not an address@school")
    LearnerFactory(organization=org, email="ünïcode-local@school.example")

    run = schedule_run(run=create_run(campaign=campaign))

    assert Send.objects.get(run=run, learner=broken).skip_reason == "invalid_address"
    assert run.left_out == {"invalid_address": 2}
    assert Send.objects.filter(run=run, status=SendStatus.SCHEDULED).count() == 1


def test_a_run_targets_the_learners_its_audience_selects(org, campaign):
    target = LearnerFactory(organization=org, email="ada@corp.example")
    LearnerFactory(organization=org, email="bob@school.example")
    LearnerFactory(organization=org, email="eve@corp.example", status=DeliverabilityStatus.BOUNCED)

    run = schedule_run(run=create_run(campaign=campaign, audience={"domain": "corp.example"}))

    assert list(Send.objects.filter(run=run, status=SendStatus.SCHEDULED).values_list("learner", flat=True)) == [
        target.pk
    ]
    assert run.left_out == {"bounced": 1}


def test_other_organizations_learners_are_never_scheduled(org, other_org, campaign):
    LearnerFactory(organization=other_org)
    mine = LearnerFactory(organization=org)

    run = schedule_run(run=create_run(campaign=campaign))

    assert list(Send.objects.filter(run=run).values_list("learner", flat=True)) == [mine.pk]


def test_an_invalid_audience_is_refused_with_a_message(campaign):
    with pytest.raises(RunError, match=r"audience is not valid: category: 'no-such-category' is not one of"):
        create_run(campaign=campaign, audience={"category": "no-such-category"})

    assert not CampaignRun.objects.exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"body_text": "  ", "body_html": ""}, "empty body"),
        ({"from_email": "training at sender"}, "not a valid email address"),
        ({"subject": " "}, "no subject"),
    ],
)
def test_a_campaign_that_cannot_be_sent_is_refused_with_a_message(org, campaign, changes, message):
    LearnerFactory(organization=org)
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.save()
    run = create_run(campaign=campaign)

    with pytest.raises(RunError, match=message):
        schedule_run(run=run)

    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert not Send.objects.filter(run=run).exists()


def test_a_run_is_scheduled_only_once(org, campaign):
    LearnerFactory(organization=org)
    run = schedule_run(run=create_run(campaign=campaign))

    with pytest.raises(RunError, match="already scheduled"):
        schedule_run(run=run)

    assert Send.objects.filter(run=run).count() == 1


def test_a_run_where_everyone_is_left_out_is_done_at_launch(org, campaign):
    LearnerFactory(organization=org, status=DeliverabilityStatus.BOUNCED)

    run = launch_run(run=create_run(campaign=campaign))

    assert run.status == RunStatus.DONE
    assert run.left_out == {"bounced": 1}


def test_a_finished_run_cannot_be_launched_again(org, campaign):
    run = launch_run(run=create_run(campaign=campaign))

    with pytest.raises(RunError, match="cannot be launched"):
        launch_run(run=run)
