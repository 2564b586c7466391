"""Sections both report kinds print: title block, patient, reporter, ECT procedure.

They sit in one intermediate layout class so the medicine and device
layouts differ only in their own sections and order, and a change to the
procedure summary (which comes from the ECT session, read-only in the
report) shows up in both forms at once.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from ect_reporting import reference, vocab
from ect_reporting.exports.pdf.base import NHS_DARK_BLUE, NHS_PALE_GREY, NOT_RECORDED, BaseLayout
from ect_reporting.record_types import ClinicalCheck, CodedTerm, Patient, Procedure, Record

#: Field rows: (label, display value).
Rows = list[tuple[str, str]]


class ReportLayout(BaseLayout):
    """``BaseLayout`` plus the title block and the sections shared by both kinds."""

    def destination_name(self, record: Record) -> str:
        """Return where the report goes, by name or (failing that) by scheme label."""
        destination = record["destination"]
        return self.text(destination.get("name") or vocab.label(vocab.DESTINATIONS, destination.get("scheme")))

    def title_block(self, record: Record) -> list[Flowable]:
        """Return the title, the destination, any nullification and the report details table.

        The case is named as the regulator knows it (case id, version and
        the regulator's reference under the regulator's own name), never
        by internal row ids.
        """
        reference_label = vocab.reference_label((record.get("destination") or {}).get("scheme"))
        return [
            self.para(self.title_text(record), "Title"),
            self.para(f"For submission to: {self.destination_name(record)}", "Subtitle"),
            *self.nullification_notice(record),
            *self.subheading("Report details"),
            *self.fields(
                [
                    ("Case ID", self.text(record.get("case_id"))),
                    ("Case version", self.text(record.get("case_version"))),
                    ("Reference", self.text(record.get("reference"))),
                    ("Report type", self.label(vocab.REPORT_TYPES, record.get("report_type"))),
                    ("Status", self.label(vocab.REPORT_STATES, record.get("state"))),
                    (reference_label, self.text(record.get("regulator_reference"))),
                    ("Date aware", self.date_text(record.get("awareness_date"))),
                    ("Report due by", self.date_text(record.get("due_date"))),
                    ("Created", self.datetime_text(record.get("created_at"))),
                    ("Last updated", self.datetime_text(record.get("updated_at"))),
                ],
                columns=2,
            ),
        ]

    def title_text(self, record: Record) -> str:
        """The document title: the kind of report (a layout may qualify it, e.g. "Near miss")."""
        return self.label(vocab.REPORT_KINDS, record.get("kind"))

    def nullification_notice(self, record: Record) -> list[Flowable]:
        """A nullified case says so in red at the top, with when and why (nothing otherwise)."""
        nullification = record.get("nullification") or {}
        if not nullification.get("nullified"):
            return []
        return [
            self.para("NULLIFIED: this case is void and must not be used", "Alert"),
            *self.fields(
                [
                    ("Nullified", self.datetime_text(nullification.get("date"))),
                    ("Reason", self.text(nullification.get("reason"))),
                ]
            ),
        ]

    def patient_section(self, record: Record) -> list[Flowable]:
        """Minimum patient data, then (medicine reports only) the Yellow Card's patient questions.

        Device records hold the medicine-only keys as ``None``; they are
        not asked on a device form, so they are not printed there.
        """
        patient = record["patient"]
        rows = [
            ("Initials", self.text(patient.get("initials"))),
            ("Sex", self.label(vocab.SEXES, patient.get("sex"))),
            ("Age", self.quantity(patient.get("age"), "years")),
            ("Weight", self.quantity(patient.get("weight_kg"), "kg")),
            ("Height", self.quantity(patient.get("height_cm"), "cm")),
            ("Local reference", self.text(patient.get("local_reference"))),
        ]
        if record.get("kind") != "medicine":
            return self.fields(rows, columns=2)
        rows += [
            ("Ethnicity", self.label(vocab.ETHNICITIES, patient.get("ethnicity"))),
            ("Pregnancy", self.pregnancy_text(patient)),
        ]
        return [
            *self.fields(rows, columns=2),
            *self.free_text_blocks(
                [
                    ("Relevant medical history", patient.get("medical_history")),
                    ("Relevant test results", patient.get("test_results")),
                    ("Allergies", patient.get("allergies")),
                ]
            ),
        ]

    def pregnancy_text(self, patient: Patient) -> str:
        """Return "Pregnant (24 weeks)"; the weeks only when recorded."""
        text = self.label(vocab.PREGNANCY, patient.get("pregnancy"))
        weeks = patient.get("gestation_weeks")
        if patient.get("pregnancy") and isinstance(weeks, int) and not isinstance(weeks, bool):
            text = f"{text} ({self.quantity(weeks, 'week' if weeks == 1 else 'weeks')})"
        return text

    def free_text_blocks(self, items: list[tuple[str, object]]) -> list[Flowable]:
        """Return a label over splittable paragraphs for each free-text value (any length)."""
        flowables: list[Flowable] = []
        for label, value in items:
            flowables += self.block_label(label)
            flowables += self.long_text(self.text(value))
        return flowables

    def reporter_section(self, record: Record) -> list[Flowable]:
        """Who reports: the regulator's contact for questions."""
        reporter = record["reporter"]
        return self.fields(
            [
                ("Name", self.text(reporter.get("name"))),
                ("Profession", self.text(reporter.get("profession"))),
                ("Qualification", self.label(vocab.QUALIFICATIONS, reporter.get("qualification"))),
                ("Email", self.text(reporter.get("email"))),
                ("Telephone", self.text(reporter.get("phone"))),
                ("Organisation", self.text(reporter.get("organisation"))),
                ("Address", self.text(reporter.get("address"))),
            ],
            columns=2,
        )

    def clinical_checks_section(self, record: Record) -> list[Flowable]:
        """The ECT session's non-blocking clinical warnings when the report was created, in a box.

        They are kept with the report (``clinical_warnings``), so the box
        shows what the checks said then, even if the session changed
        since. An empty list is said in words: no box reads as "not
        checked".
        """
        warnings: list[ClinicalCheck] = record.get("clinical_warnings") or []
        if not warnings:
            lines = ["No clinical warnings were raised for this ECT session."]
        else:
            lines = ["When this report was created, the ECT session's checks raised:"]
            lines += [f"\u2022 {self.text(warning.get('message'))}" for warning in warnings]
        if not all(self.fits_in_cell(line) for line in lines):
            return [paragraph for line in lines for paragraph in self.long_text(line)]
        table = Table([[self.para(line)] for line in lines], colWidths=[self.frame_width], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *self.base_table_style,
                    ("BOX", (0, 0), (-1, -1), 1.2, NHS_DARK_BLUE),
                    ("BACKGROUND", (0, 0), (-1, -1), NHS_PALE_GREY),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
                    ("TOPPADDING", (0, 0), (-1, 0), 2.5 * mm),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 2.5 * mm),
                ]
            )
        )
        return [table]

    def procedure_section(self, record: Record) -> list[Flowable]:
        """The ECT session summary: one two-column table, then the OPCS-4 codes.

        The rows come from two helpers (session and tumour; drug and
        timing) but go into one table, so the pairing of the two columns
        is the same as if they were listed together.
        """
        procedure = record["procedure"]
        if procedure.get("session_id") is None:
            site = self.text((record.get("site") or {}).get("name"))
            return [self.para(f"Not linked to an ECT session: reported from a blank form. Site: {site}.")]
        rows = self.session_rows(procedure) + self.drug_rows(procedure)
        codes = procedure.get("opcs_codes") or []
        code_lines = "\n".join(self.opcs_line(code) for code in codes) if codes else NOT_RECORDED
        opcs_rows = [(f"OPCS-4 codes ({self.text(procedure.get('opcs_release'))})", code_lines)]
        notes = procedure.get("opcs_notes") or []
        if notes:
            opcs_rows.append(("Coding notes", "\n".join(self.text(note) for note in notes)))
        return self.fields(rows, columns=2) + self.fields(opcs_rows)

    def opcs_line(self, term: CodedTerm) -> str:
        """Return "code - title (status)": a reader must see which titles are not confirmed.

        The status comes from the shipped OPCS-4 list; a code it does not
        list prints without one.
        """
        code = self.text(term.get("code"))
        entry = reference.opcs_code(code)
        status = f" ({entry.status_label})" if entry else ""
        return f"{code} - {self.text(term.get('display'))}{status}"

    def session_rows(self, procedure: Procedure) -> Rows:
        """Where, by whom, and what was treated."""
        return [
            ("ECT session", self.text(procedure.get("session_id"))),
            ("Procedure date", self.date_text(procedure.get("procedure_date"))),
            ("Site", self.text(procedure.get("site_name"))),
            ("Nation", self.label(vocab.NATIONS, procedure.get("nation"))),
            ("Care setting", self.label(vocab.CARE_SETTINGS, procedure.get("care_setting"))),
            ("Operator", self.text(procedure.get("operator"))),
            ("Tumour histology", self.label(vocab.HISTOLOGIES, procedure.get("histology"))),
            ("Lesions treated", self.text(procedure.get("lesion_count"))),
            ("Largest lesion", self.quantity(procedure.get("largest_lesion_mm"), "mm")),
            ("Lesion location", self.text(procedure.get("lesion_location"))),
            ("Lesion site", self.label(vocab.LESION_SITES, procedure.get("lesion_site"))),
            ("Laterality", self.label(vocab.LATERALITIES, procedure.get("laterality"))),
            ("Previously irradiated", self.text(procedure.get("previous_irradiation"))),
            ("Anaesthesia", self.label(vocab.ANAESTHESIA, procedure.get("anaesthesia"))),
        ]

    def drug_rows(self, procedure: Procedure) -> Rows:
        """The drug, its dose (total and per m\u00b2) and the drug-to-pulse timing."""
        unit = procedure.get("dose_unit")
        per_m2_unit = f"{unit}/m\u00b2" if unit else "per m\u00b2"
        return [
            ("Drug", self.label(vocab.DRUGS, procedure.get("drug"))),
            ("Route", self.label(vocab.ROUTES, procedure.get("route"))),
            ("Total dose", self.quantity(procedure.get("dose"), unit)),
            ("Body surface area", self.quantity(procedure.get("body_surface_area_m2"), "m\u00b2")),
            ("Dose per m\u00b2", self.quantity(procedure.get("dose_per_m2"), per_m2_unit)),
            ("Drug given at", self.text(procedure.get("drug_administered_at"))),
            ("First pulse at", self.text(procedure.get("first_pulse_at"))),
            ("Drug to first pulse", self.quantity(procedure.get("minutes_drug_to_pulse"), "minutes")),
            ("Pulses delivered", self.text(procedure.get("pulses_delivered"))),
        ]
