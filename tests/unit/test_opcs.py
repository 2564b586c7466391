"""OPCS-4 coding of an ECT session (shared/reference/opcs4-ect-coding.md).

Each test pins one rule of the doc: the IPG446 sequence, never a Y or Z
code first (R6, R8), the inpatient delivery-code switch (R3), X70/X71 only
on opt-in (R1), Z94 only for paired sites (R9), and the site table.
"""

from __future__ import annotations

from typing import Any

import pytest

from ect_reporting import reference, vocab
from ect_reporting.config import OpcsSettings, finalise
from ect_reporting.reference import opcs4

DEFAULTS = OpcsSettings()


def codes(settings: OpcsSettings = DEFAULTS, **session: Any) -> list[str]:
    """The codes for a session; unspecified values are a left-leg IV bleomycin day case."""
    values: dict[str, Any] = {
        "care_setting": "day_case",
        "drug": "bleomycin",
        "route": "intravenous",
        "lesion_site": "leg",
        "laterality": "left",
    } | session
    return [code.code for code in reference.code_session(settings=settings, **values).codes]


def test_worked_example_a_left_lower_leg_day_case() -> None:
    assert codes() == ["X72.3", "Y12.3", "Z50.4", "Z94.3"]


def test_worked_example_b_right_chest_wall_outpatient_intratumoural() -> None:
    coding = reference.code_session(
        care_setting="outpatient", drug="cisplatin", route="intratumoural",
        lesion_site="anterior_trunk", laterality="right", settings=DEFAULTS,
    )
    assert [c.code for c in coding.codes] == ["X72.3", "Y12.3", "Z49.3", "Z94.2"]
    assert any("Intratumoural" in note for note in coding.notes)


def test_worked_example_c_scalp_inpatient() -> None:
    assert codes(care_setting="inpatient", lesion_site="scalp", laterality="not_applicable") == [
        "S10.8", "Y12.3", "Z48.1",
    ]


@pytest.mark.parametrize("laterality", sorted(vocab.LATERALITIES))
def test_scalp_never_gets_z94(laterality: str) -> None:
    result = codes(lesion_site="scalp", laterality=laterality)
    assert result == ["X72.3", "Y12.3", "Z48.1"]


@pytest.mark.parametrize(
    ("laterality", "expected"),
    [("left", ["Z94.3"]), ("right", ["Z94.2"]), ("bilateral", ["Z94.1"]), ("not_applicable", []), (None, [])],
)
def test_paired_site_takes_laterality(laterality: str | None, expected: list[str]) -> None:
    assert codes(laterality=laterality) == ["X72.3", "Y12.3", "Z50.4", *expected]


@pytest.mark.parametrize(
    ("care_setting", "first"),
    [("day_case", "X72.3"), ("outpatient", "X72.3"), ("inpatient", "S11.8")],
)
def test_delivery_code_by_care_setting_default(care_setting: str, first: str) -> None:
    assert codes(care_setting=care_setting)[0] == first


@pytest.mark.parametrize("site", sorted(vocab.LESION_SITES))
def test_inpatient_default_puts_body_system_code_first_for_every_site(site: str) -> None:
    result = codes(care_setting="inpatient", lesion_site=site)
    region = opcs4.opcs_code_list().sites[site].region
    assert result[0] == {"head_neck": "S10.8", "other_site": "S11.8"}[region]
    assert "X72.3" not in result
    assert result[1] == "Y12.3"


def test_inpatient_gets_delivery_code_when_the_site_says_so() -> None:
    settings = OpcsSettings(inpatient_delivery_code=True, inpatient_rule_confirmed=True)
    assert codes(settings, care_setting="inpatient") == ["X72.3", "Y12.3", "Z50.4", "Z94.3"]


