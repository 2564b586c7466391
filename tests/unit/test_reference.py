"""Tests for the shipped reference code lists (CTCAE/MedDRA, IMDRF; OPCS-4 in test_opcs.py)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources

import pytest

from ect_reporting import reference
from ect_reporting.reference import ReferenceDataError, imdrf, meddra_ctcae, opcs4

# --- CTCAE v5.0 / MedDRA ----------------------------------------------------


def test_meddra_has_47_unique_terms() -> None:
    terms = reference.meddra_terms()
    assert len(terms) == 47
    assert len({t.code for t in terms}) == 47
    assert all(len(t.code) == 8 and t.code.isdigit() for t in terms)
    assert all(t.soc and t.definition and t.source for t in terms)


def test_meddra_terms_is_cached() -> None:
    assert reference.meddra_terms() is reference.meddra_terms()


def test_anaphylaxis() -> None:
    term = reference.meddra_term("10002218")
    assert term is not None
    assert term.term == "Anaphylaxis"
    assert term.soc == "Immune system disorders"
    assert reference.allowed_grades("10002218") == [3, 4, 5]
    assert term.as_coded_term() == {
        "system": "MedDRA",
        "code": "10002218",
        "display": "Anaphylaxis",
    }


@pytest.mark.parametrize(
    ("code", "name", "grades"),
    [
        ("10047166", "Vasovagal reaction", [3, 4, 5]),
        ("10042772", "Syncope", [3]),
        ("10033371", "Pain", [1, 2, 3]),
        ("10040947", "Skin ulceration", [1, 2, 3, 4, 5]),
        ("10040865", "Skin hyperpigmentation", [1, 2]),
        ("10028689", "Nail changes", [1]),
        ("10028294", "Muscle cramp", [1, 2, 3]),
    ],
)
def test_allowed_grades(code: str, name: str, grades: list[int]) -> None:
    term = reference.meddra_term(code)
    assert term is not None and term.term == name
    assert reference.allowed_grades(code) == grades


def test_grade_description() -> None:
    assert reference.grade_description("10047166", 3) == "Present"
    assert reference.grade_description("10047166", 1) is None  # "-" in CTCAE
    assert reference.grade_description("10047166", 6) is None
    assert reference.grade_description("99999999", 3) is None
    assert reference.grade_description("10033371", 2) == (
        "Moderate pain; limiting instrumental ADL"
    )


def test_unknown_meddra_code() -> None:
    assert reference.meddra_term("12345678") is None
    assert reference.allowed_grades("12345678") == []


def test_grades_map_dash_to_none() -> None:
    term = reference.meddra_term("10002218")
    assert term is not None
    assert dict(term.grades) == {
        1: None,
        2: None,
        3: term.grades[3],
        4: "Life-threatening consequences; urgent intervention indicated",
        5: "Death",
    }


def test_ctcae_meta_matches_csv() -> None:
    meta = meddra_ctcae.ctcae_meta()
    assert reference.ctcae_version().startswith("5.0")
    assert meta.code_system == "CTCAE"
    text = resources.files("ect_reporting.reference").joinpath(meddra_ctcae.CSV_FILE)
    rows = list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8"))))
    assert len(rows) == 47
    assert "source" in rows[0]  # provenance column kept


# --- IMDRF ------------------------------------------------------------------

# Spot checks against the shared reference CSV (FDA 2024.1 / IMDRF 2023).
IMDRF_SPOT_CHECKS = {
    "A0201": ("IMDRF-A", "Product Quality Problem"),
    "A040101": ("IMDRF-A", "Fracture"),
    "A040103": ("IMDRF-A", "Material Fragmentation"),
    "A0719": ("IMDRF-A", "Unexpected Shutdown"),
    "A090402": ("IMDRF-A", "Failure to Deliver Energy"),
    "A24": ("IMDRF-A", "Adverse Event Without Identified Device or Use Problem"),
    "E0402": ("IMDRF-E", "Hypersensitivity/Allergic reaction"),
    "E2008": ("IMDRF-E", "Foreign Body In Patient"),
    "E2403": ("IMDRF-E", "No Clinical Signs, Symptoms or Conditions"),
    "F11": ("IMDRF-F", "Minor Injury/ Illness / Impairment"),
    "F1903": ("IMDRF-F", "Device Explantation"),
    "F26": ("IMDRF-F", "No Health Consequences or Impact"),
}


@pytest.mark.parametrize(("code", "expected"), sorted(IMDRF_SPOT_CHECKS.items()))
def test_imdrf_term(code: str, expected: tuple[str, str]) -> None:
    term = reference.imdrf_term(code)
    assert term is not None
    assert (term.system, term.display) == expected
    assert term.confirmed is True
    assert term.selectable is True
    assert term.label == f"{code} - {expected[1]}"
    assert term.as_coded_term() == {"system": expected[0], "code": code, "display": expected[1]}


def test_imdrf_list_is_the_270_shared_codes() -> None:
    shared = resources.files("ect_reporting.reference").joinpath("imdrf_ect_subset.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(shared)))
    assert len(rows) == 270
    assert set(imdrf.imdrf_code_list()) == {row["code"] for row in rows}
    single = {code for code, term in imdrf.imdrf_code_list().items() if not term.confirmed}
    assert single == {"A2205", "A2206", "F1910", "F2308", "F2601", "F29"}


def test_imdrf_grouping_heading_is_kept_but_not_offered() -> None:
    others = reference.imdrf_term("E24")
    assert others is not None and others.selectable is False
    assert "E24" not in {t.code for t in reference.health_effect_codes()}
    assert reference.selectable_children("E24") == ("E2401", "E2402", "E2403")
    assert [t.code for t in imdrf.imdrf_code_list().values() if not t.selectable] == ["E24"]


def test_imdrf_device_problem_and_health_effect_codes() -> None:
    problems = reference.device_problem_codes()
    effects = reference.health_effect_codes()
    assert len(problems) == 163 and {t.system for t in problems} == {"IMDRF-A"}
    assert len(effects) == 106 and {t.system for t in effects} == {"IMDRF-E", "IMDRF-F"}
    assert [t.code for t in effects][-1] == "F29"


def test_imdrf_unknown_and_release() -> None:
    assert reference.imdrf_term("A99") is None
    assert reference.imdrf_release() == "2024 (A: 2024.1)"
    assert len(reference.imdrf_release()) <= 20  # fits reports.imdrf_release
    assert "2023" in reference.imdrf_version() and "2024" in reference.imdrf_version()


def test_imdrf_search_matches_code_term_and_definition_by_family() -> None:
    by_term = reference.search_families("A", "fracture")
    assert [(f.label, [t.code for t in f.codes]) for f in by_term] == [
        ("A04 - Material Integrity Problem", ["A040101"])
    ]
    # "pieces" is only in A040103's definition ("small pieces of the device breaking off").
    assert "A040103" in {t.code for f in reference.search_families("A", "pieces breaking") for t in f.codes}
    assert [t.code for f in reference.search_families("A", "a0719") for t in f.codes] == ["A0719"]
    assert reference.search_families("A", "no such words here") == ()


def test_imdrf_families_group_all_codes_when_not_searching() -> None:
    families = reference.search_families("EF")
    assert sum(len(f.codes) for f in families) == 106
    injury = next(f for f in families if f.code == "E20")
    assert injury.term is None and injury.label == "E20"  # E20's own row is not in the subset
    assert "E2008" in {t.code for t in injury.codes}
    assert next(f for f in families if f.code == "F19").label == "F19 - Surgical Intervention"


# --- damaged data files fail loudly -----------------------------------------


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Clear the load-once caches around a test that swaps a data file."""
    caches = (
        meddra_ctcae.meddra_terms,
        meddra_ctcae._by_code,
        opcs4.opcs_code_list,
        imdrf.imdrf_code_list,
    )
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_edited_ctcae_csv_is_rejected(
    fresh_caches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = meddra_ctcae.read_bytes(meddra_ctcae.CSV_FILE)
    monkeypatch.setattr(
        meddra_ctcae, "read_bytes", lambda name: original.replace(b"Mild", b"Mild!")
    )
    with pytest.raises(ReferenceDataError, match="checksum"):
        reference.meddra_terms()


def test_opcs_map_to_unlisted_code_is_rejected(
    fresh_caches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = opcs4.read_json(opcs4.DATA_FILE)
    data["sites"]["leg"]["code"] = "X99.9"
    monkeypatch.setattr(opcs4, "read_json", lambda name: data)
    with pytest.raises(ReferenceDataError, match=r"X99\.9"):
        reference.opcs_version()


def test_imdrf_code_in_wrong_annex_is_rejected(
    fresh_caches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = imdrf.read_bytes(imdrf.CSV_FILE)
    edited = original.replace(b"\nF26,F,", b"\nF26,E,")
    assert edited != original
    meta = imdrf.imdrf_meta()
    monkeypatch.setattr(imdrf, "read_bytes", lambda name: edited)
    monkeypatch.setattr(imdrf, "imdrf_meta", lambda: replace(meta, sha256=hashlib.sha256(edited).hexdigest()))
    with pytest.raises(ReferenceDataError, match="F26"):
        reference.imdrf_term("F26")


def test_edited_imdrf_csv_is_rejected(fresh_caches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    original = imdrf.read_bytes(imdrf.CSV_FILE)
    monkeypatch.setattr(imdrf, "read_bytes", lambda name: original.replace(b"Fracture", b"Fractured"))
    with pytest.raises(ReferenceDataError, match="checksum"):
        reference.imdrf_term("A040101")
