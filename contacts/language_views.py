"""The language picker: a logged-in user's choice is stored (contacts.preferences), anyone's is a cookie."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from contacts.preferences import remember_language, set_language_for


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


def safe_next(request) -> str:
    """The page to go back to: the form's ``next`` when it is on this site, else the language page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return request.path


class LanguageView(TemplateView):
    """GET: a page with the picker. POST: switches the language and goes back to ``next``.

    Open to anonymous visitors (the login page's picker sets the cookie only); a logged-in user's
    choice is also stored and kept in their session, so it follows them to other browsers.
    """

    template_name = "contacts/language.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request)
        return context

    def post(self, request, *args, **kwargs):
        form = LanguageForm(request.POST)
        target = safe_next(request)
        if not form.is_valid():
            messages.error(request, form.errors["language"][0])  # Django's own words, in every language
            return redirect(target)
        code = form.cleaned_data["language"]
        if request.user.is_authenticated:
            set_language_for(request.user, code)
            remember_language(request, code)
        response = redirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
