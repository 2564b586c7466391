"""URL converters: the ids a route accepts are the ids a database row can have.

Every ``<int:...>`` in a route is a primary key stored as a signed 32-bit
integer (PostgreSQL ``integer``). Werkzeug's ``int`` converter takes any
size, so ``/reports/2147483648`` reached the database and failed there
with a 500. Replacing the ``int`` converter once, before any blueprint is
registered, gives every such route the same range and an ordinary 404.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# Largest value of a PostgreSQL ``integer`` (and SQLite stores it unchanged).
MAX_ID = 2**31 - 1


def _up_to(limit: int) -> str:
    """Return a regular expression matching exactly the decimal numbers 1..``limit`` (no leading zeros).

    Why a regex and not only ``max``: Werkzeug checks a converter's range
    after it has matched the path, so for a route that exists only for GET
    an out-of-range id sent with PATCH answered 405 instead of 404. A path
    the regex refuses matches no rule for any method.
    """
    digits = str(limit)
    shorter = f"[1-9]\\d{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for index, digit in enumerate(digits):
        prefix, rest = digits[:index], len(digits) - index - 1
        low = "1" if index == 0 else "0"
        if int(digit) > int(low):
            same_length.append(f"{prefix}[{low}-{int(digit) - 1}]\\d{{{rest}}}")
    same_length.append(digits)
    return "(?:" + "|".join([p for p in (shorter, *same_length) if p]) + ")"


class IdConverter(IntegerConverter):
    """``int`` limited to 1..2**31-1: ids outside that range cannot exist, so they do not match (404)."""

    regex = _up_to(MAX_ID)

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def register_converters(app: Flask) -> None:
    """Make ``<int:...>`` mean a database id for every route (call before registering blueprints)."""
    app.url_map.converters["int"] = IdConverter
