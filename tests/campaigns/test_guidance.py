"""Sending configurations: a page per named product or list, notes, the authentication page, and the links."""

import pytest
from django.urls import reverse

from bounceportal.classifier.names import BLOCKLISTS, PRODUCTS
from campaigns.guidance import PAGES
from campaigns.models import GuidanceNote
from campaigns.services.sending import create_run, launch_run
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db

PROOFPOINT = "554 5.7.1 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.7"


def test_every_product_and_list_the_classifier_names_has_a_page():
    assert {slug for slug, _ in PRODUCTS.values()} | set(BLOCKLISTS.values()) == set(PAGES)
    assert all(page.steps and page.sources for page in PAGES.values())


def test_the_microsoft_page_says_where_the_phishing_simulation_policy_is(admin_client, org):
    body = admin_client.get(reverse("campaigns:guidance-detail", args=["microsoft-365"])).content.decode()

    assert "Advanced delivery, tab Phishing simulation" in body
    assert "never a whole sender domain" in body


def test_a_blocklist_page_gives_the_delist_address_as_text(admin_client, org):
    body = admin_client.get(reverse("campaigns:guidance-detail", args=["microsoft-block-list"])).content.decode()

    assert "delist@microsoft.com" in body and "sender.office.com" in body
    assert 'href="mailto:' not in body


def test_an_unknown_page_is_a_404(admin_client, org):
    assert admin_client.get(reverse("campaigns:guidance-detail", args=["no-such"])).status_code == 404


def test_admins_add_notes_that_only_their_organization_sees(admin_client, org, other_org, client):
    url = reverse("campaigns:guidance-detail", args=["proofpoint"])

    admin_client.post(url, {"text": "Ask Dana in IT <dana@acme.example>: she owns our PPS."})

    note = GuidanceNote.objects.get()
    assert (note.organization, note.slug) == (org, "proofpoint")
    assert "Ask Dana in IT &lt;dana@acme.example&gt;" in admin_client.get(url).content.decode()


def test_viewers_read_notes_but_cannot_add_them(viewer_client, org):
    url = reverse("campaigns:guidance-detail", args=["mimecast"])

    page = viewer_client.get(url).content.decode()
    response = viewer_client.post(url, {"text": "mine"})

    assert "Add note" not in page
    assert response.status_code == 403 and not GuidanceNote.objects.exists()


def test_the_authentication_page_fills_in_the_sending_domain(admin_client, org):
    CampaignFactory(organization=org, from_email="training@phish.acme.example")

    body = admin_client.get(reverse("campaigns:guidance-authentication")).content.decode()

    assert "_dmarc.phish.acme.example" in body
    assert "&lt;selector&gt;._domainkey.phish.acme.example" in body
    assert "v=spf1 ip4:&lt;your sending IP&gt; -all" in body


def test_a_domain_that_is_not_one_is_refused_on_the_authentication_page(admin_client, org):
    body = admin_client.get(reverse("campaigns:guidance-authentication"), {"domain": "<script>"}).content.decode()

    assert "is not a domain name" in body and "<script>" not in body


def test_the_run_alert_names_the_product_with_its_share_domains_and_guidance_link(
    admin_client, org, smtp_sink, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=org)
    for index in range(10):
        learner = LearnerFactory(organization=org, email=f"p{index}@corp{index % 4}.example")
        if index < 4:
            smtp_sink.reply_to(learner.email, PROOFPOINT)
    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=campaign))

    body = admin_client.get(reverse("campaigns:run-detail", args=[run.pk])).content.decode()

    assert "Proofpoint refused 40% of this run's sends at 4 domains" in body
    assert reverse("campaigns:guidance-detail", args=["proofpoint"]) in body
    assert "How Proofpoint PDR delists" in body


def test_the_bounce_panel_links_the_named_product_to_its_page(
    admin_client, org, smtp_sink, django_capture_on_commit_callbacks
):
    learner = LearnerFactory(organization=org, email="ada@corp.example")
    smtp_sink.reply_to(learner.email, PROOFPOINT)
    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=CampaignFactory(organization=org)))

    body = admin_client.get(reverse("contacts:learner-detail", args=[learner.pk])).content.decode()

    assert f'<a href="{reverse("campaigns:guidance-detail", args=["proofpoint"])}">Proofpoint</a>' in body
