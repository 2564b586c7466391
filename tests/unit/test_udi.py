"""Reading UDIs as typed or scanned, pre-filling from them, and the mismatch rule."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from ect_reporting import rules, udi, vocab

HRI = "(01)08033891500019(17)270630(10)L23-0457"
TODAY = date(2026, 11, 30)


def test_human_readable_udi_splits_into_di_and_pi():
    parsed = udi.parse_udi(HRI)
    assert parsed.problem is None
    assert parsed.issuer == "GS1"
    assert parsed.udi_di == "08033891500019"
    assert parsed.udi_pi == "(17)270630(10)L23-0457"
    assert parsed.lot == "L23-0457"
    assert parsed.expiry == date(2027, 6, 30)
    assert parsed.serial is None
    assert parsed.manufactured is None


@pytest.mark.parametrize(
    "scanned",
    [
        "010803389150001917270630\x1d10L23-0457",  # element string, GS after fixed-length AIs is optional
        "0108033891500019\x1d17270630\x1d10L23-0457",  # GS after every element
        "01080338915000191727063010L23-0457",  # no separators: the variable-length lot comes last
        "]d2010803389150001917270630\x1d10L23-0457",  # GS1 DataMatrix symbology identifier
        "]C1010803389150001917270630\u241d10L23-0457",  # GS1-128 with the visible GS symbol
        "  (01)08033891500019(17)270630(10)L23-0457 ",
    ],
)
def test_scanned_forms_parse_like_the_human_readable_one(scanned):
    parsed = udi.parse_udi(scanned)
    reference = udi.parse_udi(HRI)
    assert (parsed.issuer, parsed.udi_di, parsed.udi_pi, parsed.lot, parsed.expiry) == (
        reference.issuer, reference.udi_di, reference.udi_pi, reference.lot, reference.expiry
    )


def test_human_readable_form_drops_separators_and_symbology_identifier():
    assert udi.parse_udi("]d2010803389150001917270630\x1d10L23-0457").human_readable == HRI
    assert udi.parse_udi("+A99912345/$$52001510X3").human_readable == "+A99912345/$$52001510X3"
    assert udi.parse_udi("garbage").human_readable == "garbage"
    assert udi.udi_fills({"electrode_udi": "010803389150001917270630\x1d10L23-0457"})["electrode_udi"] == HRI
    assert "electrode_udi" not in udi.udi_fills({"electrode_udi": HRI})


def test_serial_manufacture_date_and_day_00_expiry():
    parsed = udi.parse_udi("(01)08056245000123(11)250115(17)270200(10)L1(21)SN-77")
    assert parsed.serial == "SN-77"
    assert parsed.manufactured == date(2025, 1, 15)
    # GS1: day 00 means the last day of the month.
    assert parsed.expiry == date(2027, 2, 28)
    assert parsed.udi_pi == "(11)250115(17)270200(10)L1(21)SN-77"
    assert parsed.note is None  # a valid GTIN check digit


def test_a_wrong_check_digit_is_noted_but_the_udi_is_still_read():
    parsed = udi.parse_udi(HRI)  # 08033891500019: the check digit would be 6
    assert parsed.problem is None
    assert "check digit" in (parsed.note or "")


def test_gs1_digital_link_is_read():
    parsed = udi.parse_udi("https://id.gs1.org/01/08056245000123/10/L24-1187?17=270131")
    assert (parsed.udi_di, parsed.lot, parsed.expiry) == ("08056245000123", "L24-1187", date(2027, 1, 31))


@pytest.mark.parametrize(
    ("text", "issuer"),
    [("+A99912345/$$52001510X3", "HIBCC"), ("=/A9999XYZ100T0944", "ICCBBA"), ("&,1000000000000XYZ123", "ICCBBA")],
)
def test_hibcc_and_iccbba_are_recognised_by_issuer_only(text, issuer):
    parsed = udi.parse_udi(text)
    assert parsed.issuer == issuer
    assert parsed.problem is None
    assert parsed.udi_di is None and parsed.lot is None
    assert "not read automatically" in (parsed.note or "")


@pytest.mark.parametrize(
    "text", ["garbage", "UDI1", "(01)0803", "(01)08033891500019(17)271399", "08033891500019", "(01", "]d2"]
)
def test_unreadable_text_is_a_problem_not_an_exception(text):
    parsed = udi.parse_udi(text)
    assert parsed.problem is not None
    assert "(01)" in parsed.problem  # says what a readable UDI looks like
    assert parsed.udi_di is None


def test_gs1_code_without_a_device_identifier_is_a_problem():
    assert "device identifier" in (udi.parse_udi("(17)270630(10)L1").problem or "")


def test_issuers_are_the_vocabulary():
    assert set(get_args(udi.Issuer)) == set(vocab.UDI_ISSUERS)


def test_fill_from_udi_fills_only_empty_fields():
    values = {"electrode_udi": HRI, "electrode_lot": None, "electrode_serial": "", "electrode_expiry": None}
    assert udi.fill_from_udi(values) == values | {"electrode_lot": "L23-0457", "electrode_expiry": date(2027, 6, 30)}
    typed = {"electrode_udi": HRI, "electrode_lot": "L99"}
    assert udi.fill_from_udi(typed)["electrode_lot"] == "L99"
    assert udi.udi_fills({"electrode_udi": "garbage"}) == {}
    assert udi.udi_fills({"generator_udi": "(01)08056245000123(21)CPV-1"}) == {"generator_serial": "CPV-1"}


def test_record_keys():
    assert udi.record_keys(HRI) == {"udi_di": "08033891500019", "udi_pi": "(17)270630(10)L23-0457", "udi_issuer": "GS1"}
    assert udi.record_keys(None) == {"udi_di": None, "udi_pi": None, "udi_issuer": None}
    assert udi.record_keys("+A99912345/$$52001510X3")["udi_issuer"] == "HIBCC"


# --- the rule, on sessions and on device reports ------------------------------------------


def session_udi_errors(**values):
    return rules.session_errors(values, today=TODAY, creating=False)


def device_udi_errors(**values):
    return rules.report_errors("device", values, None, today=TODAY)


def test_typed_lot_that_disagrees_with_the_udi_is_an_error_on_the_lot():
    errors = device_udi_errors(electrode_udi=HRI, electrode_lot="L99")
    assert list(errors) == ["device.electrode.lot_number"]
    assert "L23-0457" in errors["device.electrode.lot_number"][0]
    assert list(session_udi_errors(electrode_udi=HRI, electrode_lot="L99")) == ["electrode.lot_number"]


def test_serial_and_expiry_mismatches_are_errors():
    errors = device_udi_errors(
        electrode_udi=HRI + "(21)SN1", electrode_serial="SN2", electrode_expiry=date(2027, 7, 31)
    )
    assert set(errors) == {"device.electrode.serial_number", "device.electrode.expiry_date"}
    generator = device_udi_errors(generator_udi="(01)08056245000123(21)CPV-1", generator_serial="CPV-2")
    assert set(generator) == {"device.generator.serial_number"}


def test_matching_values_are_fine_ignoring_case_and_spaces():
    assert device_udi_errors(electrode_udi=HRI, electrode_lot="l23-0457 ", electrode_expiry=date(2027, 6, 30)) == {}


def test_unreadable_udi_is_an_error_on_the_udi_field():
    errors = device_udi_errors(electrode_udi="garbage")
    assert list(errors) == ["device.electrode.udi"]
    assert errors["device.electrode.udi"][0].startswith("Electrode UDI: This is not a UDI")
    assert list(session_udi_errors(generator_udi="nonsense")) == ["generator.udi"]


def test_hibcc_udi_is_accepted_without_checks():
    assert device_udi_errors(electrode_udi="+A99912345/$$52001510X3", electrode_lot="ANY") == {}
