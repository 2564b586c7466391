"""The printable Yellow Card: a suspected adverse drug reaction.

Sections run in Yellow Card order (patient, suspect drug, reactions,
seriousness, other medicines, additional information, causality,
reporter) so a person copying the PDF into the MHRA form reads it top to
bottom; the ECT procedure summary follows as context.
"""

from __future__ import annotations

from typing import ClassVar

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from ect_reporting import vocab
from ect_reporting.exports.pdf.base import NOT_RECORDED
from ect_reporting.exports.pdf.shared import ReportLayout
from ect_reporting.record_types import OtherDrug, Reaction, Record, Seriousness, SuspectDrug

BOX_TICKED = "\u2612"  # BALLOT BOX WITH X, present in DejaVu Sans
BOX_EMPTY = "\u2610"  # BALLOT BOX
BLACK_TRIANGLE = "\u25bc"

#: What an unrecorded seriousness prints as: nothing ticked, nothing said.
NO_SERIOUSNESS: Seriousness = {"serious": None, "criteria": {}, "medically_significant_details": None}

SUSPECT_DRUG_HEADER = (
    "Drug / product",
    "Batch",
    "Route",
    "Dose",
    "Started",
    "Stopped",
    "Prescribed for",
    "Action taken",
)
SUSPECT_DRUG_WIDTHS = (34, 16, 19, 17, 17, 17, 33, 21)

OTHER_DRUG_HEADER = (
    "Medicine",
    "Role",
    "Batch",
    "Route",
    "Dose",
    "Started",
    "Stopped",
    "Taken for",
)
OTHER_DRUG_WIDTHS = (28, 26, 15, 19, 16, 17, 17, 36)


