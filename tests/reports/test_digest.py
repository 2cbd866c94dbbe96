"""The digest email: an admin's daily or weekly summary of bounces, suppressions, alerts and paused runs,
mailed once per period in the organization's time zone, with a one-click unsubscribe."""

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import RunStatus
from campaigns.services.guard import pause_run
from campaigns.services.policy import apply_bounce_event
from contacts.digest_subscriptions import due_period, set_digest_frequency
from contacts.models import DigestDelivery, DigestSubscription
from contacts.preferences import set_language_for
from reports.digest import send_due_digests
from tests.factories import (
    BLOCK,
    COMPLAINT,
    SOFT,
    BounceEventFactory,
    CampaignRunFactory,
    MembershipFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 7, 0, tzinfo=BERLIN)  # a Wednesday, after the 06:00 send hour
SUBSCRIBED = datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN)
UNSUBSCRIBE = re.compile(r"https?://\S+/digest/unsubscribe/\S+/")


@pytest.fixture
def berlin(org):
    org.time_zone = "Europe/Berlin"
    org.save(update_fields=["time_zone"])
    return org


def subscribe(membership, frequency="daily"):
    return set_digest_frequency(membership=membership, frequency=frequency, now=SUBSCRIBED)


def bounce(org, when, run=None, **kind):
    send = SendFactory(run=run or CampaignRunFactory(campaign__organization=org))
    apply_bounce_event(event=BounceEventFactory(send=send, occurred_at=when, **kind), now=when)
    return send


def digests(to="alice@portal.example"):
    # Told apart by their one-click unsubscribe header: the subject is in the recipient's language.
    return [message for message in mail.outbox if "List-Unsubscribe" in message.extra_headers and message.to == [to]]


def test_daily_digest_counts_the_days_bounces_by_category_in_the_organizations_zone(berlin, admin_member):
    subscribe(admin_member)
    bounce(berlin, datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN))  # 23:30 UTC the day before: Berlin's 1 December
    bounce(berlin, datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN))
    bounce(berlin, datetime(2026, 12, 1, 11, 0, tzinfo=BERLIN), **SOFT)
    bounce(berlin, datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN), **BLOCK)
    bounce(berlin, datetime(2026, 12, 2, 0, 30, tzinfo=BERLIN))  # still 1 December in UTC, not in Berlin
    bounce(berlin, datetime(2026, 11, 30, 23, 30, tzinfo=BERLIN), **SOFT)

    sent = send_due_digests(now=NOW)

    assert sent == 1
    (message,) = digests()
    assert message.to == ["alice@portal.example"]
    assert message.subject == "[BouncePortal] Daily digest of Acme Training: Dec 1, 2026"
    assert "on Dec 1, 2026 (the whole day in Europe/Berlin)" in message.body
    assert "  Hard bounce: 2\n  Soft bounce: 1\n  Mail block: 1\n  Total: 4\n" in message.body


def test_digest_names_learners_suppressed_alerts_raised_and_runs_paused(berlin, admin_member):
    subscribe(admin_member)
    day = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    bounce(berlin, day)
    bounce(berlin, day)
    bounce(berlin, day, **COMPLAINT)
    bounce(berlin, day, **SOFT)  # counted, suppresses nobody
    bounce(berlin, day - timedelta(days=3))  # suppressed before the period
    blocked_run = CampaignRunFactory(campaign__organization=berlin, campaign__name="Spring phishing test")
    for _ in range(3):
        bounce(berlin, day, run=blocked_run, **BLOCK)
    paused = CampaignRunFactory(campaign__organization=berlin, campaign__name="Winter newsletter", status="sending")
    pause_run(run_id=paused.pk, reason="hard-bounce rate 12.0 % over 50 sends", now=day.replace(hour=14, minute=30))
    resumed_before = CampaignRunFactory(campaign__organization=berlin, status=RunStatus.SENDING)
    pause_run(run_id=resumed_before.pk, reason="complaints", now=day - timedelta(days=2))

    send_due_digests(now=NOW)

    (message,) = digests()
    assert "  2 learners bounced (no more sends until cleared)\n  1 learner unsubscribed\n" in message.body
    assert f"blocked 100% of run {blocked_run.pk} of Spring phishing test (3 of 3 sends)" in message.body
    assert (
        f"Run {paused.pk} of Winter newsletter, paused 2026-12-01 14:30 Europe/Berlin: "
        "hard-bounce rate 12.0 % over 50 sends" in message.body
    )
    assert f"Run {resumed_before.pk} " not in message.body


