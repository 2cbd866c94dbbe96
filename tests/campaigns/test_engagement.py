"""Real engagement: tracked links that cannot redirect elsewhere, and link scanners told apart from people."""

import email
import email.policy
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import EngagementEvent, MachineReason, Send, SendStatus
from campaigns.services.links import click_path
from campaigns.services.sending import create_run, launch_run
from contacts.choices import DeliverabilityStatus
from contacts.services import policy_for
from tests.factories import CampaignFactory, LearnerFactory, SendFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sent_long_ago(settings):
    """The factories' sends were sent a moment ago: a person's open that soon would be taken for a scanner."""
    settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = 0


OUTLOOK = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Outlook 16.0"
LINKS = (
    "<p><a href=\"https://lms.example/start?u={{ email }}\">Start</a> · <a href='https://lms.example/faq'>FAQ</a>"
    ' · <a href="mailto:help@acme.example">Help</a></p>'
)


@pytest.fixture
def person():
    return Client(HTTP_USER_AGENT=OUTLOOK, REMOTE_ADDR="198.51.100.7")


@pytest.fixture
def send(org):
    campaign = CampaignFactory(organization=org, body_html=LINKS)
    return SendFactory(run__campaign=campaign, learner__email="ada+x@school.example")


def link(send, index: int, url: str) -> str:
    return click_path(send.token, index, url)


def test_every_link_of_the_sent_html_goes_through_a_tracked_redirect_to_its_own_url(
    org, smtp_sink, settings, person, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL, settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = "http://testserver", 0
    learner = LearnerFactory(organization=org, email="ada+x@school.example")
    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=CampaignFactory(organization=org, body_html=LINKS)))
    html = email.message_from_bytes(smtp_sink.messages[0].data, policy=email.policy.default).get_body(("html",))
    hrefs = re.findall(r'href="([^"]+)"', html.get_content())
    send = Send.objects.get(learner=learner)

    response = person.get(urlsplit(hrefs[0]).path)

    send.refresh_from_db()
    learner.refresh_from_db()
    assert [urlsplit(h).path for h in hrefs[:2]] == [
        link(send, 0, "https://lms.example/start?u={{ email }}"),
        link(send, 1, "https://lms.example/faq"),
    ]
    assert "mailto:help@acme.example" in hrefs  # not a web link: left alone
    assert response.status_code == 302 and response["Location"] == "https://lms.example/start?u=ada%2Bx@school.example"
    assert (send.click_count, send.status) == (1, SendStatus.OPENED) and send.clicked_at is not None
    assert learner.last_clicked_at is not None and learner.last_engaged_at == learner.last_clicked_at
    event = EngagementEvent.objects.get()
    assert (event.kind, event.link_index, event.machine, event.user_agent) == ("click", 0, False, OUTLOOK)


@pytest.mark.parametrize(
    "path_of",
    [
        lambda send: link(send, 1, "https://evil.example/"),  # a URL that was never in the message
        lambda send: link(send, 5, "https://lms.example/faq"),  # no link 5
        lambda send: link(send, 1, "https://lms.example/faq").replace(send.token, "AnotherSendsToken_xyz123"),
        lambda send: click_path("AnotherSendsToken_xyz123", 1, "https://lms.example/faq").replace(
            "AnotherSendsToken_xyz123", send.token
        ),  # another send's signature
        lambda send: link(send, 1, "https://lms.example/faq")[:-5] + "0000/",  # signature tampered with
    ],
)
def test_a_tracked_link_never_redirects_where_the_message_did_not_point(send, person, path_of):
    response = person.get(path_of(send))

    assert response.status_code == 404
    assert not EngagementEvent.objects.exists()


def test_a_link_changed_in_the_campaign_after_sending_no_longer_redirects(send, person):
    path = link(send, 1, "https://lms.example/faq")
    campaign = send.run.campaign
    campaign.body_html = LINKS.replace("https://lms.example/faq", "https://elsewhere.example/")
    campaign.save()

    assert person.get(path).status_code == 404


