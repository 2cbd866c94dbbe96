"""Keyset pagination: pages that start after the previous page's last row, not after OFFSET rows.

An OFFSET page reads and throws away every row before it (OFFSET 500,000 on a run's sends took
1.2 s); a keyset page is one index range: ``WHERE (email, id) > (last email, last id) ORDER BY
email, id LIMIT 51``, as fast on the ten-thousandth page as on the first, and stable while rows
are added (a row inserted before the cursor does not shift the next page by one).

The position travels in an opaque ``?cursor=`` token: the page boundary row's sort key plus its
id, the direction, signed with the site's SECRET_KEY (``django.core.signing``) under a salt per
list and sort, so a cursor that was edited, is from another list or sort, or is garbage raises
``InvalidCursor`` (the views show the first page with a message). Nothing is counted to page.

A key is a tuple of ``(field, descending)`` whose last field makes it unique (the id); each key
in use has a matching index (``ORDER BY`` of the key answered by an index scan, see
tests/test_explain_selectors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

Key = tuple[tuple[str, bool], ...]  # ((field name, descending), ...), unique as a whole
NEXT, PREVIOUS = "n", "p"
BAD_CURSOR = _("That page link was not valid (edited, cut short or from another list): showing the first page.")


class InvalidCursor(Exception):
    """The ``cursor`` was not made by us for this list and sort (edited, truncated or from elsewhere)."""


def key_of(*fields: str) -> Key:
    """``key_of("-created_at", "-id")``: a key from Django ``order_by`` strings."""
    return tuple((name.lstrip("-"), name.startswith("-")) for name in fields)


def reversed_key(key: Key) -> Key:
    return tuple((name, not descending) for name, descending in key)


def order_by_of(key: Key) -> list[str]:
    """The ``order_by()`` arguments that sort rows in ``key`` order."""
    return [("-" if descending else "") + name for name, descending in key]


def after(key: Key, values: Sequence[Any]) -> Q:
    """The rows that come after the row whose key is ``values`` in ``key`` order.

    ``(a > x) OR (a = x AND b > y) OR ...``, led by ``a >= x`` (the same set): that bound is what lets
    PostgreSQL start an index range scan at the cursor instead of filtering from the list's start.
    """
    (first, first_descending), first_value = key[0], values[0]
    condition = Q()
    for depth, (name, descending) in enumerate(key):
        equal = {prefix: value for (prefix, _), value in zip(key[:depth], values, strict=False)}
        condition |= Q(**equal, **{f"{name}__{'lt' if descending else 'gt'}": values[depth]})
    return Q(**{f"{first}__{'lte' if first_descending else 'gte'}": first_value}) & condition


def _encode(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def make_cursor(salt: str, direction: str, values: Sequence[Any]) -> str:
    """An opaque, signed token for the page that starts after (or ends before) the row ``values``."""
    return signing.dumps([direction, [_encode(value) for value in values]], salt=salt, compress=True)


def read_cursor(token: str, *, salt: str, parsers: Sequence[Callable[[Any], Any]]) -> tuple[str, list[Any]]:
    """Return (direction, values) from a token of ``make_cursor``, each value read by its parser (a
    model field's ``to_python``); raise InvalidCursor for any token we did not make."""
    try:
        direction, raw = signing.loads(token, salt=salt)
        if direction not in (NEXT, PREVIOUS) or len(raw) != len(parsers):
            raise ValueError("wrong shape")
        values = [parse(value) for parse, value in zip(parsers, raw, strict=True)]
    except (signing.BadSignature, ValidationError, ValueError, TypeError, LookupError) as error:
        raise InvalidCursor(str(error)) from None
    return direction, values


def _field(model, name: str):
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def values_of(row, key: Key) -> list[Any]:
    """The key values of a row (a model instance)."""
    return [getattr(row, name) for name, _ in key]


@dataclass
class KeysetPage:
    """One page of rows in key order, with the cursors of its neighbours (None when there is none)."""

    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(queryset, *, key: Key, per_page: int, cursor: str | None, salt: str) -> KeysetPage:
    """Return the page of ``queryset`` (filtered, any order replaced by ``key``) that ``cursor`` names.

    No cursor is the first page. Each page costs one query of ``per_page + 1`` rows (the extra row
    says whether there is a page after it). Going back reads the rows before the page's first row in
    reverse key order; when fewer than a page remain there, the first page is shown instead, so
    "Previous" never lands on a short page. Raises InvalidCursor for a token we did not hand out.
    """
    parsers = [_field(queryset.model, name).to_python for name, _ in key]
    direction, values = (NEXT, []) if not cursor else read_cursor(cursor, salt=salt, parsers=parsers)
    if direction == PREVIOUS:
        backwards = reversed_key(key)
        rows = list(queryset.filter(after(backwards, values)).order_by(*order_by_of(backwards))[: per_page + 1])
        if len(rows) <= per_page:
            return keyset_page(queryset, key=key, per_page=per_page, cursor=None, salt=salt)
        rows = rows[:per_page][::-1]
        return _page(rows, key, salt, more_before=True, more_after=True)
    ordered = queryset.order_by(*order_by_of(key))
    rows = list((ordered.filter(after(key, values)) if values else ordered)[: per_page + 1])
    return _page(rows[:per_page], key, salt, more_before=bool(values), more_after=len(rows) > per_page)


def _page(rows: list, key: Key, salt: str, *, more_before: bool, more_after: bool) -> KeysetPage:
    return KeysetPage(
        object_list=rows,
        next_cursor=make_cursor(salt, NEXT, values_of(rows[-1], key)) if more_after and rows else None,
        previous_cursor=make_cursor(salt, PREVIOUS, values_of(rows[0], key)) if more_before and rows else None,
        is_first=not more_before,
    )
