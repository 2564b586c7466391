"""PDF export: content, order, page furniture, escaping, Unicode and pagination.

Assertions read the text back with pypdf, i.e. what a person (or a screen
reader) gets from the file, not what we meant to draw.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from ect_reporting import vocab
from ect_reporting.exports.pdf import FONT_DIR, DeviceLayout, MedicineLayout, PdfRenderer
from ect_reporting.exports.pdf.base import stylesheet
from ect_reporting.record_types import Record

GENERATED_AT = datetime(2025, 6, 1, 12, 30, 5, tzinfo=UTC)
HOSTILE = "<b>x</b> & <script>alert(1)</script>"


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(clock=lambda: GENERATED_AT)


def pages_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def render_text(renderer: PdfRenderer, record: Record) -> str:
    return " ".join(pages_text(renderer.generate(record).content))


def assert_in_order(text: str, needles: list[str]) -> None:
    positions = []
    for needle in needles:
        assert needle in text, f"missing: {needle!r}"
        positions.append(text.index(needle))
    assert positions == sorted(positions), list(zip(needles, positions, strict=True))


# --- contract and page furniture ---------------------------------------------------


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_generate_returns_a_named_pdf(renderer, make_record, kind):
    record = make_record(kind)
    export = renderer.generate(record)
    # The device fixture is a Scottish site, so its incident goes to IRIC.
    prefix = {"medicine": "yellow-card", "device": "iric"}[kind]
    assert export.filename == f"{prefix}-{kind}-{record['case_id']}-v{record['case_version']}.pdf"
    assert export.mimetype == "application/pdf"
    assert export.content.startswith(b"%PDF-")


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_every_page_has_header_and_numbered_footer(renderer, make_record, kind):
    record = make_record(kind)
    pages = pages_text(renderer.generate(record).content)
    total = len(pages)
    assert total >= 2  # the device sample runs onto a third page since it carries the UDI parts
    kind_label = vocab.REPORT_KINDS[kind]
    state_label = vocab.REPORT_STATES[record["state"]]
    for number, text in enumerate(pages, start=1):
        assert text.startswith(("DRAFT ", record["reference"]))
        assert f"{record['reference']} {kind_label} Status: {state_label}" in text
        assert text.endswith(f"Generated 2025-06-01 12:30:05 UTC Page {number} of {total}")


def test_the_bundled_font_is_embedded(renderer, medicine_record):
    reader = PdfReader(io.BytesIO(renderer.generate(medicine_record).content))
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSans" in name for name in fonts), fonts
    assert (FONT_DIR / "LICENSE-DejaVu.txt").read_text().count("Bitstream") > 1
    assert {path.name for path in Path(FONT_DIR).glob("*.ttf")} == {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
    }


def test_the_layout_is_picked_by_kind(renderer, medicine_record, device_record):
    assert type(renderer.layout_for(medicine_record)) is MedicineLayout
    assert type(renderer.layout_for(device_record)) is DeviceLayout


def test_an_unknown_kind_is_refused_even_when_rendering_directly(renderer, medicine_record):
    medicine_record["kind"] = "vaccine"  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match="unknown report kind"):
        renderer.render(medicine_record)


def test_stylesheet_is_built_once_and_shared(renderer):
    assert stylesheet() is stylesheet()
    assert all(layout.styles is stylesheet() for layout in renderer.layouts.values())


# --- content and order -------------------------------------------------------------


MEDICINE_HEADINGS = [
    "Suspected adverse drug reaction For submission to: MHRA Yellow Card scheme",
    "Report details",
    "1. Patient",
    "2. Suspect drug(s)",
    "3. Suspected reaction(s)",
    "4. Seriousness",
    "5. Other medicines in the last 3 months",
    "6. Additional information",
    "7. Causality",
    "8. Reporter",
    "9. ECT procedure summary",
    "10. Clinical checks",
]

DEVICE_HEADINGS = [
    "Adverse incident with a medical device For submission to: IRIC",
    "Report details",
    "1. Device identification",
    "2. What happened",
    "3. IMDRF codes",
    "4. Patient consequences",
    "5. Device availability",
    "6. Destination",
    "7. Reporter",
    "8. ECT procedure summary",
    "9. Clinical checks",
]


def test_medicine_sections_in_yellow_card_order(renderer, medicine_record):
    assert_in_order(render_text(renderer, medicine_record), MEDICINE_HEADINGS)


def test_device_sections_in_order(renderer, device_record):
    assert_in_order(render_text(renderer, device_record), DEVICE_HEADINGS)


def test_medicine_pdf_shows_every_filled_field(renderer, medicine_record):
    text = render_text(renderer, medicine_record)
    assert "Lesion site Leg" in text  # two-column table: its place in the text flow varies
    assert_in_order(
        text,
        [
            # report details
            "Case ID GB-ECT-000042",
            "Case version 1",
            "Reference ECT-000042",
            "Report type Initial",
            "Status Draft",
            "MHRA reference Not recorded",
            "Date aware 14 March 2025",
            "Report due by 29 March 2025",
            "Created 14 March 2025 15:20 UTC",
            "Last updated 15 March 2025 09:05 UTC",
            # patient
            "Initials MR",
            "Sex Female",
            "Age 67 years",
            "Weight 64.5 kg",
            "Height 162 cm",
            "Local reference RXH-0042317",
            # suspect drug table row
            "Bleomycin 15,000 IU powder for solution for injection B2417X",  # not "... injection Bleomycin"
            "B2417X",
            "Intravenous",
            "25,800 IU",
            "14 March 2025 14 March 2025",
            "Electrochemotherapy for cutaneous metastatic melanoma",
            "Not applicable (single dose)",
            # reactions
            "Reaction 1 of 2",
            "Within 5 minutes of the bleomycin bolus she became flushed, wheezy and hypotensive (BP 78/40).",
            "Anaphylaxis (MedDRA 10002218)",
            "Grade 3 - severe or medically significant",
            "Recovered / resolved",
            "Date started 14 March 2025",
            "Date stopped 15 March 2025",
            "IM adrenaline 500 micrograms, IV chlorphenamine, IV hydrocortisone",
            "Reaction 2 of 2",
            "15 mm ulcer at the treated site on the left shin two weeks later.",
            "Skin ulceration (MedDRA 10040947)",
            "Grade 2 - moderate",
            "Recovering / resolving",
            "Date started 28 March 2025",
            "Date stopped Not recorded",
            "Non-adherent dressings; district nurse review twice weekly",
            # seriousness (each reaction says "Serious" too, so anchor on the heading)
            "4. Seriousness Serious Yes",
            "\u2610 Patient died due to reaction",
            "\u2612 Involved or prolonged inpatient hospitalisation",
            "\u2610 Life threatening",
            "\u2610 Persistent or significant disability or incapacity",
            "\u2610 Congenital abnormality",
            "\u2610 Medically significant",
            # free text, causality, reporter
            "Amlodipine 5 mg once daily; paracetamol 1 g when required",
            "No known drug allergies. Bleomycin ECT in 2024 without reaction. "
            "Mast cell tryptase 28 micrograms/L at 1 hour.",
            "Causality (WHO-UMC) Probable / likely",
            "Name Dr Amelia Hart",
            "Profession Consultant dermatologist",
            "Email amelia.hart@example.nhs.uk",
            "Organisation Example Hospitals NHS Foundation Trust",
            # procedure summary
            "ECT session 17",
            "Procedure date 14 March 2025",
            "Site Example Hospitals NHS Foundation Trust - Skin Cancer Unit",
            "Nation England",
            "Care setting Day case",
            "Operator Mr Daniel Okafor",
            "Tumour histology Melanoma",
            "Lesions treated 6",
            "Largest lesion 14 mm",
            "Lesion location Left lower leg (shin)",
            "Laterality Left",
            "Previously irradiated No",
            "Anaesthesia General",
            "Drug Bleomycin",
            "Route Intravenous",
            "Total dose 25,800 IU",
            "Body surface area 1.7 m\u00b2",
            "Dose per m\u00b2 15,144 IU/m\u00b2",
            "Drug given at 10:02",
            "First pulse at 10:10",
            "Drug to first pulse 8 minutes",
            "Pulses delivered 48",
            "OPCS-4 codes (OPCS-4.10) X72.3 - Delivery of simple parenteral chemotherapy for neoplasm at "
            "first attendance (1 source) Y12.3 - Electrochemotherapy to lesion of organ NOC (Confirmed) "
            "Z50.4 - Skin of leg NEC (Confirmed) Z94.3 - Left sided operation (Confirmed)",
            "Coding notes X72 fourth character and inpatient rule: to be confirmed by a clinical coder",
        ],
    )


def test_device_pdf_shows_every_filled_field(renderer, device_record):
    text = render_text(renderer, device_record)
    assert_in_order(
        text,
        [
            "Case ID GB-ECT-000057",
            "Case version 1",
            "Reference ECT-000057",
            "Status Approved",
            "IRIC reference Not recorded",
            "Date aware 6 May 2025",
            "Report due by 21 May 2025",
            "Suspect component Electrode",
            "Manufacturer IGEA",
            "Model Cliniporator VITAE",
            "Serial number CPV-21-0457",
            "Software version 3.2.1",
            "UDI Not recorded",
            "Type Linear needle array Manufacturer IGEA",
            "Model / catalogue number LNA-30-8",
            "Lot / batch number L24-1187",
            "Expiry date 31 January 2027",
            "UDI (01)08056245000123(17)270131(10)L24-1187",
            "UDI issuer GS1",
            "UDI-DI (device identifier) 08056245000123",
            "UDI-PI (production identifier) (17)270131(10)L24-1187",
            "Conformity mark CE",
            "Operator of the device Health professional",
            "Single-use device reused No",
            "Number of devices involved 1",
            "Manufacturer informed Yes",
            "Date manufacturer informed 7 May 2025",
            "Description During the third application one needle of the linear array "
            "snapped at the hub. The fragment was retrieved from the lesion with forceps; "
            "no further pulses were delivered with that electrode.",
            "Incident date 6 May 2025",
            "Classification All other reportable incidents (including near misses)",
            "IMDRF release 2024 (A: 2024.1)",
            "A040101 - Fracture IMDRF-A",
            "E2008 - Foreign Body In Patient IMDRF-E",
            "F1903 - Device Explantation IMDRF-F",
            "Small puncture wound closed with one suture; no lasting harm.",
            "Initials JD",
            "Age 74 years",
            "Weight 81 kg",
            "Local reference TAY-5520931",
            "Where the device is now Quarantined on site",
            "Available for investigation Yes",
            "Report to IRIC - Incident Reporting and Investigation Centre (NHS Scotland)",
            "Site nation Scotland",
            "Name Sr Morag Campbell",
            "Profession Theatre sister",
            "Email morag.campbell@example.scot.nhs.uk",
            "Organisation Example Royal Infirmary",
            "Site Example Royal Infirmary, Dundee",
            "Tumour histology Squamous cell carcinoma",
            "Previously irradiated Yes",
            "Drug to first pulse 11 minutes",
            "OPCS-4 codes (OPCS-4.10) S10.8 - Other specified other destruction of lesion of skin of head or "
            "neck (1 source) Y12.3 - Electrochemotherapy to lesion of organ NOC (Confirmed) "
            "Z48.1 - Skin of scalp (Confirmed)",
            "Coding notes X72 fourth character and inpatient rule: to be confirmed by a clinical coder",
        ],
    )


def test_medicine_pdf_shows_the_yellow_card_case_data_in_order(renderer, medicine_record):
    assert_in_order(
        render_text(renderer, medicine_record),
        [
            "1. Patient",
            "Ethnicity White",
            "Pregnancy Not pregnant",
            "Relevant medical history Stage IIIC melanoma of the left leg (2023); hypertension.",
            "Relevant test results Mast cell tryptase 28 micrograms/L at 1 hour after onset.",
            "Allergies No known drug allergies",
            "2. Suspect drug(s)",
            "Rechallenge Not rechallenged",
            "Reaction 1 of 2",
            "Time to onset 0 days (same day as the drug)",
            "Serious Yes",
            "Why serious Involved or prolonged inpatient hospitalisation",
            "Reaction 2 of 2",
            "Time to onset 14 days after the drug started",
            "Serious No",
            "Why serious Not applicable: not serious",
            "5. Other medicines in the last 3 months",
            "Medicine Role Batch Route Dose Started Stopped Taken for",
            "Amlodipine Taken at the same time (not suspected) Not recorded Oral 5 mg 1 June 2023 Not recorded "
            "Hypertension",
            "Other medicines (free text) Amlodipine 5 mg once daily; paracetamol 1 g when required",
            "8. Reporter",
            "Qualification Physician (doctor)",
            "Telephone 0161 496 0000",
            "Address Skin Cancer Unit, Example Hospital, Example Road, Exampletown",
            "9. ECT procedure summary",
            "10. Clinical checks",
            "When this report was created, the ECT session's checks raised:",
            "\u2022 IV bleomycin 15,144 IU/m2 is above the ESOPE standard of 15,000 IU/m2",
        ],
    )


def test_device_pdf_shows_reporter_details_and_no_clinical_warnings(renderer, device_record):
    text = render_text(renderer, device_record)
    assert_in_order(
        text,
        [
            "7. Reporter",
            "Qualification Other health professional",
            "Telephone 01382 496000",
            "Address Theatres, Example Royal Infirmary, Dundee",
            "8. ECT procedure summary",
            "9. Clinical checks No clinical warnings were raised for this ECT session.",
        ],
    )
    # Medicine-only patient questions (null on a device record) are not printed.
    for absent in ("Ethnicity", "Pregnancy", "Relevant medical history", "Allergies"):
        assert absent not in text


def test_a_medicine_report_without_warnings_says_so(renderer, medicine_record):
    medicine_record["clinical_warnings"] = []
    text = render_text(renderer, medicine_record)
    assert "10. Clinical checks No clinical warnings were raised for this ECT session." in text


def test_every_clinical_warning_is_listed(renderer, medicine_record):
    medicine_record["clinical_warnings"].append(
        {"field": "first_pulse_at", "message": "First pulse was 31 minutes after the drug (too late)"}
    )
    assert_in_order(
        render_text(renderer, medicine_record),
        ["10. Clinical checks", "\u2022 IV bleomycin 15,144 IU/m2", "\u2022 First pulse was 31 minutes after the drug"],
    )


def test_pregnancy_shows_the_weeks_when_given(renderer, medicine_record):
    medicine_record["patient"].update(pregnancy="pregnant", gestation_weeks=24)
    assert "Pregnancy Pregnant (24 weeks)" in render_text(renderer, medicine_record)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (None, "Time to onset Not recorded"),
        (1, "Time to onset 1 day after the drug started"),
        (1200, "Time to onset 1,200 days after the drug started"),
        (-2, "Time to onset 2 days before the drug started"),
    ],
)
def test_time_to_onset_wording(renderer, medicine_record, days, expected):
    medicine_record["reactions"][0]["time_to_onset_days"] = days
    assert expected in render_text(renderer, medicine_record)


def test_reaction_seriousness_lists_ticked_criteria_in_yellow_card_order(renderer, medicine_record):
    medicine_record["reactions"][0]["seriousness_criteria"].update(medically_significant=True, death=True)
    medicine_record["reactions"][1]["serious"] = None
    text = render_text(renderer, medicine_record)
    assert (
        "Why serious Patient died due to reaction; Involved or prolonged inpatient hospitalisation; "
        "Medically significant" in text
    )
    assert "Serious Not recorded Why serious Not recorded" in text


def test_listed_other_medicines_without_free_text(renderer, medicine_record):
    medicine_record["other_medicines"] = None
    medicine_record["other_drugs"].append(
        {
            "characterisation": "suspect",
            "name": "Propofol",
            "batch": "PX-11",
            "dose": 200.0,
            "dose_unit": "mg",
            "route": "intravenous",
            "date_started": "2025-03-14",
            "date_stopped": "2025-03-14",
            "indication": "General anaesthesia for ECT",
        }
    )
    text = render_text(renderer, medicine_record)
    assert_in_order(
        text,
        [
            "5. Other medicines in the last 3 months",
            "Amlodipine Taken at the same time (not suspected)",
            "Propofol Suspected PX-11 Intravenous 200 mg 14 March 2025 14 March 2025 General anaesthesia for ECT",
            "6. Additional information",
        ],
    )
    assert "Other medicines (free text)" not in text


def test_a_long_other_medicine_falls_back_to_blocks(renderer, medicine_record):
    medicine_record["other_drugs"][0]["indication"] = long_words(120)
    text = render_text(renderer, medicine_record)
    assert_in_order(text, ["Other medicine 1", "Medicine Amlodipine", "Taken for electrode needle"])


def test_markup_in_case_data_prints_literally(renderer, medicine_record):
    medicine_record["patient"]["medical_history"] = HOSTILE
    medicine_record["other_drugs"][0]["indication"] = HOSTILE
    medicine_record["clinical_warnings"][0]["message"] = HOSTILE
    medicine_record["reporter"]["address"] = HOSTILE
    text = render_text(renderer, medicine_record)
    assert text.replace(" ", "").count(HOSTILE.replace(" ", "")) == 4
    assert "&amp;" not in text


def test_values_not_recorded_print_as_not_recorded(renderer, medicine_record):
    medicine_record["patient"].update(initials=None, weight_kg=None, local_reference="  ")
    medicine_record["other_medicines"] = None
    medicine_record["other_drugs"] = []
    medicine_record["seriousness"]["serious"] = None
    medicine_record["procedure"]["opcs_codes"] = []
    text = render_text(renderer, medicine_record)
    for expected in (
        "Initials Not recorded",
        "Weight Not recorded",
        "Local reference Not recorded",
        "5. Other medicines in the last 3 months Not recorded",
        "Serious Not recorded",
        "OPCS-4 codes (OPCS-4.10) Not recorded",
    ):
        assert expected in text


def test_no_drug_and_no_reactions_print_not_recorded(renderer, medicine_record):
    medicine_record.update(suspect_drug=None, reactions=[])
    text = render_text(renderer, medicine_record)
    assert "2. Suspect drug(s) Not recorded 3. Suspected reaction(s) Not recorded" in text


def test_missing_medicine_sections_print_not_recorded(renderer, medicine_record):
    medicine_record.update(seriousness=None, causality=None, additional_information=None)
    text = render_text(renderer, medicine_record)
    assert "Serious Not recorded" in text
    assert "\u2612" not in text  # no box ticked
    assert "Causality (WHO-UMC) Not recorded" in text
    assert "6. Additional information Not recorded" in text


def test_missing_device_and_incident_print_not_recorded(renderer, device_record):
    device_record.update(device=None, incident=None)
    text = render_text(renderer, device_record)
    assert_in_order(text, DEVICE_HEADINGS)
    for expected in (
        "Suspect component Not recorded",
        "Serial number Not recorded",
        "UDI Not recorded",
        "Description Not recorded",
        "Incident date Not recorded",
        "Device problem (annex A) Not recorded",
        "Available for investigation Not recorded",
    ):
        assert expected in text


def test_black_triangle_product_is_flagged(renderer, medicine_record):
    medicine_record["suspect_drug"]["black_triangle"] = True
    text = render_text(renderer, medicine_record)
    assert "\u25bc Bleomycin 15,000 IU" in text
    assert "Black triangle product: subject to additional monitoring." in text


# --- watermark ---------------------------------------------------------------------


@pytest.mark.parametrize("state", list(vocab.REPORT_STATES))
def test_draft_watermark_on_every_page_until_approved(renderer, medicine_record, state):
    medicine_record["state"] = state
    pages = pages_text(renderer.generate(medicine_record).content)
    if state in vocab.SIGNED_OFF_STATES:
        assert not any("DRAFT" in page for page in pages)
    else:
        assert all("DRAFT" in page for page in pages)


def test_signed_off_states_are_approved_and_later():
    assert {"approved", "sent_to_mhra", "acknowledged", "closed", "nullified"} == vocab.SIGNED_OFF_STATES


def test_a_nullified_report_says_so_on_every_page_with_when_and_why(renderer, medicine_record):
    medicine_record["state"] = "nullified"
    medicine_record["nullification"] = {
        "nullified": True,
        "date": "2025-04-02T10:15:00Z",
        "reason": "Duplicate of a report the patient's GP sent",
    }
    pages = pages_text(renderer.generate(medicine_record).content)
    assert all(page.startswith("NULLIFIED ") for page in pages)
    assert_in_order(
        pages[0],
        [
            "NULLIFIED: this case is void and must not be used",
            "Nullified 2 April 2025 10:15 UTC",
            "Reason Duplicate of a report the patient's GP sent",
            "Case ID GB-ECT-000042",
        ],
    )


def test_a_live_report_has_no_nullification_notice(renderer, medicine_record):
    assert "NULLIFIED" not in render_text(renderer, medicine_record)


@pytest.mark.parametrize(("scheme", "label"), [("yellow_card", "MHRA"), ("iric", "IRIC"), ("niaic", "NIAIC")])
def test_title_block_shows_case_version_and_the_regulators_reference(renderer, medicine_record, scheme, label):
    medicine_record["destination"]["scheme"] = scheme
    medicine_record.update(case_id="GB-ECT-000042", case_version=3, regulator_reference="REF-77")
    text = render_text(renderer, medicine_record)
    assert_in_order(text, ["Case ID GB-ECT-000042", "Case version 3", f"{label} reference REF-77"])
    assert "Follow-up of" not in text


# --- hostile, long and Unicode text ------------------------------------------------


def test_markup_in_user_text_prints_literally(renderer, medicine_record, device_record):
    medicine_record["reporter"]["name"] = HOSTILE
    medicine_record["reactions"][0]["verbatim"] = HOSTILE
    medicine_record["suspect_drug"]["product"] = HOSTILE
    medicine_record["additional_information"] = HOSTILE
    medicine_record["reference"] = HOSTILE
    text = render_text(renderer, medicine_record)
    # Details, own words, additional information, reporter name.
    assert text.count(HOSTILE) == 4
    # The narrow drug table column wraps the long word, so compare without spaces;
    # the page headers show a shortened reference ("<b>x</b> & <scrip…").
    assert text.replace(" ", "").count(HOSTILE.replace(" ", "")) == 5
    assert text.count("DRAFT <b>x</b> & <scrip\u2026 Suspected adverse drug reaction") == len(
        pages_text(renderer.generate(medicine_record).content)
    )
    assert "&amp;" not in text
    assert "&lt;" not in text

    device_record["incident"]["description"] = HOSTILE
    device_record["incident"]["device_problem_codes"][0]["display"] = HOSTILE
    assert render_text(renderer, device_record).count(HOSTILE) == 2


def test_entity_like_text_is_not_decoded(renderer, medicine_record):
    medicine_record["other_medicines"] = "&lt;b&gt; &#65; &amp; <br/> <para>"
    assert "&lt;b&gt; &#65; &amp; <br/> <para>" in render_text(renderer, medicine_record)


def test_unicode_names_render(renderer, medicine_record):
    name = "Zoë Ñúñez Ōtsuka Łukasz Şahin"
    medicine_record["reporter"]["name"] = name
    medicine_record["procedure"]["operator"] = "Dr Øystein Ægisdóttir-Müller"
    medicine_record["reactions"][0]["verbatim"] = "Ζωή Ёлка Ђорђе – “quoted” ‘text’ µg"
    text = render_text(renderer, medicine_record)
    assert f"Name {name}" in text
    assert "Dr Øystein Ægisdóttir-Müller" in text
    assert "Ζωή Ёлка Ђорђе – “quoted” ‘text’ µg" in text


def test_control_characters_are_replaced_not_fatal(renderer, medicine_record):
    medicine_record["reactions"][0]["verbatim"] = "before\x00\x07\x1b\x7fafter"
    text = render_text(renderer, medicine_record)
    assert "before\ufffd\ufffd\ufffd\ufffdafter" in text


def test_line_breaks_in_free_text_are_kept(renderer, medicine_record):
    medicine_record["additional_information"] = "First line\r\nSecond line\n\nNew para"
    pages = PdfReader(io.BytesIO(renderer.generate(medicine_record).content)).pages
    raw = "".join(page.extract_text() for page in pages)
    assert "First line\nSecond line\nNew para" in raw


def long_words(count: int) -> str:
    words = ("electrode", "needle", "fragment", "lesion", "forceps", "retrieved", "pulse")
    text = " ".join(words[i % len(words)] for i in range(count))
    return text


def test_5000_character_description_runs_over_pages(renderer, device_record):
    description = ("START " + long_words(800))[:4996] + " END"
    assert len(description) == 5000
    device_record["incident"]["description"] = description
    pages = pages_text(renderer.generate(device_record).content)
    assert len(pages) > 2
    text = " ".join(pages)
    assert "START electrode needle" in text
    assert text.index("START") < text.index(" END ") < text.index("Incident date")


@pytest.mark.parametrize(
    "text",
    [
        "x" * 5000,  # one unbreakable word
        "\n".join(["line"] * 400),  # many short lines
        ("para " * 200 + "\n\n") * 5,  # several long paragraphs
    ],
    ids=["one-word", "many-lines", "paragraphs"],
)
def test_long_text_in_any_field_never_breaks_the_layout(renderer, medicine_record, text):
    medicine_record["suspect_drug"]["product"] = text  # table cell
    medicine_record["suspect_drug"]["batch"] = text
    medicine_record["reactions"][0]["verbatim"] = text  # field value
    medicine_record["reactions"][0]["meddra_code"]["display"] = text
    medicine_record["seriousness"]["medically_significant_details"] = text
    medicine_record["other_medicines"] = text  # free text section
    medicine_record["reporter"]["name"] = text  # two-column field
    medicine_record["reference"] = text  # page header
    medicine_record["procedure"]["opcs_codes"][0]["display"] = text
    pages = pages_text(PdfRenderer().generate(medicine_record).content)
    assert len(pages) > 2
    assert "Suspect drug 1" in " ".join(pages)  # the table fell back to blocks


def test_characters_without_a_glyph_do_not_fail(renderer, medicine_record):
    # DejaVu Sans has no CJK or emoji glyphs: they print as boxes, the build must not fail.
    medicine_record["reporter"]["name"] = "山田 太郎 \U0001f600 \u202eevil\u202c \u0301x"
    assert render_text(renderer, medicine_record)


def test_header_prints_the_whole_status(renderer, medicine_record):
    """The status side of the header fits the longest state ("Submitted for ..." was cut)."""
    first_page = pages_text(renderer.generate(dict(medicine_record, state="submitted_for_review")).content)[0]
    assert "Status: Submitted for review" in first_page


def test_product_name_that_says_the_drug_is_not_followed_by_it_again(renderer, medicine_record):
    drug = dict(medicine_record["suspect_drug"], name="bleomycin", product="Bleomycin 15,000 IU powder for solution")
    text = render_text(renderer, dict(medicine_record, suspect_drug=drug))
    assert "Bleomycin 15,000 IU powder for solution" in text
    assert "powder for solution Bleomycin" not in text
