"""Content refusals raise a template alert on the campaign, never a suppression (DESIGN §3)."""

import pytest
from django.urls import reverse

from campaigns.models import BounceEvent
from campaigns.services.sending import create_run, launch_run
from contacts.deliverability import Outcome
from contacts.models import Learner
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db

ATTACHMENT_REFUSED = "554 5.7.1 Message rejected: attachment type not allowed"


def test_an_attachment_refused_by_three_domains_is_one_alert_on_the_campaign(
    admin_client, org, smtp_sink, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=org)
    for address in ("ada@one.example", "bo@two.example", "cy@three.example", "di@three.example"):
        LearnerFactory(organization=org, email=address)
        smtp_sink.reply_to(address, ATTACHMENT_REFUSED, stage="DATA")
    LearnerFactory(organization=org, email="ok@fine.example")
    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=campaign))

    campaign_page = admin_client.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()
    run_page = admin_client.get(reverse("campaigns:run-detail", args=[run.pk])).content.decode()

    assert "the content was refused by 3 domains (4 sends: one.example, three.example, two.example)" in campaign_page
    assert "template-alert" in run_page
    assert set(BounceEvent.objects.values_list("outcome", flat=True)) == {Outcome.SENDER_SIDE}
    assert not Learner.objects.filter(soft_bounce_count__gt=0).exists()


def test_a_campaign_without_content_refusals_has_no_template_alert(admin_client, org):
    campaign = CampaignFactory(organization=org)

    page = admin_client.get(reverse("campaigns:campaign-detail", args=[campaign.pk])).content.decode()

    assert "template-alert" not in page
