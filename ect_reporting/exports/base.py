"""The one contract every export renderer follows.

Modelled on pretix's invoice renderers: the base class fixes the sequence
(name the file, render bytes, wrap them with a MIME type) and subclasses
override one hook, ``render``. Views and the API then serve any export the
same way, and adding E2B or FHIR later means adding a class, not a branch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, NamedTuple

from ect_reporting.record_types import Record

KINDS = ("medicine", "device")


class ExportFile(NamedTuple):
    """A rendered export, ready to send as a download."""

    filename: str
    mimetype: str
    content: bytes


# Destination scheme -> file name prefix (fixed words only).
_FILENAME_SCHEMES = {"yellow_card": "yellow-card", "iric": "iric", "niaic": "niaic"}


class Renderer(ABC):
    """Base class: turn a canonical record into one ``ExportFile``."""

    #: File name extension without the dot, e.g. ``"json"``.
    extension: ClassVar[str]
    #: MIME type of ``content``.
    mimetype: ClassVar[str]

    def generate(self, record: Record) -> ExportFile:
        """Render ``record`` and name the result."""
        return ExportFile(self.filename(record), self.mimetype, self.render(record))

    def filename(self, record: Record) -> str:
        """Return ``{scheme}-{kind}-{report_id}.{extension}``.

        ``scheme`` is the destination (``yellow-card``, or ``iric`` /
        ``niaic`` for device incidents in Scotland / Northern Ireland), so
        the file says where it is going. Built only from fixed words and
        the integer id, so no user text can reach a ``Content-Disposition``
        header; anything else is refused.
        """
        kind, report_id = record.get("kind"), record.get("report_id")
        if kind not in KINDS:
            raise ValueError(f"unknown report kind: {kind!r}")
        if not isinstance(report_id, int) or isinstance(report_id, bool):
            raise TypeError(f"report_id must be an int, not {report_id!r}")
        destination = record.get("destination") or {}
        scheme = _FILENAME_SCHEMES.get(destination.get("scheme"), "yellow-card")
        return f"{scheme}-{kind}-{report_id}.{self.extension}"

    @abstractmethod
    def render(self, record: Record) -> bytes:
        """Return the file's bytes for ``record``."""
