"""Reports raised from a session: medicine (Yellow Card ADR) or device incident.

One table holds both kinds: they share patient, reporter, workflow and
clock columns, and kind-specific columns are simply empty for the other
kind. That keeps the review queue a single indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ect_reporting.extensions import db
from ect_reporting.models._common import PatientMinimumData, utcnow

if TYPE_CHECKING:
    from ect_reporting.models.session import EctSession
    from ect_reporting.models.user import User

SERIOUSNESS_COLUMNS = {
    "death": "criterion_death",
    "hospitalisation": "criterion_hospitalisation",
    "life_threatening": "criterion_life_threatening",
    "disability": "criterion_disability",
    "congenital_anomaly": "criterion_congenital_anomaly",
    "medically_significant": "criterion_medically_significant",
}


def reference_for(report_id: int) -> str:
    """Return the human reference of the report with this id (bulk exports have ids, not reports)."""
    return f"ECT-{report_id:06d}"


class Report(PatientMinimumData, db.Model):
    """A medicine or device report, pre-filled from its ECT session.

    Its patient minimum data is a copy of the session's, editable here.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a report started from a blank form (vocab.SESSIONLESS_KINDS, or a
    # medicine report with the patient minimum data typed in).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("ect_sessions.id"), index=True)
    # The site whose reviewers see the report: its session's, or its author's for a report
    # started from a blank form. Stored, not derived, so moving a user moves none of their reports.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    # Where the report comes from: copied from the session, typed on a blank form.
    site_name: Mapped[str | None] = mapped_column(String(160))
    nation: Mapped[str | None] = mapped_column(String(20))
    # A medicine report started from a defective-medicine report (reaction followed).
    source_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # vocab.REPORT_KINDS
    state: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    report_type: Mapped[str] = mapped_column(String(16), default="initial")
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # True for the newest version of its case that was not withdrawn (the
    # version the dashboard's case figures count). Stored rather than
    # recomputed per query; kept right by ``models.case_heads`` at each flush.
    is_current: Mapped[bool] = mapped_column(default=True, server_default=true())
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    awareness_date: Mapped[date | None]
    due_date: Mapped[date | None]  # indexed with the queue's other sort columns (__table_args__)

    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_profession: Mapped[str | None] = mapped_column(String(80))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    reporter_organisation: Mapped[str | None] = mapped_column(String(160))
    reporter_address: Mapped[str | None] = mapped_column(String(400))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    reporter_qualification: Mapped[str | None] = mapped_column(String(32))

    # Patient details the Yellow Card asks beyond the minimum data.
    patient_ethnicity: Mapped[str | None] = mapped_column(String(32))
    pregnancy: Mapped[str | None] = mapped_column(String(16))
    gestation_weeks: Mapped[int | None]
    medical_history: Mapped[str | None] = mapped_column(Text)
    test_results: Mapped[str | None] = mapped_column(Text)
    allergies: Mapped[str | None] = mapped_column(Text)

    # Case identity: one case id across initial, follow-up and final versions.
    case_id: Mapped[str | None] = mapped_column(String(40), index=True)
    case_version: Mapped[int] = mapped_column(default=1)
    regulator_case_reference: Mapped[str | None] = mapped_column(String(60))
    nullified_at: Mapped[datetime | None]
    nullification_reason: Mapped[str | None] = mapped_column(Text)

    # Code list versions in force when the report was coded, and the
    # session's clinical warnings when the report was created.
    meddra_version: Mapped[str | None] = mapped_column(String(20))
    imdrf_release: Mapped[str | None] = mapped_column(String(20))
    clinical_warnings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    # Medicine: the suspect drug (ECT gives one drug per session).
    drug: Mapped[str | None] = mapped_column(String(20), index=True)
    drug_product: Mapped[str | None] = mapped_column(String(120))
    drug_batch: Mapped[str | None] = mapped_column(String(35))
    drug_route: Mapped[str | None] = mapped_column(String(20))
    drug_dose: Mapped[float | None]
    drug_dose_unit: Mapped[str | None] = mapped_column(String(8))
    drug_date_started: Mapped[date | None]
    drug_date_stopped: Mapped[date | None]
    drug_indication: Mapped[str | None] = mapped_column(String(200))
    black_triangle: Mapped[bool] = mapped_column(default=False)
    action_taken: Mapped[str | None] = mapped_column(String(24))
    rechallenge: Mapped[str | None] = mapped_column(String(20))
    serious: Mapped[bool | None] = mapped_column(index=True)
    criterion_death: Mapped[bool] = mapped_column(default=False)
    criterion_hospitalisation: Mapped[bool] = mapped_column(default=False)
    criterion_life_threatening: Mapped[bool] = mapped_column(default=False)
    criterion_disability: Mapped[bool] = mapped_column(default=False)
    criterion_congenital_anomaly: Mapped[bool] = mapped_column(default=False)
    criterion_medically_significant: Mapped[bool] = mapped_column(default=False)
    medically_significant_details: Mapped[str | None] = mapped_column(Text)
    other_medicines: Mapped[str | None] = mapped_column(Text)
    additional_information: Mapped[str | None] = mapped_column(Text)
    causality: Mapped[str | None] = mapped_column(String(20))

    # Device incident.
    suspect_component: Mapped[str | None] = mapped_column(String(20))
    generator_manufacturer: Mapped[str | None] = mapped_column(String(120))
    generator_model: Mapped[str | None] = mapped_column(String(120), index=True)
    generator_serial: Mapped[str | None] = mapped_column(String(80))
    generator_software: Mapped[str | None] = mapped_column(String(40))
    electrode_type: Mapped[str | None] = mapped_column(String(40))
    electrode_model: Mapped[str | None] = mapped_column(String(120), index=True)
    electrode_lot: Mapped[str | None] = mapped_column(String(40))
    electrode_udi: Mapped[str | None] = mapped_column(String(120))
    electrode_manufacturer: Mapped[str | None] = mapped_column(String(120))
    electrode_serial: Mapped[str | None] = mapped_column(String(80))
    electrode_expiry: Mapped[date | None]
    generator_udi: Mapped[str | None] = mapped_column(String(120))
    single_use_reused: Mapped[bool | None]
    conformity_mark: Mapped[str | None] = mapped_column(String(16))
    manufacturer_informed: Mapped[bool | None]
    manufacturer_informed_date: Mapped[date | None]
    devices_involved: Mapped[int | None]
    device_operator: Mapped[str | None] = mapped_column(String(24))
    incident_description: Mapped[str | None] = mapped_column(Text)
    incident_date: Mapped[date | None]
    incident_classification: Mapped[str | None] = mapped_column(String(40))
    device_problem_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    health_effect_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    patient_consequence: Mapped[str | None] = mapped_column(Text)
    device_location: Mapped[str | None] = mapped_column(String(32))
    available_for_investigation: Mapped[bool | None]
    # Device near miss: nobody was treated, so no patient data (IMDRF F27).
    no_patient_involved: Mapped[bool] = mapped_column(default=False)

    # Defective medicine (the product and batch; drug, drug_product, drug_batch and incident_date shared).
    product_strength: Mapped[str | None] = mapped_column(String(60))
    product_form: Mapped[str | None] = mapped_column(String(60))
    product_expiry: Mapped[date | None]
    product_manufacturer: Mapped[str | None] = mapped_column(String(160))
    defect_category: Mapped[str | None] = mapped_column(String(32), index=True)
    defect_description: Mapped[str | None] = mapped_column(Text)
    used_on_patient: Mapped[bool | None]
    reaction_followed: Mapped[bool | None]
    quantity_affected: Mapped[int | None]
    stock_location: Mapped[str | None] = mapped_column(String(32))
    pharmacy_informed: Mapped[bool | None]
    supplier_informed: Mapped[bool | None]

    # Governance.
    submitted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    mhra_reference: Mapped[str | None] = mapped_column(String(60))
    mhra_sent_date: Mapped[date | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    # The regulator's latest E2B(R3) acknowledgement of this version (ACK file).
    ack_code: Mapped[str | None] = mapped_column(String(2))  # ACK.B.r.6: CA or CR
    ack_batch_code: Mapped[str | None] = mapped_column(String(2))  # ACK.A.4: AA, AE or AR
    ack_date: Mapped[date | None]  # ACK.M.4
    ack_batch_number: Mapped[str | None] = mapped_column(String(100))  # ACK.M.1
    ack_local_report_number: Mapped[str | None] = mapped_column(String(100))  # ACK.B.r.2
    ack_sender: Mapped[str | None] = mapped_column(String(100))  # ACK.B.r.4 (or M.2): the regulator
    ack_receiver: Mapped[str | None] = mapped_column(String(100))  # ACK.B.r.3 (or M.3): us
    ack_messages: Mapped[list[str] | None] = mapped_column(JSON)  # ACK.B.r.7
    ack_recorded_at: Mapped[datetime | None]
    # The day the regulator's acknowledgement arrived (was recorded here),
    # whether from an E2B(R3) file or by hand; kept when a later answer
    # replaces the ack_* columns, so the sent -> acknowledged interval stays known.
    acknowledged_on: Mapped[date | None]

    session: Mapped[EctSession | None] = relationship(back_populates="reports")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    reactions: Mapped[list[Reaction]] = relationship(
        back_populates="report", order_by="Reaction.position", cascade="all, delete-orphan"
    )
    other_drugs: Mapped[list[OtherDrug]] = relationship(
        back_populates="report", order_by="OtherDrug.position", cascade="all, delete-orphan"
    )
    comments: Mapped[list[ReportComment]] = relationship(
        back_populates="report", order_by="ReportComment.id", cascade="all, delete-orphan"
    )
    follow_up_of: Mapped[Report | None] = relationship(remote_side=[id], foreign_keys=[follow_up_of_id])
    source_report: Mapped[Report | None] = relationship(
        remote_side=[id], foreign_keys=[source_report_id], back_populates="started_reports"
    )
    started_reports: Mapped[list[Report]] = relationship(
        foreign_keys=[source_report_id], back_populates="source_report"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
    # The indexes the review queue and dashboard plans use (migration 0010).
    # The two sort indexes also hold the columns the common filters test, so
    # "open", "overdue", a kind or seriousness filter read the index alone
    # while walking it in queue order; the others cover one dashboard count each.
    __table_args__ = (
        Index("ix_reports_state_due_date_id", "state", "due_date", "id"),
        Index("ix_reports_state_created_at_id", "state", "created_at", "id"),
        Index("ix_reports_due_sort", "due_date", "id", "state", "kind", "serious", "incident_classification"),
        Index("ix_reports_created_sort", "created_at", "id", "state", "kind", "report_type"),
        Index("ix_reports_state_kind_due_date", "state", "kind", "due_date"),
        Index("ix_reports_current_products", "is_current", "kind", "drug", "generator_model", "electrode_model"),
        Index("ix_reports_sent_date_figures", "mhra_sent_date", "kind", "due_date", "awareness_date"),
        # A governance lead's queries are limited to their site (migration 0009): the queue's
        # per-state walks and the header's "Needs action" count, without a look-up per row.
        Index("ix_reports_site_id_state_due_date", "site_id", "state", "due_date", "id"),
        Index("ix_reports_site_id_state_mhra_sent_date", "site_id", "state", "mhra_sent_date"),
    )

    @property
    def reference(self) -> str:
        """Return the human reference shown on pages and exports."""
        return reference_for(self.id)

    @property
    def seriousness_criteria(self) -> dict[str, bool]:
        """Return the six Yellow Card criteria as a name -> ticked mapping."""
        return {name: bool(getattr(self, column)) for name, column in SERIOUSNESS_COLUMNS.items()}


class Reaction(db.Model):
    """One suspected reaction on a medicine report."""

    __tablename__ = "reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    verbatim: Mapped[str | None] = mapped_column(Text)
    meddra_code: Mapped[str | None] = mapped_column(String(12), index=True)
    ctcae_grade: Mapped[int | None]
    onset_date: Mapped[date | None]
    end_date: Mapped[date | None]
    treatment: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    # E2B E.i.3.2: seriousness is stated per reaction as well as for the report.
    serious: Mapped[bool | None]
    seriousness_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)

    report: Mapped[Report] = relationship(back_populates="reactions")

    # Covering index for the dashboard's "reports per reaction" count (migration 0010).
    __table_args__ = (Index("ix_reactions_report_id_meddra_code", "report_id", "meddra_code"),)


class OtherDrug(db.Model):
    """Another medicine on a medicine report: a second suspect, or one taken at the same time.

    E2B G.k: the report's own suspect drug (from the ECT session) is
    G.k 1; these rows follow with their characterisation (suspect,
    concomitant or interacting).
    """

    __tablename__ = "other_drugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    characterisation: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(120))
    batch: Mapped[str | None] = mapped_column(String(35))
    dose: Mapped[float | None]
    dose_unit: Mapped[str | None] = mapped_column(String(16))
    route: Mapped[str | None] = mapped_column(String(20))
    date_started: Mapped[date | None]
    date_stopped: Mapped[date | None]
    indication: Mapped[str | None] = mapped_column(String(200))

    report: Mapped[Report] = relationship(back_populates="other_drugs")


class ReportComment(db.Model):
    """A reviewer's or clinician's comment, kept with the report."""

    __tablename__ = "report_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
