"""MedDRA terms with CTCAE v5.0 grades for ECT reactions.

Why this exists: full MedDRA needs a licence, but NCI's CTCAE v5.0 (public
domain) names each adverse-event term with its MedDRA LLT code and defines
grades 1-5 *per term*. Shipping a 47-term ECT subset lets the form offer a
coded term and show what "grade 2" means for this particular reaction,
and lets the app refuse grades CTCAE does not allow (e.g. vasovagal
reaction starts at grade 3). The reporter's own words are always kept
beside the coded term elsewhere in the record.

Data: ``ctcae5_ect_subset.csv`` (copied unchanged, with its per-row
``source`` column) and ``ctcae5_ect_subset.meta.json`` (version, source,
checksum of the CSV).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from ect_reporting.record_types import CodedTerm
from ect_reporting.reference._resources import (
    ReferenceDataError,
    read_bytes,
    read_json,
    require_str,
)

CSV_FILE = "ctcae5_ect_subset.csv"
META_FILE = "ctcae5_ect_subset.meta.json"
GRADES = (1, 2, 3, 4, 5)
NOT_ALLOWED = "-"  # CTCAE's marker for a grade that does not apply to a term
_COLUMNS = (
    "term",
    "meddra_code",
    "soc",
    *(f"grade{g}" for g in GRADES),
    "definition",
    "source",
)


@dataclass(frozen=True)
class MeddraTerm:
    """One CTCAE v5.0 term: MedDRA LLT code, SOC, grade texts, definition.

    ``grades`` maps 1..5 to CTCAE's text for that grade, or ``None`` where
    CTCAE shows "-" (the grade is not available for this term).
    """

    term: str
    code: str
    soc: str
    grades: Mapping[int, str | None]
    definition: str
    source: str

    @property
    def allowed_grades(self) -> list[int]:
        """Grades CTCAE defines for this term, ascending."""
        return [grade for grade, text in self.grades.items() if text is not None]

    def as_coded_term(self) -> CodedTerm:
        """Return the record/export form (system ``MedDRA``, LLT code, term)."""
        return {"system": "MedDRA", "code": self.code, "display": self.term}


@dataclass(frozen=True)
class CtcaeMeta:
    """Version and provenance of the shipped CTCAE subset."""

    code_system: str
    version: str
    meddra_version: str
    meddra_version_confirmed: bool
    source: str
    sha256: str


@cache
def ctcae_meta() -> CtcaeMeta:
    """Load ``ctcae5_ect_subset.meta.json`` once."""
    data: dict[str, Any] = read_json(META_FILE)
    return CtcaeMeta(
        code_system=require_str(data, "code_system", META_FILE),
        version=require_str(data, "version", META_FILE),
        meddra_version=require_str(data, "meddra_version", META_FILE),
        # Anything but an explicit true counts as unconfirmed (fail safe).
        meddra_version_confirmed=data.get("meddra_version_confirmed") is True,
        source=require_str(data, "source", META_FILE),
        sha256=require_str(data, "sha256", META_FILE),
    )


def ctcae_version() -> str:
    """Return the CTCAE version string of the shipped subset (for exports)."""
    return ctcae_meta().version


def _cell(row: dict[str, str], column: str) -> str:
    """Return a stripped CSV cell ("" when missing)."""
    return (row.get(column) or "").strip()


def _parse_grades(row: dict[str, str], where: str) -> dict[int, str | None]:
    """Return {grade: text}, ``None`` for a grade that is not allowed ('-')."""
    grades: dict[int, str | None] = {}
    for grade in GRADES:
        text = _cell(row, f"grade{grade}")
        if not text:
            raise ReferenceDataError(
                f"{where}: grade{grade} is empty (use '-' for not allowed)"
            )
        grades[grade] = None if text == NOT_ALLOWED else text
    if all(text is None for text in grades.values()):
        raise ReferenceDataError(f"{where}: no grade is allowed")
    return grades


def _parse_row(row: dict[str, str], line: int) -> MeddraTerm:
    """Turn one CSV row into a ``MeddraTerm``, rejecting malformed data."""
    where = f"{CSV_FILE} line {line}"
    code = _cell(row, "meddra_code")
    if not code.isdigit() or len(code) != 8:
        raise ReferenceDataError(f"{where}: MedDRA code must be 8 digits, got {code!r}")
    grades = _parse_grades(row, where)
    term = _cell(row, "term")
    if not term:
        raise ReferenceDataError(f"{where}: empty term")
    return MeddraTerm(
        term=term,
        code=code,
        soc=_cell(row, "soc"),
        grades=MappingProxyType(grades),
        definition=_cell(row, "definition"),
        source=_cell(row, "source"),
    )


@cache
def meddra_terms() -> tuple[MeddraTerm, ...]:
    """Return all terms of the shipped subset, in file order (loaded once).

    The file's SHA-256 is checked against the meta file so that an edit to
    the CSV without a matching version/provenance update is caught.
    """
    raw = read_bytes(CSV_FILE)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != ctcae_meta().sha256:
        raise ReferenceDataError(
            f"{CSV_FILE}: checksum does not match {META_FILE}; update its version and sha256"
        )
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ReferenceDataError(f"{CSV_FILE}: unexpected columns {reader.fieldnames}")
    terms = tuple(_parse_row(row, line) for line, row in enumerate(reader, start=2))
    codes = [term.code for term in terms]
    if len(set(codes)) != len(codes):
        raise ReferenceDataError(f"{CSV_FILE}: duplicate MedDRA codes")
    return terms


@cache
def _by_code() -> Mapping[str, MeddraTerm]:
    return MappingProxyType({term.code: term for term in meddra_terms()})


def meddra_term(code: str) -> MeddraTerm | None:
    """Return the term with MedDRA LLT ``code``, or ``None`` if not in the subset."""
    return _by_code().get(code.strip())


def allowed_grades(code: str) -> list[int]:
    """Return the CTCAE grades allowed for ``code`` (empty if the code is unknown).

    An empty list for an unknown code means any grade check fails closed.
    """
    term = meddra_term(code)
    return term.allowed_grades if term is not None else []


def grade_description(code: str, grade: int) -> str | None:
    """Return CTCAE's text for ``grade`` of term ``code``.

    ``None`` if the code is unknown or CTCAE does not allow that grade for
    the term, so the UI can show "not a valid grade for this reaction".
    """
    term = meddra_term(code)
    if term is None:
        return None
    return term.grades.get(grade)
