"""A cursor for the hot statements that cost PostgreSQL more to plan than to run.

Django binds parameters on the client, so PostgreSQL plans every statement anew. A statement
run through ``prepared_cursor()`` is bound on the server and prepared on its first run on a
connection (psycopg keeps it per connection and forgets it with the connection): later runs
skip the planning. With ``DATABASE_PREPARED_STATEMENTS`` off (no ``prepare_threshold``, as
behind a pooler that does not carry prepared statements) psycopg prepares nothing and the
statement is simply bound on the server.

Bound on the server, the statement's parameters need types PostgreSQL can infer: cast them
(``%(at)s::timestamptz``) where the context does not say.
"""

import psycopg
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _PreparingCursor(psycopg.Cursor):
    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class _LoggedCursor(CursorDebugWrapper):
    """With the query log on (tests, DEBUG) the statement is logged with its values, composed
    on the client as Django composes its own (Django reads the executed text back from a
    client-side cursor, which a server-side one lacks): the log stays a statement that runs
    (the lookup benchmark asks PostgreSQL for the plan of the slowest one)."""

    def execute(self, sql, params=None):
        with self.debug_sql(_composed(self.db, sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _composed(connection, sql, params):
    try:
        return connection.ops.compose_sql(sql, params)
    except psycopg.Error:
        return sql  # as written


def prepared_cursor(connection):
    """A cursor in Django's wrapper (the query log, the translation of database errors)
    whose statements are prepared on PostgreSQL (elsewhere, Django's own cursor). Use it as
    a context manager."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    cursor = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedCursor(cursor, connection)
    return connection.make_cursor(cursor)