@pytest.mark.parametrize("care_setting", [*sorted(vocab.CARE_SETTINGS), None])
@pytest.mark.parametrize("site", [*sorted(vocab.LESION_SITES), None])
@pytest.mark.parametrize("inpatient_delivery", [False, True])
def test_never_a_y_or_z_code_first(care_setting: str | None, site: str | None, inpatient_delivery: bool) -> None:
    settings = OpcsSettings(inpatient_delivery_code=inpatient_delivery)
    result = codes(settings, care_setting=care_setting, lesion_site=site)
    assert result[0][0] not in "YZ"
    assert result.count("Y12.3") == 1


def test_no_drug_recorded_gives_no_delivery_code_but_a_body_system_code() -> None:
    assert codes(drug=None, route=None) == ["S11.8", "Y12.3", "Z50.4", "Z94.3"]


def test_body_system_code_setting_adds_it_after_the_delivery_code() -> None:
    assert codes(OpcsSettings(body_system_code=True)) == ["X72.3", "S11.8", "Y12.3", "Z50.4", "Z94.3"]
    assert codes(OpcsSettings(body_system_code=True), lesion_site="face", laterality=None) == [
        "X72.3", "S10.8", "Y12.3", "Z47.9",
    ]


def test_procurement_codes_only_when_opted_in() -> None:
    assert not any(code.startswith(("X70", "X71")) for code in codes())
    assert codes(OpcsSettings(procurement_code="X70.1")) == ["X72.3", "Y12.3", "Z50.4", "Z94.3", "X70.1"]


@pytest.mark.parametrize(("character", "code"), [("3", "X72.3"), ("9", "X72.9"), ("8", "X72.8"), ("4", "X72.4")])
def test_x72_fourth_character_setting_changes_the_code(character: str, code: str) -> None:
    assert codes(OpcsSettings(x72_fourth_character=character))[0] == code


def test_x72_fourth_character_not_in_the_list_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"X72\.5"):
        codes(OpcsSettings(x72_fourth_character="5"))


def test_unrecorded_site_is_skin_nec_without_laterality_and_flagged() -> None:
    coding = reference.code_session(
        care_setting="day_case", drug="bleomycin", route="intravenous",
        lesion_site=None, laterality="left", settings=DEFAULTS,
    )
    assert [c.code for c in coding.codes] == ["X72.3", "Y12.3", "Z50.9"]
    assert any("not recorded" in note for note in coding.notes)


@pytest.mark.parametrize(
    ("site", "z_code", "paired"),
    [
        ("face", "Z47.9", False), ("scalp", "Z48.1", False), ("neck", "Z48.2", False),
        ("head_other", "Z48.8", False), ("breast", "Z49.1", True), ("axilla", "Z49.2", True),
        ("anterior_trunk", "Z49.3", True), ("back", "Z49.4", True), ("buttock", "Z49.5", True),
        ("shoulder", "Z49.6", True), ("groin", "Z49.7", True), ("arm", "Z50.1", True),
        ("hand", "Z50.2", True), ("finger", "Z50.3", True), ("leg", "Z50.4", True),
        ("foot", "Z50.5", True), ("toe", "Z50.6", True), ("ankle", "Z50.7", True),
        ("other", "Z50.8", False),
    ],
)
def test_site_table(site: str, z_code: str, paired: bool) -> None:
    expected = ["X72.3", "Y12.3", z_code] + (["Z94.1"] if paired else [])
    assert codes(lesion_site=site, laterality="bilateral") == expected


def test_site_table_covers_exactly_the_vocabulary() -> None:
    assert set(opcs4.opcs_code_list().sites) == set(vocab.LESION_SITES)


