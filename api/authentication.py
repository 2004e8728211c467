"""API key authentication, the scope check and the per-key rate limit for DRF."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from core.cache import count_hit

from . import services

KEYWORD = "Bearer"
NO_KEY = "Send an API key: Authorization: Bearer <key>."
BAD_KEY = "This API key is not valid or was revoked."
AUTHENTICATE_HEADER = f'{KEYWORD} realm="api"'


def key_from_headers(headers):
    """The API key a request sends (``X-API-Key`` first, then a bearer token), or "" for none
    (another ``Authorization`` scheme counts as none)."""
    key = headers.get("X-API-Key", "")
    header = headers.get("Authorization", "")
    if not key and header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return ""
        key = value.strip()
    return key


def scope_refusal(api_key, scope):
    """Why ``api_key`` may not use an endpoint that needs ``scope``; None when it may."""
    if scope is not None and not api_key.has_scope(scope):
        return f"This API key does not have the {scope!r} scope."
    return None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer oc_...`` (or ``X-API-Key: oc_...``). No key: the permission
    check answers 401; a wrong or revoked key: 401 here."""

    keyword = KEYWORD

    def authenticate(self, request):
        key = key_from_headers(request.headers)
        if not key:
            return None
        api_key = services.api_key_authenticate(key=key, now=timezone.now())
        if api_key is None:
            raise exceptions.AuthenticationFailed(BAD_KEY)
        return api_key.user, api_key

    def authenticate_header(self, request):
        return AUTHENTICATE_HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created by a supervisor (Integrations page).",
        }


class HasScope(permissions.BasePermission):
    """The view names the scope it needs (``required_scope``); a key without it gets 403."""

    message = "This API key does not have the scope this endpoint needs."

    def has_permission(self, request, view):
        api_key = request.auth
        if api_key is None:
            raise exceptions.NotAuthenticated(NO_KEY)
        refusal = scope_refusal(api_key, getattr(view, "required_scope", None))
        if refusal is not None:
            self.message = refusal
            return False
        return True


class ApiKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (the rate is ``API_KEY_RATE``), counted in the shared cache: one
    counter per key and window (the window opens at its first request), incremented
    atomically, so a request costs one round trip and concurrent workers lose no count.
    (DRF's own throttle reads and rewrites a list of every request's time.)"""

    scope = "api_key"
    cache_format = "throttle-count_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.allows(count_hit(self.key, window_seconds=self.duration))

    def allows(self, count):
        """Whether the request that made the window's count ``count`` may go on."""
        return count <= self.num_requests

    def key_counter(self, api_key_id):
        """The counter of one key (the events process counts on the same one)."""
        return self.cache_format % {"scope": self.scope, "ident": f"key-{api_key_id}"}

    def wait(self):
        # The window opened at most ``duration`` seconds ago: asking again then is safe.
        return self.duration

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.key_counter(request.auth.pk)
