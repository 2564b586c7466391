"""IMDRF adverse event terminology: the 270-code ECT subset, versioned.

Why this list: the MHRA / MIR device report asks for IMDRF codes (annex A
device problems, annexes E and F health effects). ``imdrf_ect_subset.csv``
holds every annex A family and the terms that fit ECT generators and
electrodes, plus the annex E / F health effects seen after ECT, each with
its definition, FDA code, parent and the independent copies that agree.
It is copied unchanged from the shared reference and checked against the
SHA-256 in ``imdrf_ect_subset.meta.json``, which also carries the release
that each coded report stores (terms change between IMDRF releases).

Rows that IMDRF marks "Not selectable" (E24 Others: a grouping heading)
are kept so the tree is complete but are never offered or accepted.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ect_reporting.record_types import CodedTerm
from ect_reporting.reference._resources import (
    ReferenceDataError,
    read_bytes,
    read_json,
    require_str,
)

CSV_FILE = "imdrf_ect_subset.csv"
META_FILE = "imdrf_ect_subset.meta.json"
# Annex letter -> code system stored in records (``CodedTerm.system``).
ANNEX_SYSTEMS: Mapping[str, str] = MappingProxyType(
    {"A": "IMDRF-A", "E": "IMDRF-E", "F": "IMDRF-F"}
)
# Annexes each codes field takes (health effects: clinical signs E and impact F).
DEVICE_PROBLEM_ANNEXES = "A"
HEALTH_EFFECT_ANNEXES = "EF"
# Length of a family (level-1) code: annex letter + two digits ("A04", "E20").
FAMILY_CODE_LENGTH = 3
# The release is stored in ``reports.imdrf_release`` (String(20)).
MAX_RELEASE_LENGTH = 20
SINGLE_SOURCE = "single:"
_COLUMNS = ("code", "annex", "term", "definition", "fda_code", "parent_code", "sources")


def code_and_term(code: str, display: str | None) -> str:
    """Return how a code is shown everywhere: "A040101 - Fracture".

    One wording for the form, the report page and the PDF, so a reviewer
    reads the same label wherever the code appears.
    """
    return f"{code} - {display}" if display and display != code else code


@dataclass(frozen=True)
class ImdrfTerm:
    """One IMDRF code. ``system``/``code``/``display`` mirror ``CodedTerm``.

    ``selectable`` is False for IMDRF grouping headings (never coded);
    ``confirmed`` is False for the 2024-only rows that one copy attests.
    """

    system: str
    code: str
    display: str
    annex: str
    definition: str
    fda_code: str | None
    parents: tuple[str, ...]
    selectable: bool
    confirmed: bool
    sources: str

    @property
    def family(self) -> str:
        """The level-1 code this term sits under ("A04" for A040101)."""
        return self.code[:FAMILY_CODE_LENGTH]

    @property
    def label(self) -> str:
        """"code - term", as shown to people."""
        return code_and_term(self.code, self.display)

    def as_coded_term(self) -> CodedTerm:
        """Return the record/export form of this code."""
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class ImdrfMeta:
    """Release, provenance and checksum of the shipped IMDRF subset."""

    code_system: str
    release: str
    version: str
    source: str
    sha256: str
    not_selectable_marker: str


@cache
def imdrf_meta() -> ImdrfMeta:
    """Load ``imdrf_ect_subset.meta.json`` once; the release must fit its column."""
    data = read_json(META_FILE)
    release = require_str(data, "release", META_FILE)
    if len(release) > MAX_RELEASE_LENGTH:
        raise ReferenceDataError(f"{META_FILE}: 'release' longer than {MAX_RELEASE_LENGTH} characters")
    return ImdrfMeta(
        code_system=require_str(data, "code_system", META_FILE),
        release=release,
        version=require_str(data, "version", META_FILE),
        source=require_str(data, "source", META_FILE),
        sha256=require_str(data, "sha256", META_FILE),
        not_selectable_marker=require_str(data, "not_selectable_marker", META_FILE),
    )


def _parse_row(row: dict[str, str], line: int, marker: str) -> ImdrfTerm:
    """Turn one CSV row into an ``ImdrfTerm``, rejecting malformed data.

    Each code must start with its annex letter, so an entry filed under the
    wrong annex (and so the wrong code system) is rejected at load time.
    """
    where = f"{CSV_FILE} line {line}"
    cells = {column: (row.get(column) or "").strip() for column in _COLUMNS}
    code, annex = cells["code"], cells["annex"]
    if annex not in ANNEX_SYSTEMS or not code.startswith(annex) or len(code) < FAMILY_CODE_LENGTH:
        raise ReferenceDataError(f"{where}: annex {annex!r} does not fit the code {code!r}")
    if not cells["term"] or not cells["definition"]:
        raise ReferenceDataError(f"{where}: {code} needs a term and a definition")
    return ImdrfTerm(
        system=ANNEX_SYSTEMS[annex],
        code=code,
        display=cells["term"],
        annex=annex,
        definition=cells["definition"],
        fda_code=cells["fda_code"] or None,
        parents=tuple(p for p in cells["parent_code"].split(";") if p),
        selectable=marker not in cells["definition"],
        confirmed=not cells["sources"].startswith(SINGLE_SOURCE),
        sources=cells["sources"],
    )


@cache
def imdrf_code_list() -> Mapping[str, ImdrfTerm]:
    """Load and validate the IMDRF subset once per process, by code.

    The CSV's SHA-256 is checked against the meta file so that an edit to
    the list without a matching release/provenance update is caught.
    """
    raw = read_bytes(CSV_FILE)
    meta = imdrf_meta()
    if hashlib.sha256(raw).hexdigest() != meta.sha256:
        raise ReferenceDataError(f"{CSV_FILE}: checksum does not match {META_FILE}; update its release and sha256")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ReferenceDataError(f"{CSV_FILE}: unexpected columns {reader.fieldnames}")
    codes: dict[str, ImdrfTerm] = {}
    for line, row in enumerate(reader, start=2):
        term = _parse_row(row, line, meta.not_selectable_marker)
        if term.code in codes:
            raise ReferenceDataError(f"{CSV_FILE} line {line}: duplicate code {term.code}")
        codes[term.code] = term
    return MappingProxyType(dict(sorted(codes.items())))


def imdrf_version() -> str:
    """Return the long version text of the IMDRF subset (for exports and audit)."""
    return imdrf_meta().version


def imdrf_release() -> str:
    """Return the short release stored with each coded device report."""
    return imdrf_meta().release


def codable(annexes: str) -> tuple[ImdrfTerm, ...]:
    """Return the selectable codes of ``annexes`` (e.g. "EF"), in code order."""
    return tuple(t for t in imdrf_code_list().values() if t.annex in annexes and t.selectable)


def device_problem_codes() -> tuple[ImdrfTerm, ...]:
    """Return the selectable annex A (medical device problem) codes."""
    return codable(DEVICE_PROBLEM_ANNEXES)


def health_effect_codes() -> tuple[ImdrfTerm, ...]:
    """Return the selectable annex E (clinical signs) then annex F (health impact) codes.

    Both annexes describe the health effect on the patient, which is why
    the form offers them together (``Incident.health_effect_codes``).
    """
    return codable(HEALTH_EFFECT_ANNEXES)


def imdrf_term(code: str) -> ImdrfTerm | None:
    """Return the IMDRF term for ``code``, or ``None`` if not in the subset."""
    return imdrf_code_list().get(code.strip())


def selectable_children(code: str) -> tuple[str, ...]:
    """Return the codes directly under ``code`` that may be coded instead of it."""
    return tuple(t.code for t in imdrf_code_list().values() if code in t.parents and t.selectable)


@dataclass(frozen=True)
class ImdrfFamily:
    """A level-1 code with the codes shown under it on the form."""

    code: str
    term: str | None  # None when the family row is not in the subset (most of annex E)
    codes: tuple[ImdrfTerm, ...]

    @property
    def label(self) -> str:
        """"A04 - Material Integrity Problem", or just "E20" if its term is not shipped."""
        return code_and_term(self.code, self.term)


def matches(term: ImdrfTerm, query: str) -> bool:
    """True if every word of ``query`` is in the code, term or definition.

    Case-insensitive substring match per word, so "broke needle" style
    free text narrows the list the way a search box is expected to.
    """
    haystack = f"{term.code} {term.display} {term.definition}".casefold()
    return all(word in haystack for word in query.casefold().split())


def group_by_family(terms: Iterable[ImdrfTerm]) -> tuple[ImdrfFamily, ...]:
    """Group ``terms`` under their level-1 family, families in code order."""
    by_family: dict[str, list[ImdrfTerm]] = {}
    for term in sorted(terms, key=lambda t: t.code):
        by_family.setdefault(term.family, []).append(term)
    families = []
    for code, members in sorted(by_family.items()):
        family_row = imdrf_term(code)
        families.append(ImdrfFamily(code, family_row.display if family_row else None, tuple(members)))
    return tuple(families)


def search_families(annexes: str, query: str = "") -> tuple[ImdrfFamily, ...]:
    """Return the selectable codes of ``annexes`` matching ``query``, by family.

    An empty query returns every selectable code. This is what the edit
    form shows under a codes field (it needs no JavaScript: the search box
    posts and the page is drawn again with this result).
    """
    return group_by_family(t for t in codable(annexes) if matches(t, query))
