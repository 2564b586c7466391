"""Read the data files shipped inside this package.

The code lists live beside the modules as data files (JSON / CSV) so that a
clinical coder or safety officer can review and update them without reading
Python, and so each carries its own version and source. They are located via
``importlib.resources`` relative to this package - never via the current
working directory - so they are found however the app is started (Flask CLI,
gunicorn, pytest from any folder, or an installed wheel).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

_PACKAGE = __name__.rpartition(".")[0]


class ReferenceDataError(ValueError):
    """A shipped code list is malformed; raised at first load, never later."""


def read_bytes(name: str) -> bytes:
    """Return the raw bytes of data file ``name`` in this package."""
    return resources.files(_PACKAGE).joinpath(name).read_bytes()


def read_text(name: str) -> str:
    """Return the UTF-8 text of data file ``name`` in this package."""
    return read_bytes(name).decode("utf-8")


def read_json(name: str) -> dict[str, Any]:
    """Parse data file ``name`` as a JSON object.

    Raises ``ReferenceDataError`` if the top level is not an object, so a damaged
    data file fails loudly at first use instead of yielding odd codes.
    """
    data = json.loads(read_text(name))
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{name}: expected a JSON object at the top level")
    return data


def require_str(data: dict[str, Any], key: str, where: str) -> str:
    """Return ``data[key]`` if it is a non-empty string, else raise."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{where}: '{key}' must be a non-empty string")
    return value