@pytest.mark.parametrize(
    "request_kwargs, reason",
    [
        ({"method": "head"}, MachineReason.HEAD_REQUEST),
        ({"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Barracuda Sentinel URL scanner)"}, MachineReason.SCANNER_AGENT),
        ({"HTTP_USER_AGENT": "python-requests/2.31"}, MachineReason.SCANNER_AGENT),
        ({"HTTP_USER_AGENT": ""}, MachineReason.NO_AGENT),
        ({"REMOTE_ADDR": "203.0.113.40"}, MachineReason.SCANNER_NETWORK),
        ({"delivered_seconds_ago": 3}, MachineReason.RIGHT_AFTER_DELIVERY),
    ],
)
def test_a_machine_open_is_recorded_as_such_and_never_counts_clears_a_bounce_or_an_auto_reply_flag(
    send, settings, request_kwargs, reason
):
    settings.ENGAGEMENT_SCANNER_NETWORKS, settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS = ["203.0.113.0/24"], 10
    Send.objects.filter(pk=send.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    kwargs = {"HTTP_USER_AGENT": OUTLOOK, "REMOTE_ADDR": "198.51.100.7", **request_kwargs}
    method = kwargs.pop("method", "get")
    if "delivered_seconds_ago" in kwargs:
        Send.objects.filter(pk=send.pk).update(
            sent_at=timezone.now() - timedelta(seconds=kwargs.pop("delivered_seconds_ago"))
        )
    learner = send.learner
    learner.status, learner.soft_bounce_count, learner.auto_replied_at = DeliverabilityStatus.BOUNCED, 4, timezone.now()
    learner.save()

    response = getattr(Client(), method)(f"/t/{send.token}/open.gif", **kwargs)

    send.refresh_from_db()
    learner.refresh_from_db()
    event = EngagementEvent.objects.get()
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert (event.kind, event.machine, event.machine_reason) == ("open", True, reason)
    assert send.opened_at is None and send.open_count == 0 and send.status == SendStatus.SENT
    assert learner.status == DeliverabilityStatus.BOUNCED and learner.auto_replied_at is not None
    assert learner.soft_bounce_count == 4 and learner.last_engaged_at is None


def test_a_person_opening_an_hour_after_delivery_is_human_and_clears_the_auto_reply_flag(send, person):
    learner = send.learner
    learner.auto_replied_at = timezone.now()
    learner.save()

    person.get(f"/t/{send.token}/open.gif")

    learner.refresh_from_db()
    assert EngagementEvent.objects.get().machine is False
    assert learner.auto_replied_at is None and learner.last_opened_at is not None


def test_every_link_clicked_at_once_is_a_scanner_and_what_the_first_clicks_counted_is_taken_back(send, person):
    paths = [link(send, 0, "https://lms.example/start?u={{ email }}"), link(send, 1, "https://lms.example/faq")]

    first = person.get(paths[0])
    send.refresh_from_db()
    counted_in_between = (send.click_count, send.learner.last_clicked_at is not None)
    second = person.get(paths[1])

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert first.status_code == second.status_code == 302  # the scanner still gets its redirects
    assert counted_in_between == (1, True)
    assert set(EngagementEvent.objects.values_list("machine", "machine_reason")) == {(True, MachineReason.ALL_LINKS)}
    assert (send.click_count, send.clicked_at, send.opened_at, send.status) == (0, None, None, SendStatus.SENT)
    assert send.learner.last_clicked_at is None and send.learner.last_engaged_at is None


def test_the_same_link_clicked_twice_by_a_person_stays_human(send, person):
    path = link(send, 1, "https://lms.example/faq")

    person.get(path)
    person.get(path)

    send.refresh_from_db()
    assert not EngagementEvent.objects.filter(machine=True).exists() and send.click_count == 2


def test_only_human_engagement_makes_a_learner_engaged_for_the_soft_threshold(org, person):
    policy = policy_for(org.pk)
    scanned, clicked = (SendFactory(run__campaign=CampaignFactory(organization=org, body_html=LINKS)) for _ in range(2))

    Client(HTTP_USER_AGENT="Mimecast URL Protect").get(link(scanned, 1, "https://lms.example/faq"))
    person.get(link(clicked, 1, "https://lms.example/faq"))

    scanned.learner.refresh_from_db()
    clicked.learner.refresh_from_db()
    assert policy.soft_threshold_for(scanned.learner) == policy.soft_threshold_unengaged == 10
    assert policy.soft_threshold_for(clicked.learner) == policy.soft_threshold_engaged == 20


def test_the_run_counts_people_only_and_the_profile_lists_both_labelled(org, admin_client, person):
    send = SendFactory(run__campaign=CampaignFactory(organization=org, body_html=LINKS, name="Phish week"))
    SendFactory(run=send.run, learner__organization=org)
    Client(HTTP_USER_AGENT="Proofpoint URL Defense").get(f"/t/{send.token}/open.gif")
    person.get(f"/t/{send.token}/open.gif")

    run_page = admin_client.get(reverse("campaigns:run-detail", args=[send.run_id])).content.decode()
    profile = admin_client.get(reverse("contacts:learner-detail", args=[send.learner_id])).content.decode()

    assert "opened by people <strong>1</strong> (50.0%)" in run_page
    assert "machines also opened 1 and clicked 0 times" in run_page
    log = profile[profile.index('id="activity-title"') :]
    assert log.count("Opened <a") == 2
    assert 'badge-machine" title="Known link-scanner user agent"' in log and "badge-human" in log
