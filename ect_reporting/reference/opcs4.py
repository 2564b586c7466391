"""OPCS-4 procedure codes for an ECT session, from ``opcs4.json``.

Why a data file: most titles come from one OPCS-4.7/4.8-era table and
several coding choices (X72 fourth character, which skin sites are
"paired") are UNCONFIRMED in the coding doc
(shared/reference/opcs4-ect-coding.md). So titles, a status per code, the
release and the lesion-site table are reviewable data; a coder can
correct them without a code change. The choices the doc leaves to a site
(X72 fourth character, inpatient delivery code, X70/X71, body-system code)
are ``config.OpcsSettings`` values passed in, never read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from ect_reporting import vocab
from ect_reporting.config import OpcsSettings
from ect_reporting.record_types import CodedTerm
from ect_reporting.reference._resources import (
    ReferenceDataError,
    read_json,
    require_str,
)

DATA_FILE = "opcs4.json"

#: Shown while the X72 fourth character or the inpatient rule is our default.
CODER_NOTE = "X72 fourth character and inpatient rule: to be confirmed by a clinical coder"
BODY_SYSTEM_NOTE = (
    "Body-system code added so that Y12.3 is not the first code (Y and Z codes are "
    "secondary only): UNCONFIRMED, a clinical coder should check it"
)
NO_CARE_SETTING_NOTE = "Care setting not recorded: no delivery code"

# Care settings the delivery code applies to without a site decision (R3).
_DELIVERY_SETTINGS = frozenset({"outpatient", "day_case"})


@dataclass(frozen=True)
class OpcsCode:
    """One OPCS-4 code with its title and how well the title is sourced."""

    code: str
    title: str
    status: str  # a key of OpcsCodeList.statuses
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        """True only when two independent sources agree on the title."""
        return self.status == "confirmed"

    @property
    def status_label(self) -> str:
        """The words shown beside the code ("1 source"), so readers see what is unconfirmed."""
        return opcs_code_list().statuses.get(self.status, self.status)

    def as_coded_term(self) -> CodedTerm:
        """Return the record/export form; the code system is always stored
        with the code because ``Z94`` is also an ICD-10 category."""
        return {"system": "OPCS-4", "code": self.code, "display": self.title}


@dataclass(frozen=True)
class OpcsSite:
    """Where a lesion is: its chapter Z code, head/neck or not, and laterality."""

    code: str
    region: str  # a key of OpcsCodeList.body_system_codes
    paired: bool  # takes a Z94 laterality code
    paired_status: str
    note: str | None = None


@dataclass(frozen=True)
class OpcsCodeList:
    """The whole ``opcs4.json`` file, validated and read-only."""

    code_system: str
    release: str
    release_note: str
    version: str
    source: str
    statuses: Mapping[str, str]
    codes: Mapping[str, OpcsCode]
    method_code: str
    delivery_category: str
    body_system_codes: Mapping[str, str]
    laterality_codes: Mapping[str, str | None]
    sites: Mapping[str, OpcsSite]
    unrecorded_site: OpcsSite
    route_notes: Mapping[str, str]


@dataclass(frozen=True)
class OpcsCoding:
    """The codes for one session, in sequence, and what a coder should check."""

    codes: tuple[OpcsCode, ...]
    notes: tuple[str, ...]

    def coded_terms(self) -> list[CodedTerm]:
        """The codes in their record form (a fresh list each call)."""
        return [code.as_coded_term() for code in self.codes]


def _object(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{DATA_FILE}: '{where}' must be an object")
    return raw


def _known(code: str | None, codes: Mapping[str, OpcsCode], where: str) -> None:
    """Every code the file points at must be listed, so no unlisted code is emitted."""
    if code is not None and code not in codes:
        raise ReferenceDataError(f"{DATA_FILE}: {where} -> unknown code {code!r}")


def _load_codes(raw: Any, statuses: Mapping[str, str]) -> Mapping[str, OpcsCode]:
    codes: dict[str, OpcsCode] = {}
    for code, entry in _object(raw, "codes").items():
        entry = _object(entry, f"codes.{code}")
        if entry.get("status") not in statuses:
            raise ReferenceDataError(f"{DATA_FILE}: entry {code!r} needs a 'status' from 'statuses'")
        codes[code] = OpcsCode(
            code=code,
            title=require_str(entry, "title", f"{DATA_FILE} {code}"),
            status=entry["status"],
            note=entry.get("note"),
        )
    if not codes:
        raise ReferenceDataError(f"{DATA_FILE}: 'codes' must be a non-empty object")
    return MappingProxyType(codes)


def _load_site(
    raw: Any, where: str, codes: Mapping[str, OpcsCode], regions: Mapping[str, str], statuses: Mapping[str, str]
) -> OpcsSite:
    entry = _object(raw, where)
    _known(entry.get("code"), codes, where)
    if entry.get("region") not in regions:
        raise ReferenceDataError(f"{DATA_FILE}: {where} needs a 'region' from 'body_system_codes'")
    if not isinstance(entry.get("paired"), bool) or entry.get("paired_status") not in statuses:
        raise ReferenceDataError(f"{DATA_FILE}: {where} needs a boolean 'paired' and a 'paired_status'")
    return OpcsSite(
        code=require_str(entry, "code", where),
        region=entry["region"],
        paired=entry["paired"],
        paired_status=entry["paired_status"],
        note=entry.get("note"),
    )


@cache
def opcs_code_list() -> OpcsCodeList:
    """Load and validate ``opcs4.json`` once per process.

    Validation happens here so a bad edit to the data file fails on first
    use (and in the unit tests) rather than emitting a code that is not in
    the list.
    """
    data = read_json(DATA_FILE)
    statuses = MappingProxyType(dict(_object(data.get("statuses"), "statuses")))
    codes = _load_codes(data.get("codes"), statuses)
    method_code = require_str(data, "method_code", DATA_FILE)
    _known(method_code, codes, "method_code")
    regions = MappingProxyType(dict(_object(data.get("body_system_codes"), "body_system_codes")))
    laterality = MappingProxyType(dict(_object(data.get("laterality_codes"), "laterality_codes")))
    for key, code in (*regions.items(), *laterality.items()):
        _known(code, codes, key)
    sites = {
        key: _load_site(entry, f"sites.{key}", codes, regions, statuses)
        for key, entry in _object(data.get("sites"), "sites").items()
    }
    return OpcsCodeList(
        code_system=require_str(data, "code_system", DATA_FILE),
        release=require_str(data, "release", DATA_FILE),
        release_note=require_str(data, "release_note", DATA_FILE),
        version=require_str(data, "version", DATA_FILE),
        source=require_str(data, "source", DATA_FILE),
        statuses=statuses,
        codes=codes,
        method_code=method_code,
        delivery_category=require_str(data, "delivery_category", DATA_FILE),
        body_system_codes=regions,
        laterality_codes=laterality,
        sites=MappingProxyType(sites),
        unrecorded_site=_load_site(data.get("unrecorded_site"), "unrecorded_site", codes, regions, statuses),
        route_notes=MappingProxyType(dict(_object(data.get("route_notes", {}), "route_notes"))),
    )


def opcs_version() -> str:
    """Return the version string of the OPCS-4 data file (for exports and audit)."""
    return opcs_code_list().version


def opcs_release() -> str:
    """Return the OPCS-4 release the codes are for (titles: see ``release_note``)."""
    return opcs_code_list().release


def opcs_code(code: str) -> OpcsCode | None:
    """Return one OPCS-4 code from the data file, or ``None`` if not listed.

    Use ``.status`` to decide whether to flag the title to a coder.
    """
    return opcs_code_list().codes.get(code)


def _listed(code: str) -> OpcsCode:
    """Return a code the settings name; a setting naming an unlisted code is an error."""
    entry = opcs_code(code)
    if entry is None:
        raise ValueError(f"OPCS-4 code {code!r} (from the ECT_OPCS_* settings) is not in {DATA_FILE}")
    return entry


def _delivery(
    care_setting: str | None, drug: str | None, route: str | None, settings: OpcsSettings
) -> tuple[list[OpcsCode], list[str]]:
    """The X72 delivery code, if this setting gets one (R3, R5), and its notes."""
    codes = opcs_code_list()
    if care_setting is None:
        return [], [NO_CARE_SETTING_NOTE]
    if care_setting not in vocab.CARE_SETTINGS:
        raise ValueError(f"unknown care setting {care_setting!r}")
    if route is not None and route not in vocab.ROUTES:
        raise ValueError(f"unknown route {route!r}")
    if drug is None or route is None:
        return [], []
    if care_setting == "inpatient" and not settings.inpatient_delivery_code:
        return [], []
    code = _listed(f"{codes.delivery_category}.{settings.x72_fourth_character}")
    notes = [codes.route_notes[route]] if route in codes.route_notes else []
    return [code], notes


def _site(lesion_site: str | None) -> OpcsSite:
    codes = opcs_code_list()
    if lesion_site is None:
        return codes.unrecorded_site
    if lesion_site not in codes.sites:
        raise ValueError(f"unknown lesion site {lesion_site!r}")
    return codes.sites[lesion_site]


def _laterality(site: OpcsSite, laterality: str | None) -> tuple[list[OpcsCode], list[str]]:
    """The Z94 code for a paired site with a side recorded (R9), and the site's note."""
    codes = opcs_code_list()
    if laterality is not None and laterality not in codes.laterality_codes:
        raise ValueError(f"unknown laterality {laterality!r}")
    code = codes.laterality_codes.get(laterality) if laterality else None
    notes = [site.note] if site.note and (code is not None or site is codes.unrecorded_site) else []
    if code is None or not site.paired:
        return [], notes
    return [codes.codes[code]], notes


