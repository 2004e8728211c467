from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


class LoginRequiredHtmxMiddleware(LoginRequiredMiddleware):
    """Every page requires login. An htmx request whose session expired sends the whole
    browser to the login page (and back to the page the agent was on), instead of swapping
    the login form into a fragment."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            current = request.htmx.current_url
            back = urlsplit(current)
            next_path = back.path + (f"?{back.query}" if back.query else "") if current else "/"
            response = redirect_to_login(next_path, self.get_login_url(view_func))
            return HttpResponseClientRedirect(response["Location"])
        return super().handle_no_permission(request, view_func)


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
