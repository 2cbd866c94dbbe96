"""Telling an organization's admins that one of its webhook subscriptions was disabled."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext

from contacts.selectors import admin_emails_for
from contacts.webhook_models import WebhookSubscription


def email_admins_about_disabled(subscription_id: int) -> int:
    """Email the organization's admins (the configured backend) why the subscription stopped; return how many."""
    subscription = WebhookSubscription.objects.get(pk=subscription_id)
    recipients = admin_emails_for(subscription.organization_id)
    if not recipients:
        return 0
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("contacts:webhook-detail", args=[subscription.pk])
    send_mail(
        subject=gettext("[BouncePortal] Webhook to %(url)s disabled") % {"url": subscription.url},
        message=gettext(
            "BouncePortal stopped sending events to %(url)s.\n\n"
            "%(reason)s\n\n"
            "Events that happened meanwhile are kept and go out once the endpoint works and you enable "
            "the subscription again:\n%(link)s\n"
        )
        % {"url": subscription.url, "reason": subscription.disabled_reason, "link": link},
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,
    )
    return len(recipients)
