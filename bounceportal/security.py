"""Content-Security-Policy header (Django 5.2 has none built in) and the allowed HTTP methods."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
# The REST API removes with DELETE (its never-suppress entries); DRF answers 405 itself where a path has none.
API_ALLOWED_METHODS = (*ALLOWED_METHODS, "DELETE")


class ContentSecurityPolicyMiddleware:
    """Adds the CONTENT_SECURITY_POLICY setting as a header to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class AllowedMethodsMiddleware:
    """Answers 405 to any method but GET, HEAD, POST and OPTIONS, before any view runs.

    Every page is a form page: PUT, PATCH, DELETE or an invented method is never meant, and a
    view's own guard may only have thought of POST (a viewer's PUT to a settings page was
    answered 200). The REST API (``API_PATH_PREFIX``) may also be sent DELETE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = API_ALLOWED_METHODS if request.path.startswith(API_PATH_PREFIX) else ALLOWED_METHODS
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return self.get_response(request)


# What no text column can hold: NUL (PostgreSQL refuses it) and lone surrogates (UTF-8 cannot encode them).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "A filter or search value held a character that cannot be stored or searched for "
    "(a NUL byte or a broken character); it was left out."
)


def is_unstorable(text: str) -> bool:
    """True when ``text`` holds a character no database column can store."""
    return bool(UNSTORABLE.search(text))


# The REST API's paths (api/urls.py): its clients get a 400 they can read instead of a redirect.
API_PATH_PREFIX = "/api/"


class UnstorableQueryMiddleware:
    """Drops query-string parameters holding unstorable characters, with a message, instead of a 500.

    Portal filter forms already refuse NUL in text fields, but the Django admin's list filters and
    search (``?status__exact=%00``, ``?q=%00``) hand the value straight to the database, which
    raises. The request is redirected to the same page without those parameters and the message
    says why, for every page, the admin's of other apps included. Goes after the messages middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.GET:
            kept = [
                (key, value)
                for key, values in request.GET.lists()
                for value in values
                if not (is_unstorable(key) or is_unstorable(value))
            ]
            if len(kept) != sum(len(values) for _key, values in request.GET.lists()):
                if request.path.startswith(API_PATH_PREFIX):  # a program asked: an answer, not a redirect
                    return JsonResponse({"detail": UNSTORABLE_MESSAGE}, status=400)
                messages.error(request, UNSTORABLE_MESSAGE)
                query = urlencode(kept)
                return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address for login throttling: REMOTE_ADDR, or with ``TRUSTED_PROXY_COUNT`` proxies
    in front, the address the outermost of them saw (the entry they appended to X-Forwarded-For;
    what a client writes there itself, further left, is never believed)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
