"""JSON responses of the API rendered once, with orjson.

Why not return the dict and let Flask serialise it: Flask's provider runs
the standard library encoder (with ``sort_keys`` and ASCII escaping), the
largest single cost of a report read once its queries were batched
(issue 13). orjson writes the same JSON document (keys sorted as before,
dates as ISO strings) several times faster; only the bytes differ (UTF-8
instead of ``\\u`` escapes), which every JSON reader treats alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from flask import Response

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A ``application/json`` response of ``body`` serialised once."""
    return Response(orjson.dumps(body, option=_OPTIONS), status=status, headers=dict(headers or {}),
                    mimetype="application/json")
