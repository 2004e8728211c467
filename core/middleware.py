from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


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
