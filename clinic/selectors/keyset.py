"""Keyset pagination for the clinician's lists: a page is the rows after (or before) the row a
cursor names, in the list's order, so no page makes the database skip the ones before it.

A cursor is an opaque token in the query string: the sort keys of the last (or first) row
shown. A token that does not parse is taken as no cursor (the first page).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Key:
    """One sort key: the field, its direction, and how its value comes back from a token."""

    name: str
    descending: bool = False
    parse: Callable[[Any], Any] = lambda value: value

    def order(self, *, reverse: bool = False) -> OrderBy:
        down = self.descending != reverse
        return F(self.name).desc() if down else F(self.name).asc()


def as_date(value: str) -> date:
    return date.fromisoformat(value)


def as_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class CursorPage(Generic[T]):
    items: list[T]
    next_token: str | None = None  # the cursor of the page after this one
    previous_token: str | None = None  # the cursor of the page before it


def ordered(rows: QuerySet[T], keys: Sequence[Key]) -> QuerySet[T]:
    return rows.order_by(*(key.order() for key in keys))


def cursor_page(
    rows: QuerySet[T],
    keys: Sequence[Key],
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> CursorPage[T]:
    """One page of `rows` in the order of `keys` (the last key must be unique)."""
    back = _parse(before, keys) if not after else None
    start = _parse(after, keys) if back is None else None
    if back is not None:
        found = list(
            rows.filter(_beyond(keys, back, reverse=True)).order_by(
                *(key.order(reverse=True) for key in keys)
            )[: size + 1]
        )
        more_before, items = len(found) > size, found[:size][::-1]
        more_after = bool(items)
    else:
        if start is not None:
            rows = rows.filter(_beyond(keys, start, reverse=False))
        found = list(ordered(rows, keys)[: size + 1])
        more_after, items = len(found) > size, found[:size]
        more_before = start is not None and bool(items)
    return CursorPage(
        items=items,
        next_token=token(items[-1], keys) if more_after else None,
        previous_token=token(items[0], keys) if more_before else None,
    )


def token(row: Model, keys: Sequence[Key]) -> str:
    values = [_plain(getattr(row, key.name)) for key in keys]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _parse(text: str | None, keys: Sequence[Key]) -> list[Any] | None:
    if not text:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return [key.parse(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _beyond(keys: Sequence[Key], values: list[Any], *, reverse: bool) -> Q:
    """The rows past `values` in the keys' order (before them, with `reverse`): the first
    key past it, or equal on it and past on the next, and so on."""
    either: list[Q] = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        past = "lt" if key.descending != reverse else "gt"
        either.append(equal & Q(**{f"{key.name}__{past}": value}))
        equal &= Q(**{key.name: value})
    return reduce(or_, either)
