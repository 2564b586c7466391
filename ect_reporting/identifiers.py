"""Spot direct patient identifiers typed into free text.

Exports must carry initials, age, sex and a local reference only. Staff
sometimes paste an NHS number or a postcode into a narrative field; this
finds them so the report cannot be submitted until they are removed. It
looks only at narrative fields (never batch numbers or UDIs, which are
long digit strings by design).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# Ten digits, optionally grouped 3-3-4 with spaces or hyphens.
_NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# A full UK postcode, e.g. "SW1A 1AA", "M1 1AE".
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
# "DOB" or "date of birth" followed by something date-like.
_DATE_OF_BIRTH = re.compile(r"\b(d\.?o\.?b\.?|date of birth|born)\b[:\s]*\d", re.IGNORECASE)


def is_valid_nhs_number(digits: str) -> bool:
    """Return True when ``digits`` (10 digits) passes the NHS modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def identifiers_in(text: str) -> list[str]:
    """Return the kinds of direct identifier found in ``text``."""
    found: list[str] = []
    for match in _NHS_NUMBER.finditer(text):
        if is_valid_nhs_number("".join(match.groups())):
            found.append("an NHS number")
            break
    if _POSTCODE.search(text):
        found.append("a postcode")
    if _DATE_OF_BIRTH.search(text):
        found.append("a date of birth")
    return found


# Narrative fields of the canonical record, as (path, getter).
def _narratives(record: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    procedure = record.get("procedure") or {}
    yield "tumour.location", procedure.get("lesion_location")
    medicine = record.get("medicine")
    if medicine:
        for index, reaction in enumerate(medicine.get("reactions") or []):
            yield f"reactions.{index}.verbatim", reaction.get("verbatim")
            yield f"reactions.{index}.treatment", reaction.get("treatment")
        seriousness = medicine.get("seriousness") or {}
        yield "seriousness.medically_significant_details", seriousness.get("medically_significant_details")
        yield "other_medicines", medicine.get("other_medicines")
        yield "additional_information", medicine.get("additional_information")
    device = record.get("device")
    if device:
        incident = device.get("incident") or {}
        yield "incident.description", incident.get("description")
        yield "incident.patient_consequence", incident.get("patient_consequence")


def identifier_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (path, message) for each narrative field that seems to identify the patient."""
    problems = []
    for path, text in _narratives(record):
        if not text:
            continue
        kinds = identifiers_in(text)
        if kinds:
            problems.append(
                (path, f"Remove {' and '.join(kinds)} from this text: reports must not identify the patient")
            )
    return problems
