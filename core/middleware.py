import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty
from django_htmx.http import HttpResponseClientRedirect

from . import jsonlog


class LoginRequiredHtmxMiddleware(LoginRequiredMiddleware):
    """Every page requires login. An htmx request whose session expired sends the whole
    browser to the login page (and back to the page the agent was on), instead of swapping
    the login form into a fragment."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A view open to everyone is served without reading the session and the user (Django
        # checks the user first): the live screens' version check runs every second.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            current = request.htmx.current_url
            back = urlsplit(current)
            next_path = back.path + (f"?{back.query}" if back.query else "") if current else "/"
            response = redirect_to_login(next_path, self.get_login_url(view_func))
            return HttpResponseClientRedirect(response["Location"])
        return super().handle_no_permission(request, view_func)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_logger = logging.getLogger("console.request")


class RequestLogMiddleware:
    """A request id for every request (the proxy's ``X-Request-ID`` when it sends a sane one),
    on every log line written while serving it (``core.jsonlog``) and on the response; and one
    log line per request: method, path, status, duration, user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request_id = request_id_for(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id
        token = jsonlog.request_context.set(_RequestContext(request))
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log_request(request.method, request.path, response.status_code, started=started)
            return response
        finally:
            jsonlog.request_context.reset(token)


def request_id_for(offered):
    """The proxy's ``X-Request-ID`` when it is a sane one, else a new id."""
    return offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex


def log_request(method, path, status, *, started):
    """The one log line per request (``started``: its ``time.monotonic()``)."""
    request_logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
    )


class _RequestContext:
    """(request id, username) read when a line is logged, so the user is who they are by then
    (after a login too) and a view open to everyone never loads the session just to log."""

    def __init__(self, request):
        self.request = request

    def __iter__(self):
        return iter((self.request.request_id, _username(self.request)))

    def __getitem__(self, index):
        return tuple(self)[index]


def _username(request):
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return ""  # never loaded while serving: nothing to name, and no query to find out
    if user is not None and user.is_authenticated:
        return user.get_username()
    return ""


class PrivateCacheMiddleware:
    """Pages carry customer data: no shared cache or browser history may keep a copy.

    Every response Django renders gets ``Cache-Control: no-store, private`` unless the view set
    its own policy (static files are served before this, by whitenoise, and stay cacheable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
