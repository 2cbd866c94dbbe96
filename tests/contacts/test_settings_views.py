"""Settings: the bounce policy form and email status automation rules."""

import pytest
from django.urls import reverse

from campaigns.services.policy import apply_bounce_event
from contacts.choices import DeliverabilityStatus
from contacts.models import AutomationRule, BouncePolicy
from tests.factories import SOFT, BounceEventFactory, SendFactory

pytestmark = pytest.mark.django_db
POLICY = reverse("contacts:settings-policy")
AUTOMATION = reverse("contacts:settings-automation")
VALID_POLICY = {
    "soft_suppression_days": 7,
    "soft_suppression_max_days": 90,
    "soft_threshold_unengaged": 5,
    "soft_threshold_engaged": 12,
    "engaged_window_days": 60,
    "allowlisting_alert_share": 30,
    "unverified_events_suppress": "",
    "run_guard_enabled": "on",
    "run_guard_min_sends": 100,
    "run_guard_hard_review": "5",
    "run_guard_hard_pause": "10",
    "run_guard_complaint_review": "0.1",
    "run_guard_complaint_pause": "0.5",
    "run_guard_block_pause": "20",
}


def test_admin_saves_the_bounce_policy(admin_client, org):
    response = admin_client.post(POLICY, VALID_POLICY)

    assert response.status_code == 302
    policy = BouncePolicy.objects.get(organization=org)
    assert (
        policy.soft_threshold_unengaged,
        policy.soft_threshold_engaged,
        policy.engaged_window_days,
        policy.allowlisting_alert_share,
        policy.unverified_events_suppress,
    ) == (5, 12, 60, 30, False)


@pytest.mark.parametrize("value", ["0", "-3"])
def test_zero_or_negative_thresholds_are_reshown_with_a_message(admin_client, org, value):
    response = admin_client.post(POLICY, {**VALID_POLICY, "soft_threshold_unengaged": value})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Must be a whole number of at least 1." in body
    assert f'value="{value}"' in body
    assert BouncePolicy.objects.get(organization=org).soft_threshold_unengaged == 10


def test_alert_share_is_a_percentage(admin_client, org):
    response = admin_client.post(POLICY, {**VALID_POLICY, "allowlisting_alert_share": "150"})

    assert "Must be at most 100." in response.content.decode()


def test_viewers_read_the_policy_but_cannot_change_it(viewer_client, org):
    page = viewer_client.get(POLICY).content.decode()
    response = viewer_client.post(POLICY, VALID_POLICY)

    assert "Only organization admins can change the policy." in page
    assert response.status_code == 403
    assert BouncePolicy.objects.get(organization=org).soft_threshold_unengaged == 10


def test_a_new_threshold_applies_to_the_next_soft_bounce(admin_client, org):
    admin_client.post(POLICY, {**VALID_POLICY, "soft_threshold_unengaged": 1})
    send = SendFactory(run__campaign__organization=org)

    apply_bounce_event(event=BounceEventFactory(send=send, **SOFT))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED


def test_admin_adds_an_automation_rule_that_the_policy_applies(admin_client, org):
    response = admin_client.post(
        AUTOMATION, {"category": "soft", "subtype": "mailbox_full", "action": "tag", "tag": "mailbox-full"}
    )
    send = SendFactory(run__campaign__organization=org)

    apply_bounce_event(event=BounceEventFactory(send=send, **SOFT))

    assert response.status_code == 302
    send.learner.refresh_from_db()
    assert send.learner.tags == ["mailbox-full"]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"category": "hard", "subtype": "mailbox_full", "action": "suppress"}, "subtype", "is not a subtype of"),
        ({"category": "soft", "subtype": "", "action": "tag", "tag": ""}, "tag", "Name the tag to add."),
        ({"category": "hard", "subtype": "", "action": "resend"}, "action", "Only soft bounces and mail blocks"),
    ],
)
def test_invalid_rules_are_reshown_with_the_error_next_to_the_field(admin_client, org, data, field, message):
    response = admin_client.post(AUTOMATION, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert body.index(message) > body.index(f'name="{field}"')
    assert not AutomationRule.objects.filter(organization=org).exists()


def test_a_duplicate_rule_is_refused(admin_client, org):
    AutomationRule.objects.create(organization=org, category="soft", subtype="", action="resend")

    response = admin_client.post(AUTOMATION, {"category": "soft", "subtype": "", "action": "resend"})

    assert "This rule exists already." in response.content.decode()


def test_rules_are_paused_and_removed(admin_client, org):
    rule = AutomationRule.objects.create(organization=org, category="soft", subtype="", action="resend")

    admin_client.post(reverse("contacts:settings-automation-toggle", args=[rule.pk]))
    rule.refresh_from_db()
    paused = rule.enabled
    admin_client.post(reverse("contacts:settings-automation-delete", args=[rule.pk]))

    assert paused is False
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_viewers_see_no_rule_controls_and_get_403(viewer_client, org):
    rule = AutomationRule.objects.create(organization=org, category="soft", subtype="", action="resend")

    page = viewer_client.get(AUTOMATION).content.decode()
    response = viewer_client.post(reverse("contacts:settings-automation-delete", args=[rule.pk]))

    assert "Add a rule" not in page and "Remove" not in page
    assert response.status_code == 403
    assert AutomationRule.objects.filter(pk=rule.pk).exists()


def test_settings_link_to_mailboxes_only_when_that_page_exists(admin_client, org):
    from django.urls import NoReverseMatch

    body = admin_client.get(reverse("contacts:settings")).content.decode()

    try:
        url = reverse("campaigns:mailbox-list")
    except NoReverseMatch:
        assert "Bounce mailboxes" not in body
    else:
        assert url in body


def test_the_policy_page_says_what_counting_sender_side_bounces_means(admin_client, org):
    body = admin_client.get(POLICY).content.decode()

    assert "Count sender-side bounces toward a learner&#x27;s threshold" in body
    assert "recorded but never suppress a learner" in body


def test_admin_switches_sender_side_counting_on_and_the_guard_off(admin_client, org):
    data = {**VALID_POLICY, "sender_side_counts": "on", "run_guard_enabled": "", "run_guard_hard_pause": "12.5"}

    admin_client.post(POLICY, data)

    policy = BouncePolicy.objects.get(organization=org)
    assert (policy.sender_side_counts, policy.run_guard_enabled, str(policy.run_guard_hard_pause)) == (
        True,
        False,
        "12.50",
    )


def test_a_review_rate_above_the_pause_rate_is_reshown(admin_client, org):
    response = admin_client.post(POLICY, {**VALID_POLICY, "run_guard_hard_review": "20"})

    assert response.status_code == 200
    assert "The review rate must not be above the rate that pauses the run." in response.content.decode()
    assert BouncePolicy.objects.get(organization=org).run_guard_hard_review == 5