def test_digest_is_rendered_in_the_recipients_language(berlin, admin_member):
    set_language_for(admin_member.user, "de")
    subscribe(admin_member)
    english = MembershipFactory(organization=berlin, user__username="bob")
    subscribe(english)
    bounce(berlin, datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))
    paused = CampaignRunFactory(campaign__organization=berlin, status=RunStatus.SENDING)
    pause_run(run_id=paused.pk, reason="complaints", now=datetime(2026, 12, 1, 14, 30, tzinfo=BERLIN))

    send_due_digests(now=NOW)

    (message,) = digests()
    assert "1. Dez 2026" in message.subject
    assert "  Hard Bounce: 1\n" in message.body  # the taxonomy's labels from contacts' German catalog
    assert "01.12.2026 14:30 Europe/Berlin" in message.body
    (for_bob,) = digests("bob@portal.example")  # the same organization's digest, in bob's language
    assert "  Hard bounce: 1\n" in for_bob.body and "2026-12-01 14:30 Europe/Berlin" in for_bob.body


def test_an_empty_period_says_so(berlin, admin_member):
    subscribe(admin_member)

    send_due_digests(now=NOW)

    (message,) = digests()
    assert "No bounces." in message.body and "No alerts." in message.body and "No run was paused." in message.body


def test_weekly_digest_covers_last_monday_to_sunday(berlin, admin_member):
    subscribe(admin_member, "weekly")
    bounce(berlin, datetime(2026, 11, 23, 0, 10, tzinfo=BERLIN))  # Monday, first minutes
    bounce(berlin, datetime(2026, 11, 29, 23, 50, tzinfo=BERLIN), **SOFT)  # Sunday, last minutes
    bounce(berlin, datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN))  # this week's Monday
    bounce(berlin, datetime(2026, 11, 22, 20, 0, tzinfo=BERLIN))  # the week before

    send_due_digests(now=NOW)

    (message,) = digests()
    assert message.subject == "[BouncePortal] Weekly digest of Acme Training: Nov 23, 2026 to Nov 29, 2026"
    assert "(whole days in Europe/Berlin)" in message.body
    assert "  Hard bounce: 1\n  Soft bounce: 1\n  Total: 2\n" in message.body


def test_a_period_is_due_from_the_send_hour_of_the_organizations_zone(settings):
    settings.DIGEST_SEND_HOUR = 6
    before = due_period(frequency="daily", now=datetime(2026, 12, 2, 5, 59, tzinfo=BERLIN), zone=BERLIN)
    after = due_period(frequency="daily", now=datetime(2026, 12, 2, 6, 0, tzinfo=BERLIN), zone=BERLIN)
    across_dst = due_period(frequency="daily", now=datetime(2026, 3, 30, 7, 0, tzinfo=BERLIN), zone=BERLIN)

    assert (before.first_day.isoformat(), after.first_day.isoformat()) == ("2026-11-30", "2026-12-01")
    assert across_dst.end.astimezone(UTC) - across_dst.start.astimezone(UTC) == timedelta(
        hours=23
    )  # 29 March 2026 lost an hour in Berlin
    assert due_period(frequency="off", now=NOW, zone=BERLIN) is None


def test_no_digest_for_admins_who_are_off_or_never_chose_nor_for_viewers_or_deactivated_admins(berlin, viewer_member):
    MembershipFactory(organization=berlin, user__username="never-chose")
    switched_off = MembershipFactory(organization=berlin, user__username="switched-off")
    subscribe(switched_off)
    set_digest_frequency(membership=switched_off, frequency="off", now=SUBSCRIBED)
    subscribe(viewer_member)
    gone = MembershipFactory(organization=berlin, user__username="gone", user__is_active=False)
    subscribe(gone)
    bounce(berlin, datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))

    assert send_due_digests(now=NOW) == 0
    assert [message for message in mail.outbox if "digest" in message.subject] == []


def test_a_digest_goes_out_once_per_period(berlin, admin_member):
    subscribe(admin_member)

    first = send_due_digests(now=NOW)
    again = send_due_digests(now=NOW + timedelta(hours=3))
    next_day = send_due_digests(now=NOW + timedelta(days=1))

    assert (first, again, next_day) == (1, 0, 1)
    periods = DigestDelivery.objects.order_by("period_start").values_list("period_start", flat=True)
    assert [p.astimezone(BERLIN).date().isoformat() for p in periods] == ["2026-12-01", "2026-12-02"]


def test_a_period_over_before_the_admin_asked_is_not_sent(berlin, admin_member):
    set_digest_frequency(membership=admin_member, frequency="daily", now=NOW - timedelta(hours=1))

    assert send_due_digests(now=NOW) == 0
    assert send_due_digests(now=NOW + timedelta(days=1)) == 1


class FailingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the relay is down")


def test_a_digest_the_backend_refused_is_sent_on_the_next_sweep(berlin, admin_member, settings):
    subscribe(admin_member)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    assert send_due_digests(now=NOW) == 0
    assert not DigestDelivery.objects.exists()  # the claim was rolled back with the failure
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_due_digests(now=NOW + timedelta(minutes=5)) == 1


class SlowBackend(LocmemBackend):
    """Holds the mail (and so its worker's claim) for a moment: the second worker runs meanwhile."""

    def send_messages(self, messages):
        time.sleep(1.0)
        return super().send_messages(messages)