class MedicineLayout(ReportLayout):
    """A4 Yellow Card layout for ``kind == "medicine"`` records."""

    sections: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Patient", "patient_section"),
        ("Suspect drug(s)", "suspect_drug_section"),
        ("Suspected reaction(s)", "reactions_section"),
        ("Seriousness", "seriousness_section"),
        ("Other medicines in the last 3 months", "other_medicines_section"),
        ("Additional information", "additional_information_section"),
        ("Causality", "causality_section"),
        ("Reporter", "reporter_section"),
        ("ECT procedure summary", "procedure_section"),
        ("Clinical checks", "clinical_checks_section"),
    )
    #: The seriousness heading moves with its tick-box block.
    section_min_space: ClassVar[dict[str, float]] = {"seriousness_section": 75 * mm}

    # --- suspect drug -----------------------------------------------------------

    def suspect_drug_section(self, record: Record) -> list[Flowable]:
        """The suspect drug as a one-row Yellow Card table, flagged if black triangle."""
        drug = record.get("suspect_drug")
        rows = [self.suspect_drug_row(drug)] if drug else []
        flowables = self.grid(SUSPECT_DRUG_HEADER, rows, SUSPECT_DRUG_WIDTHS, "Suspect drug")
        if drug:
            # The table keeps the Yellow Card's fixed columns; rechallenge goes on a line below it.
            flowables.append(Spacer(0, 1.5 * mm))
            flowables += self.fields([("Rechallenge", self.label(vocab.RECHALLENGE, drug.get("rechallenge")))])
        if drug and drug.get("black_triangle") is True:
            flowables.append(Spacer(0, 1.5 * mm))
            flowables.append(
                self.para(f"{BLACK_TRIANGLE} Black triangle product: subject to additional monitoring.", "Note")
            )
        return flowables

    def suspect_drug_row(self, drug: SuspectDrug) -> list[str]:
        """Return the table cells: product over generic name, then the details."""
        return [
            self.drug_names(drug),
            self.text(drug.get("batch")),
            self.label(vocab.ROUTES, drug.get("route")),
            self.quantity(drug.get("dose"), drug.get("dose_unit")),
            self.date_text(drug.get("date_started")),
            self.date_text(drug.get("date_stopped")),
            self.text(drug.get("indication")),
            self.label(vocab.ACTIONS_TAKEN, drug.get("action_taken")),
        ]

    def drug_names(self, drug: SuspectDrug) -> str:
        """Return "product\\ngeneric name", marked with the black triangle when flagged.

        The generic name is left out when the product name already says it
        ("Bleomycin 15,000 IU powder for solution" needs no "Bleomycin" under it).
        """
        names: list[str] = []
        for value in (drug.get("product"), vocab.label(vocab.DRUGS, drug.get("name"))):
            if isinstance(value, str) and value.strip() and not any(value.lower() in n.lower() for n in names):
                names.append(value)
        product = "\n".join(names) if names else NOT_RECORDED
        if drug.get("black_triangle") is True:
            product = f"{BLACK_TRIANGLE} {product}"
        return product

    # --- reactions --------------------------------------------------------------

    def reactions_section(self, record: Record) -> list[Flowable]:
        """One titled block per reaction ("Reaction 1 of 2")."""
        reactions = record.get("reactions") or []
        if not reactions:
            return [self.para(NOT_RECORDED)]
        versions = record.get("code_versions") or {}
        flowables: list[Flowable] = self.fields(
            [("Coded with", f"CTCAE {self.text(versions.get('ctcae'))}; MedDRA {self.text(versions.get('meddra'))}")]
        )
        for index, reaction in enumerate(reactions, start=1):
            flowables += self.reaction_block(reaction, index, len(reactions))
        return flowables

    def reaction_block(self, reaction: Reaction, index: int, total: int) -> list[Flowable]:
        """The reporter's words and MedDRA term first, then grade, outcome, dates, treatment."""
        grade = reaction.get("ctcae_grade")
        return [
            *self.subheading(f"Reaction {index} of {total}"),
            *self.fields(
                [
                    ("Reporter's own words", self.text(reaction.get("verbatim"))),
                    ("Coded term (MedDRA)", self.coded(reaction.get("meddra_code"))),
                ]
            ),
            *self.fields(
                [
                    ("CTCAE v5 grade", self.label(vocab.CTCAE_GRADES, None if grade is None else str(grade))),
                    ("Outcome", self.label(vocab.OUTCOMES, reaction.get("outcome"))),
                    ("Date started", self.date_text(reaction.get("onset_date"))),
                    ("Date stopped", self.date_text(reaction.get("end_date"))),
                    ("Time to onset", self.onset_text(reaction.get("time_to_onset_days"))),
                    ("Serious", self.text(reaction.get("serious"))),
                ],
                columns=2,
            ),
            *self.fields(
                [
                    ("Why serious", self.reaction_criteria_text(reaction)),
                    ("Treatment given", self.text(reaction.get("treatment"))),
                ]
            ),
        ]

    def onset_text(self, days: object) -> str:
        """Return the time from the suspect drug's start to the reaction's onset, in days."""
        if not isinstance(days, int) or isinstance(days, bool):
            return self.text(days)
        if days == 0:
            return "0 days (same day as the drug)"
        amount = self.number(abs(days), "day" if abs(days) == 1 else "days")
        return f"{amount} after the drug started" if days > 0 else f"{amount} before the drug started"

    def reaction_criteria_text(self, reaction: Reaction) -> str:
        """Return the ticked seriousness criteria of one reaction, in Yellow Card order."""
        criteria = reaction.get("seriousness_criteria") or {}
        ticked = [label for key, label in vocab.SERIOUSNESS_CRITERIA.items() if criteria.get(key) is True]
        if ticked:
            return "; ".join(ticked)
        return "Not applicable: not serious" if reaction.get("serious") is False else NOT_RECORDED

    # --- seriousness ------------------------------------------------------------

    def seriousness_section(self, record: Record) -> list[Flowable]:
        """Serious yes/no and the Yellow Card tick boxes, kept together on one page."""
        seriousness = record.get("seriousness") or NO_SERIOUSNESS
        # Fixed labels and Yes/No only, so the block is short enough to keep together.
        return [
            KeepTogether(
                [
                    *self.fields([("Serious", self.text(seriousness.get("serious")))]),
                    Spacer(0, 2 * mm),
                    self.para("Reasons the reaction was serious:", "Label"),
                    Spacer(0, 1 * mm),
                    self.criteria_table(seriousness),
                ]
            ),
            Spacer(0, 2 * mm),
            *self.fields([("Why medically significant", self.text(seriousness.get("medically_significant_details")))]),
        ]

    def criteria_table(self, seriousness: Seriousness) -> Table:
        """One tick box per criterion, every criterion listed, in Yellow Card order."""
        criteria = seriousness.get("criteria") or {}
        rows = [
            [
                self.para(BOX_TICKED if criteria.get(key) is True else BOX_EMPTY, "Checkbox"),
                self.para(label),
            ]
            for key, label in vocab.SERIOUSNESS_CRITERIA.items()
        ]
        table = Table(rows, colWidths=[7 * mm, self.frame_width - 7 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *self.base_table_style,
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ]
            )
        )
        return table

    # --- free text and causality ------------------------------------------------

    def other_medicines_section(self, record: Record) -> list[Flowable]:
        """The listed medicines as a table, then the reporter's free text (which may run over pages).

        With nothing listed the free text stands alone, as on the paper
        Yellow Card; with medicines listed, free text is printed under its
        own label only when there is some.
        """
        drugs = record.get("other_drugs") or []
        free_text = record.get("other_medicines")
        if not drugs:
            return self.long_text(self.text(free_text))
        rows = [self.other_drug_row(drug) for drug in drugs]
        flowables = self.grid(OTHER_DRUG_HEADER, rows, OTHER_DRUG_WIDTHS, "Other medicine")
        if isinstance(free_text, str) and free_text.strip():
            flowables += self.block_label("Other medicines (free text)")
            flowables += self.long_text(free_text)
        return flowables

    def other_drug_row(self, drug: OtherDrug) -> list[str]:
        """Return the table cells of one other medicine."""
        unit = drug.get("dose_unit")
        return [
            self.text(drug.get("name")),
            self.label(vocab.DRUG_CHARACTERISATIONS, drug.get("characterisation")),
            self.text(drug.get("batch")),
            self.label(vocab.OTHER_DRUG_ROUTES, drug.get("route")),
            self.quantity(drug.get("dose"), vocab.label(vocab.OTHER_DOSE_UNITS, unit) if unit else None),
            self.date_text(drug.get("date_started")),
            self.date_text(drug.get("date_stopped")),
            self.text(drug.get("indication")),
        ]

    def additional_information_section(self, record: Record) -> list[Flowable]:
        """Free text that may run over pages."""
        return self.long_text(self.text(record.get("additional_information")))

    def causality_section(self, record: Record) -> list[Flowable]:
        """The reporter's WHO-UMC causality category."""
        return self.fields([("Causality (WHO-UMC)", self.label(vocab.CAUSALITY, record.get("causality")))])
