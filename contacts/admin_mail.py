"""Mail to an organization's admins, each in their own language (contacts.preferences)."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from contacts.choices import MemberRole
from contacts.models import Membership


def admin_emails_by_language(organization_id: int) -> dict[str, list[str]]:
    """The organization's admins' addresses, grouped by the language their mail is written in."""
    rows = (
        Membership.objects.filter(organization_id=organization_id, role=MemberRole.ADMIN)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", "user__preference__language")
    )
    grouped: dict[str, list[str]] = {}
    for email, language in rows:
        grouped.setdefault(language or settings.LANGUAGE_CODE, []).append(email)
    return grouped


def mail_admins_of(organization_id: int, compose: Callable[[], tuple[str, str]]) -> int:
    """Send ``compose()``'s (subject, body), built once per language under it, to the admins; return how many.

    Failures are not raised (fail_silently): a notice must not undo the change it tells about.
    """
    sent = 0
    for language, recipients in admin_emails_by_language(organization_id).items():
        with translation.override(language):
            subject, body = compose()
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients, fail_silently=True)
        sent += len(recipients)
    return sent
