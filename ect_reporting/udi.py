"""Read a device's Unique Device Identifier (UDI) as typed or scanned.

A UDI carries the device identifier (UDI-DI, which product) and the
production identifier (UDI-PI: lot, serial, expiry, manufacture date).
Regulators ask for both and for the issuing agency (reference doc
section 3; FDA 3500A block D). Reading them from the UDI instead of
retyping them removes a transcription hazard: the lot, serial and
expiry are filled from it, and a typed value that disagrees with the
label is caught (``rules.py``).

GS1 UDIs are parsed with ``biip`` - the human-readable form with the
application identifiers in brackets, the bare element string (with or
without FNC1/GS separators, as a scanner sends it, optionally with a
symbology identifier such as ``]d2``), and a GS1 Digital Link URI.
HIBCC (``+``) and ICCBBA (``=``, ``&``) UDIs are recognised by issuer
only: biip reads GS1 alone, so their DI and PI stay as typed and the
value object says so.

Nothing here raises on bad input: a UDI that cannot be read is a value
with a ``problem`` message, which the rules turn into a field error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final, Literal

from biip import BiipException, ParseConfig, parse
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message

Issuer = Literal["GS1", "HIBCC", "ICCBBA"]

# ASCII GS is what scanners send for FNC1; U+241D is its visible symbol,
# which some keyboard-wedge scanners and copy-paste produce instead.
_CONFIG: Final = ParseConfig(separator_chars=("\x1d", "\u241d"))
_NOT_GS1: Final[dict[str, Issuer]] = {"+": "HIBCC", "=": "ICCBBA", "&": "ICCBBA"}
EXAMPLE: Final = "(01)08033891500019(17)270630(10)L23-0457"


@dataclass(frozen=True)
class Udi:
    """One UDI, split into its device and production identifiers.

    ``problem`` is set when the text could not be read as a UDI at all;
    ``note`` when it was read but something is worth saying (an issuer
    whose format is not parsed, a GTIN check digit that does not add up).
    """

    text: str
    issuer: Issuer | None = None
    udi_di: str | None = None
    udi_pi: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    manufactured: date | None = None
    problem: str | None = None
    note: str | None = None

    @property
    def human_readable(self) -> str:
        """The UDI as printed under a GS1 barcode, ``(01)...(17)...(10)...``; other issuers as typed.

        A scanned UDI holds GS separators (control characters that break
        XML exports) and maybe a symbology identifier: this is the same
        UDI in the form people read, compare and store.
        """
        if self.issuer == "GS1" and self.udi_di and not self.problem:
            return f"(01){self.udi_di}{self.udi_pi or ''}"
        return self.text


def _without_symbology_identifier(text: str) -> str:
    """``]C1``, ``]d2``, ``]Q3``...: three characters a scanner may put in front."""
    return text[3:] if text.startswith("]") and len(text) > 3 else text


def _gs1_elements(text: str) -> list[GS1ElementString] | None:
    """Return the GS1 element strings in ``text``, or None when it is not GS1."""
    try:
        if text.startswith("("):
            return list(GS1Message.parse_hri(text).element_strings)
        result = parse(text, config=_CONFIG)
    except BiipException:
        return None
    found = result.gs1_message or result.gs1_digital_link_uri
    return list(found.element_strings) if found and found.element_strings else None


def _from_gs1(text: str, elements: list[GS1ElementString]) -> Udi:
    by_ai = {element.ai.ai: element for element in elements}
    gtin = by_ai.get("01")
    if gtin is None:
        return Udi(text, issuer="GS1", problem="This GS1 code has no device identifier: a UDI starts with (01)")
    # The production identifier is everything after the DI (lot, serial, dates, software version...).
    pi = "".join(f"({element.ai.ai}){element.value}" for element in elements if element.ai.ai != "01")
    return Udi(
        text,
        issuer="GS1",
        udi_di=gtin.value,
        udi_pi=pi or None,
        lot=by_ai["10"].value if "10" in by_ai else None,
        serial=by_ai["21"].value if "21" in by_ai else None,
        # biip turns YYMMDD into a date, day 00 being the month's last day (GS1 general specifications 7.12).
        expiry=by_ai["17"].date if "17" in by_ai else None,
        manufactured=by_ai["11"].date if "11" in by_ai else None,
        note=f"The device identifier's check digit does not add up ({gtin.gtin_error})" if gtin.gtin_error else None,
    )


@lru_cache(maxsize=512)
def parse_udi(text: str) -> Udi:
    """Read ``text`` as a UDI; never raises (cached: rules, pre-fill and records all ask)."""
    text = text.strip()
    body = _without_symbology_identifier(text)
    issuer = _NOT_GS1.get(body[:1])
    if issuer is not None:
        return Udi(text, issuer=issuer, note=f"{issuer} UDIs are kept as typed: their parts are not read automatically")
    elements = _gs1_elements(body)
    if elements is None:
        return Udi(
            text,
            problem=(
                "This is not a UDI that can be read. Scan the barcode, or type the UDI as printed under it "
                f"with the numbers in brackets, for example {EXAMPLE}"
            ),
        )
    return _from_gs1(text, elements)


def read(text: Any) -> Udi | None:
    """Parse ``text`` when it is a non-blank string, else None (no UDI recorded)."""
    return parse_udi(text) if isinstance(text, str) and text.strip() else None


# Which typed attribute each UDI part fills (and must agree with), per UDI attribute.
UDI_PARTS: Final[dict[str, dict[str, str]]] = {
    "electrode_udi": {"lot": "electrode_lot", "serial": "electrode_serial", "expiry": "electrode_expiry"},
    "generator_udi": {"serial": "generator_serial"},
}


def udi_fills(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the UDIs in ``values`` supply: their readable form, and parts for fields left empty.

    ``values`` is keyed by model attribute (sessions and device reports
    use the same attributes). Only empty fields are filled: a typed value
    that disagrees is for the rules to report, not for us to overwrite.
    A scanned GS1 UDI is stored in its human-readable form.
    """
    fills: dict[str, Any] = {}
    for udi_attr, parts in UDI_PARTS.items():
        parsed = read(values.get(udi_attr))
        if parsed is None:
            continue
        if parsed.human_readable != values.get(udi_attr):
            fills[udi_attr] = parsed.human_readable
        for part, attr in parts.items():
            value = getattr(parsed, part)
            if value is not None and values.get(attr) in (None, ""):
                fills[attr] = value
    return fills


def fill_from_udi(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``values`` with the empty fields its UDIs can supply filled in."""
    return dict(values) | udi_fills(values)


def record_keys(text: str | None) -> dict[str, str | None]:
    """The derived keys the canonical record shows beside a UDI: DI, PI and issuer."""
    parsed = read(text)
    if parsed is None:
        return {"udi_di": None, "udi_pi": None, "udi_issuer": None}
    return {"udi_di": parsed.udi_di, "udi_pi": parsed.udi_pi, "udi_issuer": parsed.issuer}
