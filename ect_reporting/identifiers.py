"""Spot direct patient identifiers typed into free text.

Exports must carry initials, age, sex and a local reference only. Staff
sometimes paste an NHS number or a postcode into a narrative field; this
finds them so the report cannot be submitted until they are removed.
``rules.identifier_errors`` applies it to the fields marked ``narrative``
in ``fields.py`` only (never batch numbers or UDIs, which are long digit
strings by design).
"""

from __future__ import annotations

import re

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
