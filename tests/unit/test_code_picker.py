"""The IMDRF code picker of the edit form: search, families, nothing lost."""

from __future__ import annotations

from ect_reporting.reports.coding import UNCONFIRMED, ctcae_version_for, meddra_stamp
from ect_reporting.webforms import code_picker


def shown(picker) -> list[str]:
    return [term.code for family in picker.families for term in family.codes]


def test_no_query_shows_every_selectable_code_with_families_closed_unless_ticked() -> None:
    picker = code_picker("A", "", ["A040101"])
    assert len(shown(picker)) == 163
    assert picker.hidden == ()
    open_families = [family.code for family in picker.families if picker.is_open(family)]
    assert open_families == ["A04"]


def test_query_matches_code_term_or_definition_and_opens_results() -> None:
    by_definition = code_picker("A", "pieces", [])
    assert "A040103" in shown(by_definition)  # "small pieces of the device breaking off"
    assert all(by_definition.is_open(family) for family in by_definition.families)
    assert shown(code_picker("EF", "e2008", [])) == ["E2008", "E200801"]  # a code finds its children
    every_word = shown(code_picker("A", "FAILURE deliver energy", []))
    assert "A090402" in every_word and "A0719" not in every_word  # every word must match, any case


def test_ticked_codes_outside_the_search_are_kept_and_named() -> None:
    picker = code_picker("A", "energy", ["A0719", "A090402", "A0719", ""])
    assert picker.selected == frozenset({"A0719", "A090402"})
    assert picker.hidden == (("A0719", "A0719 - Unexpected Shutdown"),)  # A090402 is shown, so not hidden


def test_grouping_heading_and_unknown_codes_are_never_offered_but_survive_a_search() -> None:
    picker = code_picker("EF", "", ["E24", "X999"])
    assert "E24" not in shown(picker)
    assert picker.hidden == (("E24", "E24 - Others"), ("X999", "X999"))  # the rules refuse them on save


def test_no_match_gives_no_families() -> None:
    assert code_picker("EF", "zzzz", []).families == ()


def test_meddra_stamp_says_the_version_is_unconfirmed() -> None:
    assert meddra_stamp() == "20.1" + UNCONFIRMED
    assert len(meddra_stamp()) <= 20  # fits reports.meddra_version
    assert ctcae_version_for(meddra_stamp()) == "5.0 (2017-11-27)"
    assert ctcae_version_for("19.0") is None and ctcae_version_for(None) is None
