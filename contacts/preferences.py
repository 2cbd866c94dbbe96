"""Each user's language: stored in ``UserPreference``, read for their emails, active on their pages.

``language_for(user)`` is what a mail sent to the user is rendered in (with
``translation.override``). On pages, ``UserLocaleMiddleware`` (in Django's LocaleMiddleware's place)
puts a logged-in user's own choice over the language cookie and the browser's Accept-Language. That
choice is copied into the session at login (and when the picker saves it), so a page costs no query.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from contacts.models import UserPreference

SESSION_KEY = "_language"


def supported_language(code: str) -> bool:
    """True for one of settings.LANGUAGES' codes."""
    return code in dict(settings.LANGUAGES)


def language_for(user) -> str:
    """The user's chosen language code, else settings.LANGUAGE_CODE."""
    chosen = UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def set_language_for(user, code: str) -> UserPreference:
    """Stores ``code`` (one of settings.LANGUAGES, or "" for no choice) as the user's language."""
    if code and not supported_language(code):
        raise ValueError(f"unsupported language {code!r}")
    with transaction.atomic():
        preference, _ = UserPreference.objects.update_or_create(user=user, defaults={"language": code})
    return preference


def remember_language(request, code: str) -> None:
    """Makes ``code`` the language of the rest of this session's pages (from the next request on)."""
    if code:
        request.session[SESSION_KEY] = code
    else:
        request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="contacts.preferences.language_at_login")
def _language_at_login(sender, request, user, **kwargs):
    chosen = UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    if request is not None and chosen:
        remember_language(request, chosen)


class UserLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with a logged-in user's own language (from the session) first.

    Without one it is Django's: the language cookie, else Accept-Language, else LANGUAGE_CODE.
    Logging out flushes the session, so the next user of the browser starts from the cookie again.
    The thread's language goes back afterwards, so it cannot leak into what the thread runs next.
    """

    def process_request(self, request):
        request._language_before = translation.get_language()
        # Only a login (or the picker) writes the key: no need to load the user.
        code = request.session.get(SESSION_KEY)
        if code and supported_language(code):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        else:
            super().process_request(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        translation.activate(getattr(request, "_language_before", settings.LANGUAGE_CODE))
        return response
