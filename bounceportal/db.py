"""Database helpers for hot paths where the ORM's per-call overhead dominates.

Raw SQL here and in the services names tables and columns through the models' ``_meta``
(``sql_names``), never as literals, so a renamed table or column cannot silently drift.
"""

import re
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, Q


def update_fields_many(objs: Sequence[Any], field_names: list[str], *, model: type[Model] | None = None) -> None:
    """Write ``field_names`` of each object back by primary key, in one executemany.

    The objects are instances of ``model`` (by default the first object's class) or any
    objects carrying the same attributes (the field's ``attname`` and the primary key's).

    Django's ``bulk_update`` builds a CASE expression per field and row, which
    costs milliseconds per row in Python; psycopg 3 pipelines an executemany
    into a single round trip, so this stays cheap for a batch of any size.
    """
    if not objs:
        return
    model = model or type(objs[0])
    connection = connections[router.db_for_write(model)]
    fields = concrete_fields(model, field_names)
    names = sql_names(model, connection)
    assignments = ", ".join(f"{getattr(names, field.name)} = %s" for field in fields)
    pk = model._meta.pk
    assert pk is not None  # every concrete model has one
    sql = f"UPDATE {names.table} SET {assignments} WHERE {getattr(names, pk.name)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [getattr(obj, pk.attname)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_new_rows(
    model: type[Model], rows: Sequence[Model], columns: Sequence[str], *, unique: Sequence[str], key: str
) -> set:
    """Insert the rows with one ``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING``; set the new rows'
    primary keys (the others keep none) and return the ``key`` values of those inserted.

    Rows a concurrent writer (or an earlier request) stored already are skipped by the database, so
    the caller acts only on what it inserted and nothing is ever applied twice.
    """
    if not rows:
        return set()
    connection = connections[router.db_for_write(model)]
    fields = concrete_fields(model, columns)
    names = sql_names(model, connection)
    pk = model._meta.pk
    assert pk is not None
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {names.table} ({', '.join(getattr(names, f.name) for f in fields)}) "
        f"VALUES {', '.join([one] * len(rows))} ON CONFLICT ({', '.join(getattr(names, u) for u in unique)}) "
        f"DO NOTHING RETURNING {getattr(names, pk.name)}, {getattr(names, key)}"
    )
    params = [f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {value: row_pk for row_pk, value in cursor.fetchall()}
    for row in rows:
        row.pk = ids.get(getattr(row, key))
        row._state.adding = row.pk is None
    return set(ids)


def concrete_fields(model: type[Model], names: Iterable[str]) -> list[Field]:
    """The model's concrete fields named ``names`` (a field's name or attname), in that order."""
    by_name: dict[str, Field] = {}
    for field in model._meta.concrete_fields:
        by_name[field.name] = by_name[field.attname] = field
    return [by_name[name] for name in names]


def sql_names(model: type[Model], connection: BaseDatabaseWrapper) -> SimpleNamespace:
    """The model's quoted table and column names for raw SQL: ``.table``, and one attribute per
    concrete field under both its name and its attname (``learner`` and ``learner_id``)."""
    quote = connection.ops.quote_name
    names = {"table": quote(model._meta.db_table)}
    for field in model._meta.concrete_fields:
        names[field.name] = names[field.attname] = quote(column_of(field))
    return SimpleNamespace(**names)


def column_of(field: Field) -> str:
    """The column of a concrete field (django-stubs types it ``str | None``; only fields that are
    not concrete, such as a ManyToManyField, have none)."""
    if field.column is None:
        raise ValueError(f"{field} has no column")
    return field.column


def pk_in(ids: Iterable[int]) -> Q:
    """Return a Q for ``pk IN ids`` that stays cheap for tens of thousands of ids.

    Django compiles ``pk__in=[…]`` to one placeholder per id, which costs tens of
    milliseconds per 5,000 ids in Python; on PostgreSQL the ids travel as one
    array parameter instead (``IN (SELECT unnest(%s::bigint[]))``).
    """
    from django.db import connection
    from django.db.models.expressions import RawSQL

    ids = list(ids)
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
    return Q(pk__in=ids)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value, limit: int) -> str:
    """Text safe for a PostgreSQL column, cut to ``limit``: NUL characters (which it refuses)
    removed, and lone surrogates (which UTF-8 cannot encode: a charset such as unicode_escape
    decodes to them) replaced by U+FFFD, so one hostile message cannot stop a batch."""
    text = (value or "").replace("\x00", "")
    if not text.isascii():
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text[:limit]
