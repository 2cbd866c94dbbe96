"""Settings → Webhooks in a real browser: subscribe a loopback receiver, copy the secret shown once,
send a test event, and see a failed and a delivered attempt on the page."""

import pytest
from django.urls import reverse

from contacts.webhook_models import WebhookSubscription
from contacts.webhooks.delivery import deliver_due_webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_subscribes_and_sees_the_deliveries(page, live_server, log_in, admin_member, receiver, screenshot):
    receiver.script = [500]  # the first POST fails, the retry is delivered
    log_in(page, "alice")
    page.goto(live_server.url + reverse("contacts:webhook-list"))

    page.fill("input[name=url]", receiver.url)
    page.fill("input[name=description]", "HR system")
    page.check("input[value='learner.suppressed']")
    page.check("input[value='run.paused']")
    page.click("button:has-text('Subscribe')")
    secret = page.locator("#webhook-secret pre").inner_text().strip()
    subscription = WebhookSubscription.objects.get()
    assert secret == subscription.secret
    screenshot(page, "webhooks_created")

    page.click(f"a[href='{reverse('contacts:webhook-detail', args=[subscription.pk])}']")
    page.click("button:has-text('Send a test event')")
    page.wait_for_load_state("networkidle")
    delivery = subscription.deliveries.get()
    deliver_due_webhooks(now=delivery.next_attempt_at)  # the retry, as the beat sweep would
    page.reload()

    rows = page.locator(".webhook-deliveries tbody tr")
    assert rows.count() == 1
    assert "HTTP 500" in rows.inner_text() and "HTTP 200" in rows.inner_text() and "Delivered" in rows.inner_text()
    assert secret not in page.content()
    assert [r.headers["X-BouncePortal-Event"] for r in receiver.requests] == ["webhook.test", "webhook.test"]
    screenshot(page, "webhooks_detail")
    page.goto(live_server.url + reverse("contacts:webhook-list"))
    screenshot(page, "webhooks_list")
