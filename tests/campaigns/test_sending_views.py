"""Launching runs from the portal's campaign page and from the Django admin; checking campaigns."""

import pytest
from django.urls import reverse

from campaigns.forms import CampaignForm
from campaigns.models import CampaignRun, RunStatus, Send, SendStatus
from contacts.choices import DeliverabilityStatus
from tests.factories import CampaignFactory, CampaignRunFactory, LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return CampaignFactory(organization=org, name="Phishing basics")


def test_an_admin_launches_a_filtered_run_from_the_campaign_page(
    admin_client, admin_member, org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    target = LearnerFactory(organization=org, email="ada@corp.example")
    LearnerFactory(organization=org, email="bob@school.example")
    LearnerFactory(organization=org, email="eve@corp.example", status=DeliverabilityStatus.BOUNCED)
    page = admin_client.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("campaigns:run-create", args=[campaign.pk]),
            {"domain": "corp.example", "q": "", "category": ""},
            follow=True,
        )

    run = CampaignRun.objects.get()
    assert f'action="{reverse("campaigns:run-create", args=[campaign.pk])}"' in page
    assert response.redirect_chain[-1][0] == reverse("campaigns:run-detail", args=[run.pk])
    assert f"Run {run.pk} launched; 1 learners were left out." in response.content.decode()
    assert (run.audience, run.created_by, run.status) == (
        {"domain": "corp.example"},
        admin_member.user,
        RunStatus.DONE,
    )
    assert list(Send.objects.filter(run=run, status=SendStatus.SENT).values_list("learner", flat=True)) == [target.pk]
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["ada@corp.example"]]


def test_a_viewer_sees_no_launch_form_and_cannot_launch(viewer_client, org, campaign):
    page = viewer_client.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()

    response = viewer_client.post(reverse("campaigns:run-create", args=[campaign.pk]), {})

    assert "Launch run" not in page
    assert response.status_code == 403
    assert not CampaignRun.objects.exists()


def test_launching_a_campaign_with_an_empty_body_says_why_and_creates_nothing(admin_client, org, campaign):
    LearnerFactory(organization=org)
    campaign.body_text = ""
    campaign.save()

    response = admin_client.post(reverse("campaigns:run-create", args=[campaign.pk]), {}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("campaigns:campaign-detail", args=[campaign.pk])
    assert "The run was not launched: The campaign has an empty body." in response.content.decode()
    assert not CampaignRun.objects.exists() and not Send.objects.exists()


def test_an_unknown_filter_choice_is_refused_with_a_message(admin_client, campaign):
    response = admin_client.post(
        reverse("campaigns:run-create", args=[campaign.pk]), {"category": "nonsense"}, follow=True
    )

    assert "The run was not launched: Bounce category: Select a valid choice." in response.content.decode()
    assert not CampaignRun.objects.exists()


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("support", "support@example.com", "x"))
    return client


def test_the_admin_action_launches_selected_draft_runs(
    staff_client, org, campaign, smtp_sink, django_capture_on_commit_callbacks
):
    LearnerFactory.create_batch(2, organization=org)
    run = CampaignRunFactory(campaign=campaign, status=RunStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:campaigns_campaignrun_changelist"),
            {"action": "launch_runs", "_selected_action": [run.pk]},
            follow=True,
        )

    run.refresh_from_db()
    assert run.status == RunStatus.DONE and len(smtp_sink.messages) == 2
    assert f"Run {run.pk} of {campaign}: sending, 0 learners left out." in response.content.decode()


def test_the_admin_action_says_why_a_run_cannot_be_launched(staff_client, org, campaign):
    done = CampaignRunFactory(campaign=campaign, status=RunStatus.DONE)
    bad_filter = CampaignRunFactory(campaign=campaign, status=RunStatus.DRAFT, audience={"category": "nonsense"})

    response = staff_client.post(
        reverse("admin:campaigns_campaignrun_changelist"),
        {"action": "launch_runs", "_selected_action": [done.pk, bad_filter.pk]},
        follow=True,
    )

    content = response.content.decode()
    assert f"Run {done.pk} of {campaign}: Run {done.pk} is done; it cannot be launched." in content
    assert f"Run {bad_filter.pk} of {campaign}: The audience is not valid" in content
    bad_filter.refresh_from_db()
    assert bad_filter.status == RunStatus.DRAFT and not Send.objects.exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"body_text": "   ", "body_html": ""}, "This field is required."),
        ({"body_text": "", "body_html": "<p>Hi</p>"}, "This field is required."),
        ({"from_email": "training@"}, "Enter a valid email address."),
    ],
)
def test_the_campaign_form_refuses_what_could_not_be_sent(changes, message):
    data = {
        "name": "Welcome",
        "subject": "Welcome aboard",
        "from_name": "",
        "from_email": "hr@acme.example",
        "body_text": "Hello",
        "body_html": "",
        **changes,
    }

    form = CampaignForm(data)

    assert not form.is_valid()
    assert message in str(form.errors)


def test_the_campaign_form_accepts_a_sendable_campaign():
    form = CampaignForm(
        {"name": "Welcome", "subject": "Welcome aboard", "from_email": "hr@acme.example", "body_text": "Hello"}
    )

    assert form.is_valid(), form.errors
