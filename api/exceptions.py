"""Every error the API answers has one shape: ``{"detail": "...", "errors": {...}}``, where
``errors`` (validation only) lists the messages per field."""

from rest_framework import exceptions
from rest_framework.views import exception_handler


def _flat(detail):
    if isinstance(detail, dict):
        return {key: [str(m) for m in _list(value)] for key, value in detail.items()}
    return {"non_field_errors": [str(m) for m in _list(detail)]}


def _list(value):
    if isinstance(value, list | tuple):
        return [m for item in value for m in _list(item)]
    if isinstance(value, dict):
        return [m for item in value.values() for m in _list(item)]
    return [value]


def handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flat(exc.detail)
        first = next((msgs[0] for msgs in errors.values() if msgs), "Invalid request.")
        response.data = {"detail": f"Invalid request: {first}", "errors": errors}
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": str(exc)}
    return response
