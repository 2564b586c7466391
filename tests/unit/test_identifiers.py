"""Direct identifiers in narrative text are found; clinical numbers are not."""

import pytest

from ect_reporting.fields import MEDICINE_FIELDS, REACTION_FIELDS
from ect_reporting.identifiers import identifiers_in, is_valid_nhs_number
from ect_reporting.rules import identifier_errors


@pytest.mark.parametrize(("number", "valid"), [("9434765919", True), ("4010232137", True), ("9434765918", False),
                                               ("1234567890", False), ("123456789", False)])
def test_nhs_number_check_digit(number, valid):
    assert is_valid_nhs_number(number) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NHS number 943-476-5919 on the wristband", ["an NHS number"]),
        ("Lives at SW1A 1AA", ["a postcode"]),
        ("DOB 3/4/1951", ["a date of birth"]),
        ("Bleomycin 15000 IU, lot 1234567890, 8 pulses at 5000 Hz", []),
        ("Grade 3 ulceration over 2 cm", []),
    ],
)
def test_identifiers_in(text, expected):
    assert identifiers_in(text) == expected


def test_problems_name_the_field():
    reaction = {"verbatim": "ok", "treatment": "seen at M1 1AE"}
    assert list(identifier_errors(REACTION_FIELDS, reaction, prefix="reactions.0.")) == ["reactions.0.treatment"]


def test_only_narrative_fields_are_searched():
    # A batch number is a long digit string by design; it is never mistaken for an NHS number.
    values = {"drug_batch": "9434765919", "other_medicines": "NHS no 9434765919"}
    assert list(identifier_errors(MEDICINE_FIELDS, values)) == ["other_medicines"]
