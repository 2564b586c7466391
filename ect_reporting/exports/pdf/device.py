"""The printable adverse incident report for a medical device.

Sections follow the MHRA / IRIC / NIAIC device forms: which device, what
happened, IMDRF codes, consequences for the patient, where the device is
now and where the report goes; reporter and the ECT procedure follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from reportlab.platypus import Flowable

from ect_reporting import vocab
from ect_reporting.exports.pdf.shared import ReportLayout
from ect_reporting.record_types import CodedTerm, Device, Incident, Record
from ect_reporting.reference import code_and_term

#: What a missing device or incident section prints as: every field "Not recorded".
NO_DEVICE: Device = {
    "suspect_component": None,
    "generator": {"manufacturer": None, "model": None, "serial_number": None, "software_version": None},
    "electrode": {"type": None, "model": None, "lot_number": None, "udi": None},
}
NO_INCIDENT: Incident = {
    "no_patient_involved": False,
    "description": None,
    "date": None,
    "classification": None,
    "device_problem_codes": [],
    "health_effect_codes": [],
    "patient_consequence": None,
    "device_location": None,
    "available_for_investigation": None,
}

CODE_HEADER = ("Code - term", "Code system")
CODE_WIDTHS = (78, 22)


class DeviceLayout(ReportLayout):
    """A4 device incident layout for ``kind == "device"`` records."""

    sections: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Device identification", "device_identification_section"),
        ("What happened", "what_happened_section"),
        ("IMDRF codes", "imdrf_section"),
        ("Patient consequences", "patient_consequences_section"),
        ("Device availability", "device_availability_section"),
        ("Destination", "destination_section"),
        ("Reporter", "reporter_section"),
        ("ECT procedure summary", "procedure_section"),
        ("Clinical checks", "clinical_checks_section"),
    )

    def title_text(self, record: Record) -> str:
        """A near miss says so first: no patient was involved."""
        title = super().title_text(record)
        return f"Near miss - {title}" if self.incident(record).get("no_patient_involved") else title

    @staticmethod
    def incident(record: Record) -> Incident:
        """Return the incident, or an all-blank one so every field prints."""
        return record.get("incident") or NO_INCIDENT

    def device_identification_section(self, record: Record) -> list[Flowable]:
        """Which devices, in FDA 3500A block D order: maker, model, serial, lot, expiry, UDI, then use.

        The UDI is printed whole and split into its device and production
        identifiers with the issuing agency, as regulators ask for them.
        """
        device = record.get("device") or NO_DEVICE
        generator = device["generator"]
        electrode = device["electrode"]
        return [
            *self.fields(
                [("Suspect component", self.label(vocab.SUSPECT_COMPONENTS, device.get("suspect_component")))]
            ),
            *self.subheading("Pulse generator"),
            *self.fields(
                [
                    ("Manufacturer", self.text(generator.get("manufacturer"))),
                    ("Model", self.text(generator.get("model"))),
                    ("Serial number", self.text(generator.get("serial_number"))),
                    ("Software version", self.text(generator.get("software_version"))),
                    *self.udi_rows(generator),
                ],
                columns=2,
            ),
            *self.subheading("Electrode"),
            *self.fields(
                [
                    ("Type", self.label(vocab.ELECTRODE_TYPES, electrode.get("type"))),
                    ("Manufacturer", self.text(electrode.get("manufacturer"))),
                    ("Model / catalogue number", self.text(electrode.get("model"))),
                    ("Serial number", self.text(electrode.get("serial_number"))),
                    ("Lot / batch number", self.text(electrode.get("lot_number"))),
                    ("Expiry date", self.date_text(electrode.get("expiry_date"))),
                    *self.udi_rows(electrode),
                ],
                columns=2,
            ),
            *self.subheading("Use and conformity"),
            *self.fields(
                [
                    ("Conformity mark", self.label(vocab.CONFORMITY_MARKS, device.get("conformity_mark"))),
                    ("Operator of the device", self.label(vocab.DEVICE_OPERATORS, device.get("operator"))),
                    ("Single-use device reused", self.text(device.get("single_use_reused"))),
                    ("Number of devices involved", self.text(device.get("devices_involved"))),
                    ("Manufacturer informed", self.text(device.get("manufacturer_informed"))),
                    ("Date manufacturer informed", self.date_text(device.get("manufacturer_informed_date"))),
                ],
                columns=2,
            ),
        ]

    def udi_rows(self, unit: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The UDI as recorded, then its DI, PI and issuer (derived in the record)."""
        return [
            ("UDI", self.text(unit.get("udi"))),
            ("UDI issuer", self.label(vocab.UDI_ISSUERS, unit.get("udi_issuer"))),
            ("UDI-DI (device identifier)", self.text(unit.get("udi_di"))),
            ("UDI-PI (production identifier)", self.text(unit.get("udi_pi"))),
        ]

    def what_happened_section(self, record: Record) -> list[Flowable]:
        """The description (free text, may run over pages), date and classification."""
        incident = self.incident(record)
        return [
            *self.block_label("Description"),
            *self.long_text(self.text(incident.get("description"))),
            *self.fields(
                [
                    ("Incident date", self.date_text(incident.get("date"))),
                    (
                        "Classification",
                        self.label(vocab.INCIDENT_CLASSIFICATIONS, incident.get("classification")),
                    ),
                ]
            ),
        ]

    def imdrf_section(self, record: Record) -> list[Flowable]:
        """Device problem and health effect codes, one table each, with the release they come from."""
        incident = self.incident(record)
        versions = record.get("code_versions") or {}
        return [
            *self.fields([("IMDRF release", self.text(versions.get("imdrf")))]),
            *self.subheading("Device problem (annex A)"),
            *self.code_table(incident.get("device_problem_codes") or []),
            *self.subheading("Health effects (annexes E and F)"),
            *self.code_table(incident.get("health_effect_codes") or []),
        ]

    def code_table(self, terms: list[CodedTerm]) -> list[Flowable]:
        """Return a "code - term" / system grid ("Not recorded" when empty)."""
        rows = [
            [self.text(code_and_term(term.get("code") or "", term.get("display"))), self.text(term.get("system"))]
            for term in terms
        ]
        return self.grid(CODE_HEADER, rows, CODE_WIDTHS, "Code")

    def patient_consequences_section(self, record: Record) -> list[Flowable]:
        """What it meant for the patient, then the patient's details."""
        incident = self.incident(record)
        if incident.get("no_patient_involved"):
            return [self.para("Near miss: no patient was involved. It was found before any patient was treated.")]
        return [
            *self.long_text(self.text(incident.get("patient_consequence"))),
            *self.subheading("Patient"),
            *self.patient_section(record),
        ]

    def device_availability_section(self, record: Record) -> list[Flowable]:
        """Where the device is, so the investigator knows whether to ask for it."""
        incident = self.incident(record)
        return self.fields(
            [
                (
                    "Where the device is now",
                    self.label(vocab.DEVICE_LOCATIONS, incident.get("device_location")),
                ),
                ("Available for investigation", self.text(incident.get("available_for_investigation"))),
            ]
        )

    def destination_section(self, record: Record) -> list[Flowable]:
        """The centre the report goes to (MHRA, IRIC or NIAIC) and the site's nation."""
        destination = record["destination"]
        return self.fields(
            [
                ("Report to", self.destination_name(record)),
                ("Site nation", self.label(vocab.NATIONS, destination.get("nation"))),
            ]
        )
