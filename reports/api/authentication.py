"""How a request proves which organization it acts for: an API key, its scope, and its rate limit."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from reports.api.keys import active_key_for
from reports.api.models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer bpk_…``: ``request.auth`` is the ApiKey, ``request.user`` its creator."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <API key>'.")
        key = active_key_for(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return (key.created_by or AnonymousUser(), key)

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "reports.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API key made in Settings → API keys."}


def key_of(request) -> ApiKey:
    return request.auth


class HasApiKey(permissions.BasePermission):
    """Any active key may read; writing needs a read-write key."""

    message = "This API key is read-only."

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return False
        return request.method in permissions.SAFE_METHODS or request.auth.may_write


class MayClear(permissions.BasePermission):
    message = "Clearing a bounce status needs a read-write API key allowed to clear."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey) and request.auth.may_clear


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """API_RATE_LIMIT requests (e.g. ``600/min``) per key, counted in the cache shared by the web processes."""

    scope = "api_key"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None  # unauthenticated requests are refused before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
