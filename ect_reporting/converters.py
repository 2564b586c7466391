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


class IdConverter(IntegerConverter):
    """``int`` limited to 1..2**31-1: ids outside that range cannot exist, so they do not match (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def register_converters(app: Flask) -> None:
    """Make ``<int:...>`` mean a database id for every route (call before registering blueprints)."""
    app.url_map.converters["int"] = IdConverter
