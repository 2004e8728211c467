"""Querysets whose SQL the ORM writes once per process, for reads every request makes.

Building a queryset and compiling it to SQL costs more CPU than PostgreSQL takes to run a small
indexed read (0.5-1 ms a query). A ``Precompiled`` read keeps the ORM as the author of its
SQL: the queryset is built once, with a stand-in value for each parameter, and compiled; the
statement is kept (one per database), and each call runs it with the real values and
turns the rows into model instances as the queryset would have (the backend's converters
applied, annotations as attributes). On PostgreSQL the statement is bound on the server and
prepared on its first run on each connection, so it is not planned again either.

This is what ``QuerySet.__iter__`` does with a model queryset, less building and compiling
it: ``select_related`` and annotations work; prefetching does not (a prefetch is another
query: write it as another precompiled read).
"""

from dataclasses import dataclass

from django.db import connections
from django.db.models.query import get_related_populators

from .db import prepared_cursor


def stand_in_id(n=1):
    """A stand-in for an id parameter: a primary key no row holds (negative). A statement
    with several id parameters gives each its own ``n``: parameters are told apart by value."""
    return -7_000_000_000 - n


def stand_in_text(name):
    """A stand-in for a text parameter, named after it: no stored text starts with this
    private-use character."""
    return "\ue000" + name


@dataclass(frozen=True)
class _Statement:
    model: type
    sql: str
    slots: tuple  # per parameter: (name of the value, None) or (None, constant)
    field_names: tuple  # the model's attnames, in the order of the first columns
    annotations: tuple  # (attribute name, column position)
    converters: dict  # column position -> (converters, expression)
    related: list  # populators of the select_related objects


class Precompiled:
    """``Precompiled(build, customer=stand_in_id())``: ``build(customer=...)`` returns the
    queryset; each keyword names a parameter and gives its stand-in, a value of the right
    type that the query never holds otherwise (``stand_in_id``, ``stand_in_text``).
    ``run(customer=42)`` returns the list of instances ``build(customer=42)`` would give."""

    def __init__(self, build, **stand_ins):
        self._build = build
        self._stand_ins = stand_ins
        self._statements = {}

    def _compile(self, using):
        queryset = self._build(**self._stand_ins)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        info = compiler.klass_info
        slots = []
        for param in params:
            names = [
                name
                for name, value in self._stand_ins.items()
                if type(value) is type(param) and value == param
            ]
            slots.append((names[0], None) if names else (None, param))
        missing = set(self._stand_ins) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"The query does not use {sorted(missing)}.")
        select = compiler.select
        fields = info["select_fields"]
        if fields != list(range(len(fields))):
            raise ValueError("The model's columns must come first.")
        return _Statement(
            model=queryset.model,
            sql=sql,
            slots=tuple(slots),
            field_names=tuple(select[i][0].target.attname for i in fields),
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=compiler.get_converters([column[0] for column in select]),
            related=get_related_populators(info, select, using),
        )

    def statement(self, using="default"):
        statement = self._statements.get(using)
        if statement is None:
            statement = self._statements[using] = self._compile(using)
        return statement

    def run(self, using="default", **values):
        statement = self.statement(using)
        connection = connections[using]
        params = [values[name] if name else constant for name, constant in statement.slots]
        with prepared_cursor(connection) as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        count = len(statement.field_names)
        from_db = statement.model.from_db
        found = []
        for row in rows:
            if statement.converters:
                row = list(row)
                for position, (converters, expression) in statement.converters.items():
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
            instance = from_db(using, statement.field_names, row[:count])
            for populator in statement.related:
                populator.populate(row, instance)
            for name, position in statement.annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found
