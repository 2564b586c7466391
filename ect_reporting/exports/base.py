"""The one contract every export renderer follows.

Modelled on pretix's invoice renderers: the base class fixes the sequence
(name the file, render bytes, wrap them with a MIME type) and subclasses
override one hook, ``render``. Views and the API then serve any export the
same way, and adding E2B or FHIR later means adding a class, not a branch.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar, NamedTuple

from ect_reporting.record_types import Record
from ect_reporting.vocab import REPORT_KINDS

KINDS = tuple(REPORT_KINDS)


class ExportFile(NamedTuple):
    """A rendered export, ready to send as a download."""

    filename: str
    mimetype: str
    content: bytes


# Destination scheme -> file name prefix (fixed words only).
_FILENAME_SCHEMES = {"yellow_card": "yellow-card", "iric": "iric", "niaic": "niaic"}
# A case id as it may appear in a file name: ASCII letters, digits, hyphens.
_SAFE_CASE_ID = re.compile(r"[A-Za-z0-9-]{1,40}", re.ASCII)


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
        """Return ``{scheme}-{kind}-{case_id}-v{case_version}.{extension}``.

        ``scheme`` is the destination (``yellow-card``, or ``iric`` /
        ``niaic`` for device incidents in Scotland / Northern Ireland), so
        the file says where it is going; the case id and version say which
        case and which version of it (e.g.
        ``yellow-card-medicine-GB-ECT-000042-v2.pdf``), the names the
        regulator knows, never the internal row id. Only fixed words, an
        integer and a case id of letters, digits and hyphens reach the
        name, so no user text can reach a ``Content-Disposition`` header;
        anything else is refused.
        """
        kind, case_id, case_version = record.get("kind"), record.get("case_id"), record.get("case_version")
        if kind not in KINDS:
            raise ValueError(f"unknown report kind: {kind!r}")
        if not isinstance(case_id, str) or not _SAFE_CASE_ID.fullmatch(case_id):
            raise ValueError(f"case_id must be letters, digits and hyphens, not {case_id!r}")
        if not isinstance(case_version, int) or isinstance(case_version, bool):
            raise TypeError(f"case_version must be an int, not {case_version!r}")
        destination = record.get("destination") or {}
        scheme = _FILENAME_SCHEMES.get(destination.get("scheme"), "yellow-card")
        return f"{scheme}-{kind.replace('_', '-')}-{case_id}-v{case_version}.{self.extension}"

    @abstractmethod
    def render(self, record: Record) -> bytes:
        """Return the file's bytes for ``record``."""
