"""OPCS-4 procedure codes for an ECT session, from ``opcs4.json``.

Why a data file: the fourth-character titles of X72 (and Z94.4) are not
confirmed (reference doc s.1), so they are kept as reviewable data with a
version, a source and a ``confirmed`` flag per code, and the
setting -> X72 mapping lives in the same file. A coder can correct a title
or the mapping without a code change; the tests pin the current choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from ect_reporting.record_types import CodedTerm
from ect_reporting.reference._resources import (
    ReferenceDataError,
    read_json,
    require_str,
)

DATA_FILE = "opcs4.json"


@dataclass(frozen=True)
class OpcsCode:
    """One OPCS-4 code with its title and whether the title is confirmed."""

    code: str
    title: str
    confirmed: bool
    note: str | None = None

    def as_coded_term(self) -> CodedTerm:
        """Return the record/export form; the code system is always stored
        with the code because ``Z94`` is also an ICD-10 category."""
        return {"system": "OPCS-4", "code": self.code, "display": self.title}


@dataclass(frozen=True)
class OpcsCodeList:
    """The whole ``opcs4.json`` file, validated and read-only."""

    code_system: str
    version: str
    source: str
    codes: Mapping[str, OpcsCode]
    always: tuple[str, ...]
    laterality_map: Mapping[str, str | None]
    care_setting_map: Mapping[str, str | None]
    care_setting_map_confirmed: bool


def _mapping(
    raw: Any, where: str, codes: Mapping[str, OpcsCode]
) -> Mapping[str, str | None]:
    """Validate a value -> code map: every target must be a known code (or null)."""
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{DATA_FILE}: '{where}' must be an object")
    for key, code in raw.items():
        if code is not None and code not in codes:
            raise ReferenceDataError(
                f"{DATA_FILE}: {where}[{key!r}] -> unknown code {code!r}"
            )
    return MappingProxyType(dict(raw))


@cache
def opcs_code_list() -> OpcsCodeList:
    """Load and validate ``opcs4.json`` once per process.

    Validation happens here so a bad edit to the data file fails on first
    use (and in the unit tests) rather than emitting a code that is not in
    the list.
    """
    data = read_json(DATA_FILE)
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, dict) or not raw_codes:
        raise ReferenceDataError(f"{DATA_FILE}: 'codes' must be a non-empty object")
    codes: dict[str, OpcsCode] = {}
    for code, entry in raw_codes.items():
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{DATA_FILE}: entry {code!r} must be an object")
        confirmed = entry.get("confirmed")
        if not isinstance(confirmed, bool):
            raise ReferenceDataError(
                f"{DATA_FILE}: entry {code!r} needs a boolean 'confirmed'"
            )
        codes[code] = OpcsCode(
            code=code,
            title=require_str(entry, "title", f"{DATA_FILE} {code}"),
            confirmed=confirmed,
            note=entry.get("note"),
        )
    frozen_codes = MappingProxyType(codes)
    always = tuple(data.get("always", ()))
    for code in always:
        if code not in codes:
            raise ReferenceDataError(
                f"{DATA_FILE}: 'always' lists unknown code {code!r}"
            )
    return OpcsCodeList(
        code_system=require_str(data, "code_system", DATA_FILE),
        version=require_str(data, "version", DATA_FILE),
        source=require_str(data, "source", DATA_FILE),
        codes=frozen_codes,
        always=always,
        laterality_map=_mapping(
            data.get("laterality_map"), "laterality_map", frozen_codes
        ),
        care_setting_map=_mapping(
            data.get("care_setting_map"), "care_setting_map", frozen_codes
        ),
        care_setting_map_confirmed=bool(data.get("care_setting_map_confirmed", False)),
    )


def opcs_version() -> str:
    """Return the version string of the OPCS-4 data file (for exports and audit)."""
    return opcs_code_list().version


def opcs_code(code: str) -> OpcsCode | None:
    """Return one OPCS-4 code from the data file, or ``None`` if not listed.

    Use ``.confirmed`` to decide whether to flag the title to a coder.
    """
    return opcs_code_list().codes.get(code)


def opcs_codes_for(laterality: str | None, care_setting: str | None) -> list[CodedTerm]:
    """Derive the OPCS-4 codes for one ECT session.

    Always ``Y12.3``; then the ``Z94`` laterality code for ``right`` /
    ``left`` / ``bilateral`` (none for ``not_applicable`` or ``None``); then
    the ``X72`` delivery code for the care setting (none for ``None``).
    Values are the stored values of ``vocab.LATERALITIES`` and
    ``vocab.CARE_SETTINGS``. An unknown value raises ``ValueError``: a
    silently missing code in an export is worse than a visible error.
    """
    codes = opcs_code_list()
    wanted: list[str] = list(codes.always)
    for value, table, name in (
        (laterality, codes.laterality_map, "laterality"),
        (care_setting, codes.care_setting_map, "care setting"),
    ):
        if value is None:
            continue
        if value not in table:
            raise ValueError(f"unknown {name} {value!r}")
        code = table[value]
        if code is not None:
            wanted.append(code)
    return [codes.codes[code].as_coded_term() for code in wanted]