@pytest.mark.postgres  # two connections claiming at once
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_digest_once(org, admin_member, settings):
    subscribe(admin_member)
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    results = {}

    def sweep(name):
        try:
            results[name] = send_due_digests(now=NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == [0, 1]
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_digest_carries_one_click_unsubscribe_headers(berlin, admin_member):
    subscribe(admin_member)

    send_due_digests(now=NOW)

    (message,) = digests()
    link = UNSUBSCRIBE.search(message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def unsubscribe_link(admin_member):
    subscribe(admin_member)
    send_due_digests(now=NOW)
    (message,) = digests()
    return UNSUBSCRIBE.search(message.body).group(0)


def test_unsubscribe_link_asks_then_unsubscribes_without_login(berlin, admin_member):
    link = unsubscribe_link(admin_member)
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(link)
    subscription = DigestSubscription.objects.get(membership=admin_member)
    assert subscription.frequency == "daily"  # a GET (a mail scanner following links) changes nothing
    done = anonymous.post(link)

    assert "Stop mailing the BouncePortal digest of Acme Training to <strong>alice@portal.example</strong>" in (
        page.content.decode()
    )
    assert done.status_code == 200 and "will receive no more digest emails" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.frequency == "off"
    assert send_due_digests(now=NOW + timedelta(days=1)) == 0


def test_a_mail_programs_one_click_post_unsubscribes(berlin, admin_member):
    link = unsubscribe_link(admin_member)

    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert DigestSubscription.objects.get(membership=admin_member).frequency == "off"


def test_an_unsubscribe_link_works_only_for_its_own_subscription(berlin, admin_member, other_org):
    colleague = MembershipFactory(organization=berlin, user__username="bob")
    elsewhere = MembershipFactory(organization=other_org, user__username="olga")
    subscribe(colleague)
    subscribe(elsewhere)
    link = unsubscribe_link(admin_member)
    token = link.rstrip("/").rsplit("/", 1)[1]
    _pk, signature = token.split(":", 1)
    forged = link.replace(token, f"{elsewhere.digest.pk}:{signature}")

    assert Client().post(forged).status_code == 404
    Client().post(link)

    frequencies = dict(DigestSubscription.objects.values_list("membership__user__username", "frequency"))
    assert frequencies == {"alice": "off", "bob": "daily", "olga": "daily"}


def test_a_tampered_unsubscribe_link_is_a_404(client, admin_member):
    assert client.get(reverse("digest-unsubscribe", args=["1:not-a-signature"])).status_code == 404


def test_an_admin_sets_their_own_frequency_on_the_settings_page(admin_client, admin_member, org):
    colleague = MembershipFactory(organization=org, user__username="bob")

    page = admin_client.get(reverse("contacts:settings-digest"))
    response = admin_client.post(reverse("contacts:settings-digest"), {"frequency": "weekly"}, follow=True)

    assert re.search(r'value="off"[^>]*checked', page.content.decode())
    assert "Saved: your digest email is weekly." in response.content.decode()
    assert DigestSubscription.objects.get(membership=admin_member).frequency == "weekly"
    assert not DigestSubscription.objects.filter(membership=colleague).exists()


def test_a_bad_frequency_is_reshown_and_changes_nothing(admin_client, admin_member):
    subscribe(admin_member, "weekly")

    response = admin_client.post(reverse("contacts:settings-digest"), {"frequency": "hourly"})

    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert DigestSubscription.objects.get(membership=admin_member).frequency == "weekly"


def test_viewers_have_no_digest_page(viewer_client):
    assert viewer_client.get(reverse("contacts:settings-digest")).status_code == 403
    assert viewer_client.post(reverse("contacts:settings-digest"), {"frequency": "daily"}).status_code == 403


def test_the_digest_arrives_over_real_smtp_with_its_headers(berlin, admin_member, mail_sink):
    subscribe(admin_member)
    bounce(berlin, datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN))

    send_due_digests(now=NOW)

    (received,) = mail_sink.wait_for(1, timeout=10)
    message = message_from_bytes(received.data)
    body = message.get_payload(decode=True).decode()
    assert received.rcpt_tos == ["alice@portal.example"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "".join(message["List-Unsubscribe"].split()) == f"<{UNSUBSCRIBE.search(body).group(0)}>"  # unfolded
    assert "Hard bounce: 1" in body and "Europe/Berlin" in body


def test_beat_and_the_management_command_send_the_due_digests(berlin, admin_member, settings):
    from io import StringIO

    from django.core.management import call_command

    from bounceportal.celery import app

    set_digest_frequency(membership=admin_member, frequency="daily", now=timezone.now() - timedelta(days=3))
    schedule = settings.CELERY_BEAT_SCHEDULE["send-due-digests"]
    app.loader.import_default_modules()  # what a worker does at start: autodiscover each app's tasks
    assert schedule["task"] in app.tasks

    out = StringIO()
    call_command("send_digests", stdout=out)
    app.tasks[schedule["task"]].delay()

    assert out.getvalue().strip() == "Sent 1 digest email."  # yesterday's, by the real clock
    assert len(digests()) == 1  # the task found it sent already
