"""The login backend: Django's model backend, reading the user's role with the user.

Every request loads its user once (the session's user id); every view then checks the role.
Reading the highest role in the same statement, as a subquery, saves a groups query on every
request, and the role is as fresh as the user row: a change of group counts from the next
request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import roles


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(console_rank=roles.rank_subquery())
        user = users.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        roles.remember_rank(user, user.console_rank)
        return user

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            # Refused here: the plain model backend listed after this one (for sessions made
            # before it) would only hash the same wrong password again.
            raise PermissionDenied
        return user