def code_session(
    *,
    care_setting: str | None,
    drug: str | None,
    route: str | None,
    lesion_site: str | None,
    laterality: str | None,
    settings: OpcsSettings,
) -> OpcsCoding:
    """Derive the OPCS-4 codes for one ECT session, in sequence (IPG446, R7).

    Sequence: X72 delivery code (outpatients and day cases; inpatients only
    if the site says so), the S10.8/S11.8 body-system code (when the site
    asks for it, or automatically when no delivery code comes first, so a
    Y or Z code is never first: R6, R8), Y12.3, the Z site code (Z50.9
    Skin NEC when no site is recorded), Z94 laterality for paired sites
    only, and last an opted-in X70/X71 procurement code (R1).

    Values are the stored values of ``vocab.CARE_SETTINGS``, ``ROUTES``,
    ``LESION_SITES`` and ``LATERALITIES``. An unknown value raises
    ``ValueError``: a silently missing code is worse than a visible error.
    """
    codes = opcs_code_list()
    delivery, notes = _delivery(care_setting, drug, route, settings)
    site = _site(lesion_site)
    sided, site_notes = _laterality(site, laterality)
    body_system: list[OpcsCode] = []
    if settings.body_system_code or not delivery:
        body_system = [codes.codes[codes.body_system_codes[site.region]]]
        if not delivery:
            notes.append(BODY_SYSTEM_NOTE)
    procurement = [_listed(settings.procurement_code)] if settings.procurement_code else []
    sequence = (*delivery, *body_system, codes.codes[codes.method_code], codes.codes[site.code], *sided, *procurement)
    if settings.needs_coder:
        notes.insert(0, CODER_NOTE)
    return OpcsCoding(codes=sequence, notes=tuple(notes + site_notes))
