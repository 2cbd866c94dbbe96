"""Telling an organization's admins that one of its webhook subscriptions was disabled."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from contacts.admin_mail import mail_admins_of
from contacts.webhook_models import WebhookSubscription


def email_admins_about_disabled(subscription_id: int) -> int:
    """Email the organization's admins (the configured backend, each in their language) why the subscription
    stopped; return how many."""
    subscription = WebhookSubscription.objects.get(pk=subscription_id)
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("contacts:webhook-detail", args=[subscription.pk])

    def compose() -> tuple[str, str]:
        subject = gettext("[BouncePortal] Webhook to %(url)s disabled") % {"url": subscription.url}
        body = gettext(
            "BouncePortal stopped sending events to %(url)s.\n\n"
            "%(reason)s\n\n"
            "Events that happened meanwhile are kept and go out once the endpoint works and you enable "
            "the subscription again:\n%(link)s\n"
        ) % {"url": subscription.url, "reason": subscription.disabled_reason, "link": link}
        return subject, body

    return mail_admins_of(subscription.organization_id, compose)
