"""Headers on every page: Content-Security-Policy with no inline script, no-store for pages
with customer data (issue 13, row 15), and no inline script or handler in any template."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
# htmx features that evaluate code (refused by the policy): trigger filters, hx-on, js: values.
HTMX_EVAL = re.compile(
    r"hx-trigger=\"[^\"]*\[|\shx-on[:=-]|hx-vals=['\"]js:|hx-vars", re.IGNORECASE
)


def test_row15_pages_with_customer_data_are_not_stored_and_carry_a_strict_csp(agent_client):
    response = agent_client.get(reverse("console:home"))
    assert response.status_code == 200
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "unsafe-inline" not in re.search(r"style-src ([^;]*)", policy).group(1)
    assert "frame-ancestors 'none'" in policy
    # htmx is told not to inject its indicator <style>; console.css carries it instead.
    assert '"includeIndicatorStyles": false' in response.content.decode()


def test_the_login_page_is_not_stored_either(client):
    response = client.get(reverse("login"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TEMPLATES.rglob("*.html")),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_no_template_has_an_inline_script_handler_or_style_element(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to static/js/"
    assert not INLINE_HANDLER.search(text), "attach the handler from static/js/"
    assert not INLINE_STYLE_ELEMENT.search(text), "move the styles to static/css/"
    assert not HTMX_EVAL.search(text), "htmx would need eval: use an event listener in static/js/"