def test_pairing_of_skin_sites_is_flagged_unconfirmed_except_scalp() -> None:
    sites = opcs4.opcs_code_list().sites
    assert {key for key, site in sites.items() if site.paired_status != "unconfirmed"} == {"scalp"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("care_setting", "home"), ("route", "oral"), ("lesion_site", "elbow"), ("laterality", "middle")],
)
def test_unknown_values_raise(field: str, value: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        codes(**{field: value})


def test_coder_note_while_defaults_stand_and_gone_once_both_are_set() -> None:
    def notes(settings: OpcsSettings) -> tuple[str, ...]:
        return reference.code_session(
            care_setting="day_case", drug="bleomycin", route="intravenous",
            lesion_site="scalp", laterality=None, settings=settings,
        ).notes

    assert opcs4.CODER_NOTE == "X72 fourth character and inpatient rule: to be confirmed by a clinical coder"
    assert notes(DEFAULTS) == (opcs4.CODER_NOTE,)
    assert notes(OpcsSettings(x72_fourth_character_confirmed=True)) == (opcs4.CODER_NOTE,)
    assert notes(OpcsSettings(x72_fourth_character_confirmed=True, inpatient_rule_confirmed=True)) == ()


def test_coded_terms_carry_the_system_and_are_fresh_lists() -> None:
    coding = reference.code_session(
        care_setting="day_case", drug="bleomycin", route="intravenous",
        lesion_site="leg", laterality="left", settings=DEFAULTS,
    )
    terms = coding.coded_terms()
    assert terms[1] == {"system": "OPCS-4", "code": "Y12.3", "display": "Electrochemotherapy to lesion of organ NOC"}
    terms.clear()
    assert len(coding.coded_terms()) == 4


def test_statuses_follow_the_doc() -> None:
    def status(code: str) -> str:
        entry = reference.opcs_code(code)
        assert entry is not None, code
        return entry.status

    for code in ("Y12.3", "Z94.1", "Z94.2", "Z94.3", "Z48.1", "Z50.4", "Z50.9"):
        assert status(code) == "confirmed", code
    for code in ("X72.1", "X72.3", "X72.4", "X72.9", "S10.8", "S11.8", "X70.1", "X71.9"):
        assert status(code) == "one_source", code
    assert status("Z50.8") == "unconfirmed"  # the two sources disagree on the wording
    assert reference.opcs_code("X72.5") is None  # exclusively oral is X73.1, not X72.5
    assert reference.opcs_code("Q99.9") is None
    assert reference.opcs_code("X72.3").status_label == "1 source"  # type: ignore[union-attr]


def test_release_version_and_source() -> None:
    data = opcs4.opcs_code_list()
    assert data.code_system == "OPCS-4"
    assert reference.opcs_release() == "OPCS-4.10"
    assert "4.7/4.8" in data.release_note and "TRUD" in data.release_note
    assert reference.opcs_version() == data.version != ""
    assert "IPG446" in data.source


# --- settings ------------------------------------------------------------------


def test_settings_defaults_follow_the_doc() -> None:
    assert OpcsSettings.from_mapping({}) == DEFAULTS
    assert DEFAULTS.x72_fourth_character == "3"
    assert DEFAULTS.inpatient_delivery_code is False
    assert DEFAULTS.procurement_code is None
    assert DEFAULTS.body_system_code is False
    assert DEFAULTS.needs_coder


def test_settings_from_environment_words() -> None:
    settings = OpcsSettings.from_mapping({
        "ECT_OPCS_X72_FOURTH_CHARACTER": "9",
        "ECT_OPCS_INPATIENT_DELIVERY_CODE": "yes",
        "ECT_OPCS_PROCUREMENT_CODE": "x71.2",
        "ECT_OPCS_BODY_SYSTEM_CODE": "true",
    })
    assert settings == OpcsSettings(
        x72_fourth_character="9", x72_fourth_character_confirmed=True,
        inpatient_delivery_code=True, inpatient_rule_confirmed=True,
        procurement_code="X71.2", body_system_code=True,
    )
    assert not settings.needs_coder
    assert OpcsSettings.from_mapping({"ECT_OPCS_INPATIENT_DELIVERY_CODE": False}).inpatient_rule_confirmed


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ECT_OPCS_X72_FOURTH_CHARACTER", "33"),
        ("ECT_OPCS_X72_FOURTH_CHARACTER", "X"),
        ("ECT_OPCS_PROCUREMENT_CODE", "X72.3"),
        ("ECT_OPCS_INPATIENT_DELIVERY_CODE", "maybe"),
        ("ECT_OPCS_BODY_SYSTEM_CODE", "2"),
    ],
)
def test_bad_settings_stop_start_up(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=key):
        finalise({key: value})
