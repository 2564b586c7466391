"""IMDRF adverse event terminology: a small, versioned local subset.

Why a tiny subset: the MHRA / MIR device report asks for IMDRF codes
(annex A device problems, annexes E and F health effects), but a wrong
code in a regulatory report is worse than none. ``imdrf.json`` ships only
codes confirmed from published mappings, each with a ``confirmed`` flag,
and the record always keeps the reporter's own words beside any code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ect_reporting.record_types import CodedTerm
from ect_reporting.reference._resources import (
    ReferenceDataError,
    read_json,
    require_str,
)

DATA_FILE = "imdrf.json"
# Annex letter -> code system stored in records (``CodedTerm.system``).
ANNEX_SYSTEMS: Mapping[str, str] = MappingProxyType(
    {"A": "IMDRF-A", "E": "IMDRF-E", "F": "IMDRF-F"}
)


@dataclass(frozen=True)
class ImdrfTerm:
    """One IMDRF code. ``system``/``code``/``display`` mirror ``CodedTerm``."""

    system: str
    code: str
    display: str
    annex: str
    confirmed: bool

    def as_coded_term(self) -> CodedTerm:
        """Return the record/export form of this code."""
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class ImdrfCodeList:
    """The whole ``imdrf.json`` file, validated and read-only."""

    code_system: str
    version: str
    source: str
    codes: Mapping[str, ImdrfTerm]


@cache
def imdrf_code_list() -> ImdrfCodeList:
    """Load and validate ``imdrf.json`` once per process.

    Each code must start with its annex letter, so an entry filed under the
    wrong annex (and so the wrong code system) is rejected at load time.
    """
    data = read_json(DATA_FILE)
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, dict) or not raw_codes:
        raise ReferenceDataError(f"{DATA_FILE}: 'codes' must be a non-empty object")
    codes: dict[str, ImdrfTerm] = {}
    for code, entry in raw_codes.items():
        where = f"{DATA_FILE} {code}"
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{where}: entry must be an object")
        annex = require_str(entry, "annex", where)
        if annex not in ANNEX_SYSTEMS or not code.startswith(annex):
            raise ReferenceDataError(f"{where}: annex {annex!r} does not fit the code")
        confirmed = entry.get("confirmed")
        if not isinstance(confirmed, bool):
            raise ReferenceDataError(f"{where}: needs a boolean 'confirmed'")
        codes[code] = ImdrfTerm(
            system=ANNEX_SYSTEMS[annex],
            code=code,
            display=require_str(entry, "term", where),
            annex=annex,
            confirmed=confirmed,
        )
    return ImdrfCodeList(
        code_system=require_str(data, "code_system", DATA_FILE),
        version=require_str(data, "version", DATA_FILE),
        source=require_str(data, "source", DATA_FILE),
        codes=MappingProxyType(codes),
    )


def imdrf_version() -> str:
    """Return the version string of the IMDRF subset (for exports and audit)."""
    return imdrf_code_list().version


def _annex(*annexes: str) -> tuple[ImdrfTerm, ...]:
    return tuple(
        term for term in imdrf_code_list().codes.values() if term.annex in annexes
    )


def device_problem_codes() -> tuple[ImdrfTerm, ...]:
    """Return the annex A (medical device problem) codes, in file order."""
    return _annex("A")


def health_effect_codes() -> tuple[ImdrfTerm, ...]:
    """Return the annex E (clinical signs) then annex F (health impact) codes.

    Both annexes describe the health effect on the patient, which is why
    the form offers them together (``Incident.health_effect_codes``).
    """
    return _annex("E") + _annex("F")


def imdrf_term(code: str) -> ImdrfTerm | None:
    """Return the IMDRF term for ``code``, or ``None`` if not in the subset."""
    return imdrf_code_list().codes.get(code.strip())
