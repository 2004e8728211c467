"""The shared refusal base and the page-or-partial render helper."""

import pytest
from django import forms
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.errors import ServiceError, add_error_to_form
from core.htmx import wants_partial


class _Form(forms.Form):
    name = forms.CharField()


class _Several(ServiceError):
    @property
    def messages(self):
        return ["First reason.", "Second reason."]


def _form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    return form


@pytest.mark.parametrize(
    ("error", "where", "expected"),
    [
        (ServiceError("Beside the field.", field="name"), "name", ["Beside the field."]),
        (ServiceError("On the form.", field="elsewhere"), "__all__", ["On the form."]),
        (ServiceError("On the form."), "__all__", ["On the form."]),
        (_Several("ignored", field="name"), "name", ["First reason.", "Second reason."]),
    ],
)
def test_a_refusal_lands_beside_its_field_or_on_the_form(error, where, expected):
    form = _form()
    add_error_to_form(form, error)
    assert form.errors[where] == expected


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_only_an_htmx_swap_gets_the_partial_never_a_history_restore(headers, partial):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    assert wants_partial(request) is partial
