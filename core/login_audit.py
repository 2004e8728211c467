"""The login part of the audit trail: every success, failure and lockout, with the address.

Receivers of Django's auth signals and django-axes's lockout signal, connected in
``CoreConfig.ready``. The password is never recorded; a failed username is, as typed."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .audit import audit_record, request_address

LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
LOGIN_LOCKED_OUT = "login.locked_out"
LOGGED_OUT = "login.logged_out"


def _typed_username(credentials):
    return str((credentials or {}).get("username") or "")[:150]


def on_logged_in(sender, request, user, **kwargs):
    audit_record(
        action=LOGIN_SUCCEEDED,
        actor=user,
        subject=user.get_username(),
        ip_address=request_address(request),
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(
        action=LOGGED_OUT,
        actor=user,
        subject=user.get_username(),
        ip_address=request_address(request),
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    name = _typed_username(credentials)
    audit_record(
        action=LOGIN_FAILED, actor_name=name, subject=name, ip_address=request_address(request)
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    name = str(username or "")[:150]
    audit_record(
        action=LOGIN_LOCKED_OUT,
        actor_name=name,
        subject=name,
        detail={"address": ip_address or ""},
        ip_address=ip_address or None,
    )


def connect():
    user_logged_in.connect(on_logged_in, dispatch_uid="core.login_audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="core.login_audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="core.login_audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="core.login_audit.locked_out")
