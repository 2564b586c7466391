"""Reading E2B(R3) acknowledgements: the FDA examples, and hostile or broken files."""

from __future__ import annotations

from datetime import date

import pytest

from ect_reporting.e2b_ack import AckError, hl7_date, parse_acknowledgement
from tests.e2b_acks import example


def test_positive_example_is_accepted_with_its_message_number_and_text():
    ack = parse_acknowledgement(example("R3ack-positive.ack"))
    assert (ack.code, ack.code_label) == ("AA", "Accepted")
    assert ack.batch_number == "33439257"
    assert (ack.batch_sender, ack.batch_receiver) == ("ZZFDA", "4567AB89012")
    assert ack.created == date(2022, 8, 11)
    assert ack.local_message_number == "427032"
    assert ack.icsr_batch_number == "FAERS2022Scenario1-4069-a2dd-08002b30309d"
    assert ack.transmission_date == date(2014, 12, 14)
    assert ack.batch_texts == ("message successfully processed, no further action",)
    [message] = ack.messages
    assert message.code == "CA" and message.accepted
    assert message.message_number == "21ec1492-3aea-4069-a2ab-08002b30309d US-APHARMA-8744554B"
    assert (message.local_report_number, message.receiver, message.sender) == ("19426648", "4567AB89012", "CDER")
    assert message.message_date == date(2014, 12, 14)
    assert message.texts == ("Report Loaded Successfully",)


def test_negative_example_is_rejected_with_the_regulators_messages():
    ack = parse_acknowledgement(example("R3ack-negative.ack"))
    assert (ack.code, ack.code_label) == ("AE", "Accepted with errors")
    assert ack.batch_number == "34137236"
    [message] = ack.messages
    assert message.code == "CR" and not message.accepted
    assert message.message_number == "US-APHARMA-7644554"
    assert message.local_report_number == "19426650"
    [text] = message.texts
    assert text.startswith("Element value for SafetyCasePriority With Tag Id FDA.C.1.7.1 is Mandatory.")
    assert "Patient Ethnicity Code (FDA.D.12) must be provided" in text


def test_the_dataclasses_are_frozen():
    ack = parse_acknowledgement(example("R3ack-positive.ack"))
    with pytest.raises(AttributeError):
        ack.code = "AR"  # type: ignore[misc]


_MINIMAL = (
    '<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3">{messages}'
    '<acknowledgement typeCode="{batch_code}"><targetBatch><id extension="B-1"/></targetBatch></acknowledgement>'
    "</MCCI_IN200101UV01>"
)
_MESSAGE = (
    '<MCCI_IN000002UV01><acknowledgement typeCode="{code}"><targetMessage>{target}</targetMessage>'
    "</acknowledgement></MCCI_IN000002UV01>"
)

_BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3">&lol3;</MCCI_IN200101UV01>"""
_EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3"><id>&xxe;</id></MCCI_IN200101UV01>"""


def minimal(batch_code: str = "AA", code: str = "CA", target: str = '<id extension="GB-ECT-000001-v1"/>') -> bytes:
    return _MINIMAL.format(messages=_MESSAGE.format(code=code, target=target), batch_code=batch_code).encode()


def test_a_minimal_acknowledgement_parses():
    ack = parse_acknowledgement(minimal())
    assert ack.code == "AA" and ack.batch_number is None
    assert [m.message_number for m in ack.messages] == ["GB-ECT-000001-v1"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty"),
        (b"this is not XML", "not well-formed XML"),
        (b"%PDF-1.7 binary", "not well-formed XML"),
        (b"<MCCI_IN200101UV01", "not well-formed XML"),
        (b'<MCCI_IN200100UV01 xmlns="urn:hl7-org:v3"/>', "its root is MCCI_IN200100UV01"),
        (b"<MCCI_IN200101UV01/>", "expected MCCI_IN200101UV01 (HL7 v3)"),
        (b'<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3"/>', "no transmission acknowledgement code (ACK.A.4)"),
        (minimal(batch_code="ZZ"), "'ZZ' is not one of AA, AE, AR"),
        (minimal(code=""), "no acknowledgement code (ACK.B.r.6) for message 1"),
        (minimal(code="XX"), "'XX' is not one of CA, CR"),
        (minimal(target=""), "Message 1 does not say which ICSR message it answers (ACK.B.r.1)"),
        (minimal(target=f'<id extension="{"9" * 101}"/>'), "longer than 100 characters"),
        (_BILLION_LAUGHS, "declares a DTD or entities"),
        (_EXTERNAL_ENTITY, "declares a DTD or entities"),
    ],
)
def test_malformed_files_give_a_clear_error_not_a_crash(content, expected):
    with pytest.raises(AckError) as raised:
        parse_acknowledgement(content)
    assert expected in str(raised.value)


def test_a_bad_date_is_an_error_and_a_good_one_keeps_the_day():
    assert hl7_date("20220811135030-0400") == date(2022, 8, 11)
    assert hl7_date(None) is None
    with pytest.raises(AckError, match="not a real date"):
        hl7_date("20221345")
    with pytest.raises(AckError, match="not an HL7 date"):
        hl7_date("2022-08-11")
