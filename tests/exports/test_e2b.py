"""E2B(R3) export: schema-valid ICSR messages whose fields say what the record says.

Validated against the ICH schema set beside the checkout
(``../shared/reference/e2b-r3-schemas``), then parsed back with XPath to
compare the key fields with the record (a round trip).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ect_reporting import clinical, vocab
from ect_reporting.config import ConfigurationError, E2bSettings, check_e2b_settings
from ect_reporting.exports import e2b_codes as codes
from ect_reporting.exports.e2b import E2bInvalid, E2bRenderer, meddra_version, split_name
from ect_reporting.exports.e2b_validation import schema_errors
from tests.exports.test_properties import records

NS = {"hl7": "urn:hl7-org:v3", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
NOW = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
CASE = "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:controlActProcess/hl7:subject/hl7:investigationEvent"
OBS = codes.OID_OBSERVATION


def render(record, schema_dir=None) -> bytes:
    return E2bRenderer(E2bSettings(schema_dir=schema_dir), clock=lambda: NOW).generate(record).content


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content)


def one(tree, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0]


def seriousness(tree, reaction: int) -> dict[str, str]:
    """Return {observation code: BL value or nullFlavor} for one reaction (1-based)."""
    base = f"({CASE}//hl7:observation[hl7:code/@code='29'])[{reaction}]/hl7:outboundRelationship2/hl7:observation"
    return {
        obs.xpath("hl7:code/@code", namespaces=NS)[0]: (
            obs.xpath("hl7:value/@value", namespaces=NS) or obs.xpath("hl7:value/@nullFlavor", namespaces=NS)
        )[0]
        for obs in tree.xpath(base, namespaces=NS)
        if obs.xpath("hl7:value/@xsi:type", namespaces=NS) == ["BL"]
    }


def outcome(tree, reaction: int) -> str:
    return one(tree, f"({CASE}//hl7:observation[hl7:code/@code='29'])[{reaction}]"
                     f"//hl7:observation[hl7:code/@code='27']/hl7:value/@code")


@pytest.fixture
def cisplatin_record(medicine_record):
    """A non-serious cisplatin ulcer, still healing: one reaction, recovering."""
    record = medicine_record
    record["suspect_drug"].update(name="cisplatin", product="Cisplatin 1 mg/mL", route="intratumoural", dose=12.5,
                                  dose_unit="mg", batch="CIS-77")
    record["procedure"].update(drug="cisplatin", route="intratumoural", dose=12.5, dose_unit="mg")
    record["reactions"] = [record["reactions"][1]]
    record["seriousness"] = {"serious": False, "criteria": dict.fromkeys(vocab.SERIOUSNESS_CRITERIA, False),
                             "medically_significant_details": None}
    return record


# --- every vocabulary value has its ICH code ---------------------------------------------------


@pytest.mark.parametrize(
    ("vocabulary", "mapping"),
    [
        (vocab.OUTCOMES, codes.OUTCOMES),
        (vocab.SERIOUSNESS_CRITERIA, codes.SERIOUSNESS),
        (vocab.QUALIFICATIONS, codes.QUALIFICATIONS),
        (vocab.SEXES, codes.SEXES),
        (vocab.ACTIONS_TAKEN, codes.ACTIONS_TAKEN),
        (vocab.RECHALLENGE, codes.RECHALLENGE),
        (vocab.DRUG_CHARACTERISATIONS, codes.CHARACTERISATIONS),
        (vocab.ROUTES | vocab.OTHER_DRUG_ROUTES, codes.ROUTES),
        (vocab.DOSE_UNITS | vocab.OTHER_DOSE_UNITS, codes.DOSE_UNITS),
    ],
)
def test_every_vocabulary_value_has_an_ich_code(vocabulary, mapping):
    assert set(vocabulary) == set(mapping)


def test_every_age_group_the_app_derives_is_a_named_ich_code():
    derived = {clinical.age_group(age) for age in (0.01, 0.5, 5, 15, 40, 80)}
    assert derived == {"1", "2", "3", "4", "5", "6"}
    assert derived <= set(clinical.AGE_GROUPS)


def test_seriousness_codes_are_the_ich_observation_codes():
    assert [code for code, _ in codes.SERIOUSNESS.values()] == ["34", "21", "33", "35", "12", "26"]


# --- the done-when cases ------------------------------------------------------------------------


def test_serious_bleomycin_anaphylaxis_is_valid_and_coded(medicine_record, e2b_schema_dir):
    content = render(medicine_record, e2b_schema_dir)  # validates, or raises E2bInvalid
    tree = parse(content)
    assert seriousness(tree, 1)["33"] == "true"
    assert [key for key, value in seriousness(tree, 1).items() if value == "true"] == ["33"]
    assert outcome(tree, 1) == "1"
    suspect = one(tree, f"{CASE}//hl7:causalityAssessment[hl7:code/@code='20'][hl7:value/@code='1']"
                        "/hl7:subject2/hl7:productUseReference/hl7:id/@root")
    drug = one(tree, f"{CASE}//hl7:organizer[hl7:code/@code='4']/hl7:component/hl7:substanceAdministration"
                     f"[hl7:id/@root='{suspect}']")
    assert one(drug, ".//hl7:lotNumberText/text()") == "B2417X"
    assert one(drug, ".//hl7:doseQuantity/@value") == "25800"
    assert one(drug, ".//hl7:doseQuantity/@unit") == "[iU]"
    assert one(drug, ".//hl7:ingredientSubstance/hl7:name/text()") == "Bleomycin"
    assert one(drug, ".//hl7:routeCode/@code") == "042"
    reaction = one(tree, f"({CASE}//hl7:observation[hl7:code/@code='29'])[1]/hl7:value")
    assert reaction.get("code") == "10002218"
    assert reaction.get("codeSystem") == codes.OID_MEDDRA
    assert reaction.get("codeSystemVersion") == "20.1"
    story = one(tree, f"{CASE}/hl7:text/text()")
    for expected in ("Bleomycin", "25,800 IU", "15,144 IU/m2", "10:02", "8 minutes after the drug", "14 March 2025",
                     "recovered / resolved", "48 pulses", "6 lesion(s)", "IM adrenaline"):
        assert expected in story, expected


def test_non_serious_cisplatin_ulcer_recovering(cisplatin_record, e2b_schema_dir):
    tree = parse(render(cisplatin_record, e2b_schema_dir))
    assert outcome(tree, 1) == "2"
    assert "true" not in seriousness(tree, 1).values()
    assert one(tree, f"({CASE}//hl7:doseQuantity/@unit)[1]") == "mg"
    assert one(tree, f"({CASE}//hl7:routeCode/@code)[1]") == "036"
    assert one(tree, f"{CASE}/hl7:component/hl7:observationEvent[hl7:code/@code='23']/hl7:value/@value") == "false"


def test_a_follow_up_keeps_the_case_id_with_later_information(medicine_record, e2b_schema_dir):
    initial = parse(render(medicine_record, e2b_schema_dir))
    follow_up = dict(medicine_record, case_version=2, report_type="follow_up", awareness_date="2025-04-02",
                     regulator_reference="GB-MHRA-ADR-123")
    later = parse(render(follow_up, e2b_schema_dir))
    c11 = f"{CASE}/hl7:id[@root='{codes.OID_SENDER_REPORT_ID}']/@extension"
    assert one(initial, c11) == one(later, c11) == "GB-ECT-000042"
    assert one(later, f"{CASE}/hl7:availabilityTime/@value") > one(initial, f"{CASE}/hl7:availabilityTime/@value")
    message = "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:id/@extension"
    assert (one(initial, message), one(later, message)) == ("GB-ECT-000042-v1", "GB-ECT-000042-v2")
    assert one(later, "/hl7:MCCI_IN200100UV01/hl7:id/@extension") == "GB-ECT-000042-v2-batch"
    other = one(later, f"{CASE}/hl7:subjectOf1/hl7:controlActEvent/hl7:id")
    assert (other.get("extension"), other.get("assigningAuthorityName")) == ("GB-MHRA-ADR-123", "MHRA")


def test_a_nullified_report_says_so_with_its_reason(medicine_record, e2b_schema_dir):
    medicine_record["nullification"] = {"nullified": True, "date": "2025-05-01T10:00:00Z", "reason": "Duplicate case"}
    tree = parse(render(medicine_record, e2b_schema_dir))
    flag = f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='3']/hl7:value"
    assert one(tree, f"{flag}/@code") == "1"
    assert one(tree, f"{flag}/@codeSystem") == codes.OID_NULLIFICATION_AMENDMENT
    reason = f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='4']/hl7:value/hl7:originalText"
    assert one(tree, f"{reason}/text()") == "Duplicate case"


def test_an_amendment_is_flagged_2(medicine_record, e2b_schema_dir):
    tree = parse(render(dict(medicine_record, amendment=True, case_version=2), e2b_schema_dir))
    flag = f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='3']/hl7:value/@code"
    assert one(tree, flag) == "2"


def test_an_initial_report_has_no_nullification_flag(medicine_record):
    tree = parse(render(medicine_record))
    assert tree.xpath(f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='3']", namespaces=NS) == []


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_key_fields(medicine_record):
    record = medicine_record
    tree = parse(render(record))
    assert one(tree, "/hl7:MCCI_IN200100UV01/@ITSVersion") == "XML_1.0"
    assert one(tree, "/hl7:MCCI_IN200100UV01/hl7:sender/hl7:device/hl7:id/@extension") == "GB-ECTDEMO"
    assert one(tree, "/hl7:MCCI_IN200100UV01/hl7:receiver/hl7:device/hl7:id/@extension") == "MHRA"
    assert one(tree, "/hl7:MCCI_IN200100UV01/hl7:creationTime/@value") == "20250601123000+0000"
    assert one(tree, f"{CASE}/hl7:id[@root='{codes.OID_WORLDWIDE_CASE_ID}']/@extension") == record["case_id"]
    assert one(tree, f"{CASE}/hl7:effectiveTime/hl7:low/@value") == "20250314"
    patient = f"{CASE}//hl7:primaryRole"
    assert one(tree, f"{patient}/hl7:player1/hl7:name/text()") == "MR"
    assert one(tree, f"{patient}/hl7:player1/hl7:administrativeGenderCode/@code") == "2"
    for code, value, unit in (("3", "67", "a"), ("7", "64.5", "kg"), ("17", "162", "cm")):
        quantity = one(tree, f"{patient}/hl7:subjectOf2/hl7:observation[hl7:code/@code='{code}']/hl7:value")
        assert (quantity.get("value"), quantity.get("unit")) == (value, unit)
    assert one(tree, f"{patient}//hl7:observation[hl7:code/@code='4']/hl7:value/@code") == "6"
    assert "Stage IIIC melanoma" in one(tree, f"{patient}//hl7:observation[hl7:code/@code='18']/hl7:value/text()")
    codes_sent = tree.xpath(f"{CASE}//hl7:observation[hl7:code/@code='29']/hl7:value/@code", namespaces=NS)
    assert codes_sent == [reaction["meddra_code"]["code"] for reaction in record["reactions"]]
    assert tree.xpath(f"{CASE}//hl7:observation[hl7:code/@code='29']/hl7:effectiveTime/hl7:low/@value",
                      namespaces=NS) == ["20250314", "20250328"]
    roles = tree.xpath(f"{CASE}//hl7:causalityAssessment[hl7:code/@code='20']/hl7:value/@code", namespaces=NS)
    assert roles == ["1", "2"]  # bleomycin suspect, amlodipine concomitant
    names = tree.xpath(f"{CASE}//hl7:kindOfProduct/hl7:name/text()", namespaces=NS)
    assert names == [record["suspect_drug"]["product"], "Amlodipine"]
    assert one(tree, f"{CASE}//hl7:inboundRelationship[@typeCode='CAUS']/hl7:act/hl7:code/@code") == "9"
    assert set(tree.xpath(f"{CASE}//hl7:observation[hl7:code/@code='31']/hl7:value/@code", namespaces=NS)) == {"4"}
    reporter = one(tree, f"{CASE}//hl7:assignedPerson/hl7:name")
    assert [child.text for child in reporter] == ["Dr", "Amelia", "Hart"]
    assert one(tree, f"{CASE}//hl7:asQualifiedEntity/hl7:code/@code") == "1"
    comment = f"{CASE}//hl7:component1/hl7:observationEvent[hl7:code/@code='10']/hl7:value/text()"
    assert one(tree, comment) == record["additional_information"]
    assert one(tree, f"{CASE}/hl7:subjectOf1//hl7:assignedEntity/hl7:code/@code") == "3"


def test_long_verbatim_is_cut_to_250_with_the_full_text_in_the_narrative(medicine_record):
    words = "Generalised urticaria spreading from the chest to all four limbs. " * 10
    medicine_record["reactions"][0]["verbatim"] = words.strip()
    tree = parse(render(medicine_record))
    verbatim = one(tree, f"({CASE}//hl7:observation[hl7:code/@code='29'])[1]/hl7:value/hl7:originalText/text()")
    assert len(verbatim) == 250
    assert words.strip() in one(tree, f"{CASE}/hl7:text/text()")


def test_text_xml_cannot_hold_is_dropped(medicine_record):
    medicine_record["additional_information"] = "Bell\x07 and \x00null\ufffe"
    tree = parse(render(medicine_record))
    assert one(tree, f"{CASE}//hl7:component1//hl7:value/text()") == "Bell and null"


def test_a_device_record_is_refused(device_record):
    with pytest.raises(ValueError, match="device reports export as FHIR or PDF"):
        render(device_record)


def test_file_name_and_type(medicine_record):
    export = E2bRenderer(E2bSettings()).generate(medicine_record)
    assert export.filename == "yellow-card-medicine-GB-ECT-000042-v1.xml"
    assert export.mimetype == "application/xml"


@pytest.mark.parametrize(
    ("label", "version"), [("20.1 (unconfirmed)", "20.1"), ("27.0", "27.0"), ("v26", "26"), (None, None), ("", None)]
)
def test_meddra_version_keeps_the_number_only(label, version):
    assert meddra_version(label) == version


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Dr Amelia Hart", ("Dr", ["Amelia"], "Hart")),
        ("Prof. Jane Q Public", ("Prof.", ["Jane", "Q"], "Public")),
        ("Okafor", (None, [], "Okafor")),
        ("Dr", (None, [], "Dr")),
        (None, (None, [], None)),
    ],
)
def test_reporter_names_are_split_sensibly(name, parts):
    assert split_name(name) == parts


# --- validation at export time and settings ------------------------------------------------------


def test_an_invalid_message_is_refused_with_the_validators_words(medicine_record, tmp_path):
    schemas = tmp_path / "multicacheschemas"
    schemas.mkdir()
    (schemas / "MCCI_IN200100UV01.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hl7-org:v3" '
        'elementFormDefault="qualified"><xs:element name="MCCI_IN200100UV01"><xs:complexType><xs:sequence>'
        '<xs:element name="nothing"/></xs:sequence><xs:anyAttribute processContents="skip"/></xs:complexType>'
        "</xs:element></xs:schema>",
        encoding="utf-8",
    )
    with pytest.raises(E2bInvalid) as raised:
        render(medicine_record, tmp_path)
    assert raised.value.messages
    assert "not expected" in raised.value.messages[0]


def test_the_fda_example_validates_with_the_same_validator(e2b_schema_dir):
    example = e2b_schema_dir.parent / "e2b-r3-examples" / "FAERS2022Scenario1.xml"
    assert schema_errors(example.read_bytes(), e2b_schema_dir / "multicacheschemas" / "MCCI_IN200100UV01.xsd") == []


def test_settings_defaults_and_fallbacks():
    assert E2bSettings.from_mapping({}) == E2bSettings()
    settings = E2bSettings.from_mapping({"ECT_SENDER_ID": "GB-TRUST", "ECT_ORGANISATION": "Leeds"})
    assert (settings.sender_id, settings.receiver_id, settings.sender_organisation) == ("GB-TRUST", "MHRA", "Leeds")
    assert settings.schema_file is None
    chosen = E2bSettings.from_mapping({"ECT_E2B_SENDER_ID": "GB-E2B", "ECT_SENDER_ID": "GB-TRUST",
                                       "ECT_E2B_RECEIVER_ID": "EVHUMAN", "ECT_E2B_SCHEMA_DIR": "/opt/ich"})
    assert (chosen.sender_id, chosen.receiver_id) == ("GB-E2B", "EVHUMAN")
    assert chosen.schema_file == Path("/opt/ich/multicacheschemas/MCCI_IN200100UV01.xsd")


def test_a_schema_dir_without_the_schema_stops_start_up(tmp_path):
    with pytest.raises(ConfigurationError, match="ECT_E2B_SCHEMA_DIR"):
        check_e2b_settings({"ECT_E2B_SCHEMA_DIR": str(tmp_path)})


# --- any medicine record gives a schema-valid message --------------------------------------------

medicine_records = records().filter(lambda record: record["kind"] == "medicine")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.filter_too_much])
@given(record=medicine_records, sender=st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,20}", fullmatch=True))
def test_any_medicine_record_gives_a_schema_valid_message(record, sender, e2b_schema_dir):
    schema = e2b_schema_dir / "multicacheschemas" / "MCCI_IN200100UV01.xsd"
    content = E2bRenderer(E2bSettings(sender_id=sender), clock=lambda: NOW).generate(record).content
    assert schema_errors(content, schema) == []
    tree = parse(content)
    assert one(tree, f"{CASE}/hl7:id[@root='{codes.OID_SENDER_REPORT_ID}']/@extension") == record["case_id"]
    assert len(tree.xpath(f"{CASE}//hl7:observation[hl7:code/@code='29']", namespaces=NS)) == len(record["reactions"])
