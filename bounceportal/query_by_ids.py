"""A queryset over a list of ids, compiled once and run for other ids (the policy's learner lock)."""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet

from bounceportal.db import UNNEST_IDS, array_text, pk_in
from bounceportal.prepared import Prepared, can_prepare, server_text


class QueryByIds:
    """A queryset over ``pk_in(ids)`` compiled once, then run for other ids: the ORM's instances
    without its per-call building and compiling. ``ids_q`` may also filter a subquery (the runs of
    the sends ``Send.objects.filter(ids_q)`` names): the ids are the query's one array parameter.

    ``build(ids_q)`` returns the queryset filtered by ``ids_q``. Its SQL must not depend on
    anything but the ids (no ``now()`` from Python, no arguments): on PostgreSQL ``pk_in`` makes
    the text the same for any ids (one array parameter), so the text, its parameters and the
    compiler's column map are kept (per thread: a connection is) from the first call, and each
    later call executes them with the new array and builds the instances as Django's
    ``ModelIterable`` does (select_related and annotations included; no prefetching). Building and
    compiling the learner lock cost 1.5 ms a call, more than running it for a one-event
    transaction. With ``share_related`` (on PostgreSQL) the rows' select_related instances are
    built once per primary key and shared by the instances that name them (read-only ones, such
    as an organization's policy). Where it can (``bounceportal.prepared``) the text is also
    prepared on each session, so the server plans it once: planning the lock cost it four times
    what running it did. Elsewhere the queryset is built and run each time.
    """

    def __init__(self, build: Callable[[Q], QuerySet], *, using: str = DEFAULT_DB_ALIAS, share_related: bool = False):
        self._build = build
        self._using = using
        self._share = share_related
        self._local = threading.local()

    def __call__(self, ids: Iterable[int]) -> list[Any]:
        ids = list(ids)
        connection = connections[self._using]
        if connection.vendor != "postgresql":
            return list(self._build(pk_in(ids)))
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = self._compile()
        with connection.cursor() as cursor:
            if compiled.prepared is not None:
                compiled.prepared.execute(cursor, [array_text(ids)])
            else:
                params = compiled.params
                cursor.execute(compiled.sql, [*params[: compiled.slot], ids, *params[compiled.slot + 1 :]])
            rows: Iterable = cursor.fetchall()
        if compiled.converters:  # what the compiler's results_iter does, without finding them again
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        found = []
        built: dict = {}  # (populator, related pk) -> the related instance, when shared
        for row in rows:
            obj = compiled.model.from_db(self._using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                if self._share and populator.reorder_for_init is None:
                    _populate_shared(populator, row, obj, built)
                else:
                    populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def _compile(self) -> "_Compiled":
        from django.db.models.expressions import RawSQL
        from django.db.models.query import get_related_populators

        marker: list[int] = []
        queryset = self._build(Q(pk__in=RawSQL(UNNEST_IDS, [marker])))
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info and annotation_col_map
        slots = [i for i, param in enumerate(params) if param is marker]
        if len(slots) != 1:
            raise ValueError("QueryByIds: the ids must be the query's one array parameter")
        info = compiler.klass_info
        assert info is not None  # a query of model instances has one
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        connection = connections[self._using]
        return _Compiled(
            sql=sql,
            params=list(params),
            slot=slots[0],
            prepared=(
                Prepared(server_text(connection, sql, params, {slots[0]: 1}), ["bigint[]"])
                if can_prepare(connection)
                else None
            ),
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]]),
            model=info["model"],
            fields=slice(start, end),
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            populators=get_related_populators(info, compiler.select, self._using),  # type: ignore[call-arg]  # the stubs follow Django 6 (fetch_mode)
            annotations=list(compiler.annotation_col_map.items()),
        )


_MISSING = object()


def _populate_shared(populator, row, obj, built: dict) -> None:
    """What ``RelatedPopulator.populate`` does, building the related instance (and those it selects in
    turn) once per primary key in this result: the learners of one organization share one organization
    and one policy, where each row built its own copies of them (two instances in three of the lock's)."""
    data = row[populator.cols_start : populator.cols_end]
    key = (id(populator), data[populator.pk_idx])
    related = built.get(key, _MISSING)
    if related is _MISSING:
        related = None if key[1] is None else populator.model_cls.from_db(populator.db, populator.init_list, data)
        if related is not None:
            for nested in populator.related_populators:
                nested.populate(row, related)
        built[key] = related
    populator.local_setter(obj, related)
    if related is not None:
        populator.remote_setter(related, obj)


@dataclass(frozen=True)
class _Compiled:
    """What QueryByIds keeps of its first call: the text and parameters, and how rows become instances."""

    sql: str
    params: list
    slot: int  # the ids' position in params
    prepared: Prepared | None
    compiler: Any
    converters: dict
    model: Any
    fields: slice
    init_list: list[str]
    populators: list
    annotations: list
