"""Outbound webhook events come from the one owner of each state change, in its transaction.

Each test subscribes a real loopback receiver (tests/webhook_receiver.py) and makes the change
the way the product does; the delivery worker runs after commit (eagerly, in the test's thread).
"""

import json

import pytest
from django.db import transaction

from campaigns.models import RunStatus
from campaigns.services.guard import pause_run
from campaigns.services.policy import apply_bounce_event
from campaigns.services.scheduling import cancel_run
from campaigns.services.sending import finish_run_if_complete
from contacts.deliverability import change_learner_email, clear_bounce_status
from contacts.models import Learner
from contacts.webhook_models import DeliveryStatus, WebhookDelivery
from contacts.webhooks.subscriptions import create_subscription
from tests.factories import COMPLAINT, BounceEventFactory, CampaignRunFactory, SendFactory, bounced_learner

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["learner.suppressed", "learner.cleared", "learner.unsubscribed", "run.paused", "run.finished"]


@pytest.fixture
def subscribed(org, receiver):
    subscription, _secret = create_subscription(organization=org, url=receiver.url, events=ALL_EVENTS)
    return subscription


def posted(receiver):
    return [(r.headers["X-BouncePortal-Event"], json.loads(r.body)) for r in receiver.requests]


def test_a_hard_bounce_posts_learner_suppressed_after_commit(
    org, subscribed, receiver, django_capture_on_commit_callbacks
):
    send = SendFactory(run__campaign__organization=org, learner__email="gone@school.example")

    with django_capture_on_commit_callbacks(execute=True):
        apply_bounce_event(event=BounceEventFactory(send=send))
        seen_before_commit = list(receiver.requests)

    assert seen_before_commit == []
    [(event_type, body)] = posted(receiver)
    assert event_type == "learner.suppressed"
    assert body["type"] == "learner.suppressed" and body["organization"] == org.pk
    assert body["data"]["learner"]["email"] == "gone@school.example"
    assert body["data"]["learner"]["status"] == "bounced"
    assert body["data"]["learner"]["last_bounce_category"] == "hard"
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_rolled_back_bounce_sends_nothing_and_leaves_no_outbox_row(
    org, subscribed, receiver, django_capture_on_commit_callbacks
):
    send = SendFactory(run__campaign__organization=org)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        apply_bounce_event(event=BounceEventFactory(send=send))
        raise RuntimeError("the ingestion batch failed after the policy ran")

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []
    assert Learner.objects.get(pk=send.learner_id).status == "active"


def test_a_complaint_posts_learner_unsubscribed(org, subscribed, receiver, django_capture_on_commit_callbacks):
    send = SendFactory(run__campaign__organization=org)

    with django_capture_on_commit_callbacks(execute=True):
        apply_bounce_event(event=BounceEventFactory(send=send, **COMPLAINT))

    assert [event_type for event_type, _body in posted(receiver)] == ["learner.unsubscribed"]


def test_clearing_and_an_email_change_post_learner_cleared_with_how(
    org, admin_member, subscribed, receiver, django_capture_on_commit_callbacks
):
    first, second = bounced_learner(org), bounced_learner(org)
    WebhookDelivery.objects.all().delete()  # their learner.suppressed events: not what this test is about

    with django_capture_on_commit_callbacks(execute=True):
        clear_bounce_status(learner=first, cleared_by=admin_member.user, note="confirmed by phone")
    with django_capture_on_commit_callbacks(execute=True):
        change_learner_email(learner=second, new_email="new@school.example", changed_by=admin_member.user)

    bodies = [body for _type, body in posted(receiver)]
    assert [b["type"] for b in bodies] == ["learner.cleared", "learner.cleared"]
    assert [b["data"]["via"] for b in bodies] == ["portal", "email_change"]
    assert bodies[0]["data"]["learner"]["status"] == "active"
    assert bodies[1]["data"]["learner"]["email"] == "new@school.example"


def test_only_subscribed_event_types_of_the_organizations_own_subscriptions_are_recorded(
    org, other_org, receiver, django_capture_on_commit_callbacks
):
    create_subscription(organization=org, url=receiver.url, events=["run.finished"])
    create_subscription(organization=other_org, url=receiver.url, events=ALL_EVENTS)

    with django_capture_on_commit_callbacks(execute=True):
        bounced_learner(org)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_the_guard_pausing_a_run_posts_run_paused(org, subscribed, receiver, django_capture_on_commit_callbacks):
    run = CampaignRunFactory(campaign__organization=org, organization=org, status=RunStatus.SENDING)

    with django_capture_on_commit_callbacks(execute=True):
        assert pause_run(run_id=run.pk, reason="hard-bounce rate 40.0 % of 10 sends reached the pause rate (10 %)")
        assert not pause_run(run_id=run.pk, reason="again")  # already paused: one event only

    [(event_type, body)] = posted(receiver)
    assert event_type == "run.paused"
    assert body["data"]["run"]["id"] == run.pk
    assert body["data"]["run"]["pause_reason"].startswith("hard-bounce rate 40.0 %")


def test_a_finished_and_a_cancelled_run_post_run_finished_once(
    org, subscribed, receiver, django_capture_on_commit_callbacks
):
    done = CampaignRunFactory(campaign__organization=org, organization=org, status=RunStatus.SENDING)
    SendFactory(run=done, status="delivered")
    cancelled = CampaignRunFactory(campaign__organization=org, organization=org, status=RunStatus.SCHEDULED)

    with django_capture_on_commit_callbacks(execute=True):
        finish_run_if_complete(run_id=done.pk)
        finish_run_if_complete(run_id=done.pk)
        cancel_run(run=cancelled)

    runs = [body["data"]["run"] for event_type, body in posted(receiver) if event_type == "run.finished"]
    assert [(r["id"], r["status"]) for r in runs] == [(done.pk, "done"), (cancelled.pk, "cancelled")]
    assert runs[0]["send_counts"] == {"delivered": 1}


def test_an_event_committed_while_the_worker_is_down_is_delivered_by_the_next_sweep(org, subscribed, receiver):
    from contacts.webhooks.delivery import deliver_due_webhooks

    bounced_learner(org)  # committed in the test's transaction; its after-commit enqueue never runs here

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert deliver_due_webhooks() == 1
    assert [event_type for event_type, _body in posted(receiver)] == ["learner.suppressed"]
