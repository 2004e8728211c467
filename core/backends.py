"""The login backend: Django's model backend, reading the user's role with the user.

Every request loads its user once (the session's user id); every view then checks the role.
Reading the highest role in the same statement, as a subquery, saves a groups query on every
request, and the role is as fresh as the user row: a change of group counts from the next
request."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from . import roles
from .db import prepared_cursor


@cache
def _user_with_rank_sql(model):
    """The one statement that reads a user's columns and their highest role rank (``NULL``
    without a role group), written once per process: every request runs it, and building it
    through the ORM each time cost more CPU than the query itself."""
    quote = connection.ops.quote_name
    through = model.groups.through._meta
    ranks = " ".join("WHEN g.name = %s THEN %s" for _ in roles.RANK)
    pk = quote(model._meta.pk.column)
    columns = ", ".join(f"u.{quote(f.column)}" for f in model._meta.concrete_fields)
    sql = (
        f"SELECT {columns}, (SELECT MAX(CASE {ranks} ELSE 0 END)"
        f" FROM {quote(through.db_table)} ug"
        f" JOIN {quote(Group._meta.db_table)} g"
        f" ON g.id = ug.{quote(through.get_field('group').column)}"
        f" WHERE ug.{quote(through.get_field('user').column)} = u.{pk}) AS console_rank"
        f" FROM {quote(model._meta.db_table)} u WHERE u.{pk} = %s"
    )
    params = [item for name, value in roles.RANK.items() for item in (name, value)]
    return sql, params


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding a key of the wrong kind: no user
            return None
        sql, params = _user_with_rank_sql(model)
        # Prepared (every request runs it), and the row made a user without a raw queryset.
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [*params, user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        *fields, rank = row
        attnames = [f.attname for f in model._meta.concrete_fields]
        user = model.from_db(connection.alias, attnames, fields)
        if not self.user_can_authenticate(user):
            return None
        roles.remember_rank(user, rank)
        return user

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            # Refused here: the plain model backend listed after this one (for sessions made
            # before it) would only hash the same wrong password again.
            raise PermissionDenied
        return user
