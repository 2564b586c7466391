"""Bulk demo data: ``flask seed-demo --reports N`` for measuring the app at scale.

Queue, dashboard, exports and API must be measured on a database the size
of a national deployment (issue 13: 100,000 reports), and building that
through the ORM one report at a time takes hours. This writes sessions,
reports (both kinds), reactions and the audit rows that the same history
would have produced, table by table with Core ``executemany`` and ids
allocated up front (``ect_reporting.bulk``).

The data is deterministic for a given ``seed`` and looks like real use:
procedure dates over five years, older reports mostly sent, acknowledged
or closed and recent ones mostly open, bleomycin and cisplatin, several
generators and electrodes, MedDRA-coded reactions with CTCAE grades, IMDRF
codes on device reports, and several hospitals. Where a ``sites`` table
exists (another change adds it) sessions and reports are spread over its
rows; without it the hospital is only the session's ``site_name``.

The audit rows are appended through ``audit.append_many``, in time order,
so ``flask audit verify`` checks the seeded chain like any other.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from ect_reporting import audit, bulk, clocks, users
from ect_reporting.demo import DEMO_PASSWORD, seed_demo
from ect_reporting.extensions import db
from ect_reporting.models import EctSession, Reaction, Report, User, case_heads
from ect_reporting.models.report import SERIOUSNESS_COLUMNS
from ect_reporting.reference import imdrf, meddra_ctcae
from ect_reporting.reports.coding import meddra_stamp
from ect_reporting.reports.services import case_id_for, prefill_values

YEARS = 5
RECENT_DAYS = 120  # younger reports are mostly still in the workflow
REPORTS_PER_SESSION = (1, 1, 1, 2)  # about 1.25 reports per session
SITE_NAMES = (
    "Demo General Hospital, Skin Cancer Unit",
    "St Elsewhere University Hospital, Dermatology",
    "Northern Regional Cancer Centre",
    "Western Infirmary, Plastic Surgery",
    "Valley District Hospital, Oncology Day Unit",
)
BULK_CLINICIANS = ("Dr Priya Shah", "Dr Tom Hughes", "Dr Ewan Fraser", "Dr Nia Roberts", "Dr Kate O'Neill")
BULK_REVIEWERS = ("Chris Lee", "Morgan Davies")
GENERATORS = (("IGEA", "Cliniporator VITAE", "3.1.4"), ("IGEA", "Cliniporator EPS02", "2.4.0"))
ELECTRODES = (
    ("linear_needle_array", "N-30-4B"),
    ("hexagonal_needle_array", "N-20-HG"),
    ("plate", "P-30-8B"),
    ("finger_needle", "F-40-1"),
)
# State -> the transitions that led there (each becomes an audit row).
STATE_PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted_for_review": ("submit",),
    "returned": ("submit", "return"),
    "approved": ("submit", "approve"),
    "sent_to_mhra": ("submit", "approve", "send"),
    "acknowledged": ("submit", "approve", "send", "acknowledge"),
    "closed": ("submit", "approve", "send", "acknowledge", "close"),
    "withdrawn": ("withdraw",),
    "nullified": ("submit", "approve", "send", "nullify"),
}
TARGET = {
    "submit": "submitted_for_review",
    "return": "returned",
    "approve": "approved",
    "send": "sent_to_mhra",
    "acknowledge": "acknowledged",
    "close": "closed",
    "withdraw": "withdrawn",
    "nullify": "nullified",
}
RECENT_WEIGHTS = {"draft": 30, "submitted_for_review": 20, "returned": 8, "approved": 10,
                  "sent_to_mhra": 15, "acknowledged": 12, "withdrawn": 5}
OLD_WEIGHTS = {"draft": 2, "submitted_for_review": 1, "returned": 1, "approved": 1, "sent_to_mhra": 8,
               "acknowledged": 45, "closed": 36, "withdrawn": 4, "nullified": 2}
AUTHOR_ACTIONS = frozenset({"submit", "withdraw"})


@dataclass
class BulkResult:
    """What was written, for the command's summary line."""

    sessions: int = 0
    reports: int = 0
    reactions: int = 0
    audit_rows: int = 0


@dataclass
class _People:
    clinicians: list[User]
    reviewers: list[User]
    sites: list[int] = field(default_factory=list)


@dataclass
class _Batch:
    """Rows built in memory before they are written, table by table."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def seed_bulk(
    db_session: Session,
    reports: int,
    *,
    seed: int = 13,
    today: date | None = None,
    organisation_code: str = "ECT",
    clock_rules: clocks.ClockRules = clocks.DEFAULT_RULES,
) -> BulkResult:
    """Add ``reports`` reports (and their sessions, reactions, audit rows); flush, never commit."""
    seed_demo(db_session)
    people = _people(db_session)
    rng = random.Random(seed)
    conn = db_session.connection()
    batch = _Batch()
    gen = _Generator(rng, today or date.today(), people, organisation_code, clock_rules)
    session_ids = bulk.allocate_ids(conn, _table(EctSession), reports)  # enough for any draw; extras unused
    report_ids = iter(bulk.allocate_ids(conn, _table(Report), reports))
    written = 0
    for session_id in session_ids:
        session = gen.session_row(session_id)
        batch.sessions.append(session)
        batch.events.append(_event(session["created_at"], session["created_by_id"], "create", "session", session_id))
        for _ in range(min(rng.choice(REPORTS_PER_SESSION), reports - written)):
            gen.add_report(batch, session, next(report_ids))
            written += 1
        if written >= reports:
            break
    return _write(db_session, conn, batch)


def _write(db_session: Session, conn: Connection, batch: _Batch) -> BulkResult:
    _normalise(batch.reports)
    result = BulkResult(
        sessions=bulk.insert_rows(conn, _table(EctSession), batch.sessions),
        reports=bulk.insert_rows(conn, _table(Report), batch.reports),
    )
    reaction_ids = bulk.allocate_ids(conn, _table(Reaction), len(batch.reactions))
    for reaction_id, row in zip(reaction_ids, batch.reactions, strict=True):
        row["id"] = reaction_id
    result.reactions = bulk.insert_rows(conn, _table(Reaction), batch.reactions)
    case_heads.refresh(conn)  # the stored current-version flag: withdrawn reports are not current
    batch.events.sort(key=lambda row: row["created_at"])
    result.audit_rows = audit.append_many(db_session, batch.events)
    return result


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _normalise(rows: list[dict[str, Any]]) -> None:
    """Give every row the same keys (executemany needs one column list); absent means NULL."""
    keys: set[str] = set()
    for row in rows:
        keys.update(row)
    for row in rows:
        for key in keys - row.keys():
            row[key] = None


def _event(at: datetime, actor_id: int | None, action: str, object_type: str, object_id: int,
           details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"created_at": at, "actor_id": actor_id, "action": action, "object_type": object_type,
            "object_id": object_id, "details": details or {}}


def _people(db_session: Session) -> _People:
    """The demo accounts plus a few more clinicians and reviewers, so filters by person have choices."""
    password_hash = users.hash_password(DEMO_PASSWORD)  # one Argon2 hash (about 0.35 s) for every extra account
    sites = _site_ids(db_session)
    clinicians = [users.find_user_by_email(db_session, "clinician@example.nhs.uk")]
    clinicians += [
        _account(db_session, name, "clinician", password_hash, sites[i % len(sites)] if sites else None)
        for i, name in enumerate(BULK_CLINICIANS)
    ]
    reviewers = [users.find_user_by_email(db_session, "governance@example.nhs.uk")]
    reviewers += [
        _account(db_session, name, "governance_lead", password_hash, sites[i % len(sites)] if sites else None)
        for i, name in enumerate(BULK_REVIEWERS)
    ]
    db_session.flush()
    return _People([u for u in clinicians if u], [u for u in reviewers if u], sites)


def _account(db_session: Session, name: str, role: str, password_hash: str, site_id: int | None) -> User:
    """The demo account for ``name``, created (and audited, as ``users.create_user`` does) if missing."""
    email = name.lower().replace("dr ", "").replace("'", "").replace(" ", ".") + "@example.nhs.uk"
    found = users.find_user_by_email(db_session, email)
    if found is not None:
        return found
    clinician = role == "clinician"
    user = User(email=email, full_name=name, role=role, password_hash=password_hash, site_id=site_id,
                profession="Consultant" if clinician else "Governance lead", organisation="Demo NHS Foundation Trust",
                qualification="physician" if clinician else "pharmacist")
    db_session.add(user)
    db_session.flush()
    audit.record_event(db_session, actor=None, action="create", object_type="user", object_id=user.id,
                       details={"email": email, "role": role})
    return user


def _site_ids(db_session: Session) -> list[int]:
    """Ids of the ``sites`` table when the schema has one and sessions point at it; else none."""
    sites = db.metadata.tables.get("sites")
    if sites is None or "site_id" not in _table(EctSession).c:
        return []
    return list(db_session.scalars(select(sites.c.id)))


class _Generator:
    """Draws one session or report at a time from a seeded random generator."""

    def __init__(self, rng: random.Random, today: date, people: _People, org: str,
                 clock_rules: clocks.ClockRules) -> None:
        self.rng, self.today, self.people, self.org, self.clock_rules = rng, today, people, org, clock_rules
        self.terms = [t for t in meddra_ctcae.meddra_terms() if meddra_ctcae.allowed_grades(t.code)]
        self.problems = [t.code for t in imdrf.device_problem_codes()]
        self.effects = [t.code for t in imdrf.health_effect_codes()]
        self.meddra_version = meddra_stamp()
        self.imdrf_release = imdrf.imdrf_release()

    def _age_days(self) -> int:
        """Days before today: a third of sessions in the last four months, the rest over five years."""
        if self.rng.random() < 0.33:
            return self.rng.randint(2, RECENT_DAYS)
        return self.rng.randint(RECENT_DAYS, YEARS * 365)

    def session_row(self, session_id: int) -> dict[str, Any]:
        """One session's column values (the demo session's shape, varied)."""
        rng = self.rng
        procedure = self.today - timedelta(days=self._age_days())
        drug = rng.choice(("bleomycin", "bleomycin", "bleomycin", "cisplatin"))
        manufacturer, model, software = rng.choice(GENERATORS)
        electrode_type, electrode_model = rng.choice(ELECTRODES)
        site = rng.randrange(len(SITE_NAMES))
        drug_minute = rng.randint(0, 40)
        row: dict[str, Any] = {
            "id": session_id,
            "created_by_id": rng.choice(self.people.clinicians).id,
            "created_at": _at(procedure, rng.randint(9, 17), rng.randint(0, 59)),
            "procedure_date": procedure,
            "site_name": SITE_NAMES[site],
            "nation": ("england", "england", "wales", "scotland", "northern_ireland")[site],
            "care_setting": rng.choice(("day_case", "day_case", "inpatient", "outpatient")),
            "operator_name": rng.choice(BULK_CLINICIANS),
            "patient_initials": "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
            "patient_sex": rng.choice(("female", "male")),
            "patient_age": rng.randint(35, 92),
            "patient_weight_kg": round(rng.uniform(48, 110), 1),
            "patient_height_cm": round(rng.uniform(150, 192), 1),
            "local_reference": f"DGH-{session_id:07d}",
            "histology": rng.choice(("melanoma", "breast", "squamous_cell_carcinoma", "basal_cell_carcinoma",
                                     "kaposi_sarcoma", "head_and_neck")),
            "lesion_count": rng.randint(1, 20),
            "largest_lesion_mm": rng.randint(3, 30),
            "lesion_location": "Cutaneous metastases",
            "laterality": rng.choice(("left", "right", "bilateral")),
            "previous_irradiation": rng.random() < 0.2,
            "anaesthesia": rng.choice(("general", "local", "sedation")),
            "drug": drug,
            "drug_product": "Bleomycin 15,000 IU powder for solution" if drug == "bleomycin" else "Cisplatin 1 mg/ml",
            "drug_batch": f"B{rng.randint(10000, 99999)}",
            "route": "intravenous" if drug == "bleomycin" and rng.random() < 0.8 else "intratumoural",
            "dose": float(rng.choice((15000, 20000, 25000, 27000)) if drug == "bleomycin" else rng.randint(5, 40)),
            "dose_unit": "IU" if drug == "bleomycin" else "mg",
            "drug_time": time(10, drug_minute),
            "first_pulse_time": time(10, drug_minute + rng.randint(8, 19)),
            "generator_manufacturer": manufacturer,
            "generator_model": model,
            "generator_serial": f"CLV-{rng.randint(10000, 99999)}",
            "generator_software": software,
            "electrode_type": electrode_type,
            "electrode_model": electrode_model,
            "electrode_lot": f"L{rng.randint(10000, 99999)}",
            "pulses_delivered": rng.randint(8, 200),
        }
        if self.people.sites:
            # A session belongs to its author's site: the author (and their team) must be able to see it.
            author = next(u for u in self.people.clinicians if u.id == row["created_by_id"])
            row["site_id"] = author.site_id
        return row

    def _state(self, procedure: date) -> str:
        weights = RECENT_WEIGHTS if (self.today - procedure).days <= RECENT_DAYS else OLD_WEIGHTS
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def add_report(self, batch: _Batch, session: dict[str, Any], report_id: int) -> None:
        """Build one report of ``session`` with its reactions and audit rows into ``batch``."""
        rng = self.rng
        kind = "medicine" if rng.random() < 0.7 else "device"
        author = next(u for u in self.people.clinicians if u.id == session["created_by_id"])
        created = session["created_at"] + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 6))
        blank = dict.fromkeys(_table(EctSession).c.keys())
        row = prefill_values(SimpleNamespace(**(blank | session)), kind, author)  # type: ignore[arg-type]
        row.update(self._common(report_id, kind, session, author, created))
        row.update(self._medicine(batch, report_id, created.date()) if kind == "medicine" else self._device())
        awareness = created.date()
        row["awareness_date"] = awareness
        row["due_date"] = clocks.due_date(kind, awareness, row.get("serious"), row.get("incident_classification"),
                                          self.clock_rules)
        state = self._state(session["procedure_date"])
        self._workflow(batch, row, state, author)
        batch.reports.append(row)

    def _common(self, report_id: int, kind: str, session: dict[str, Any], author: User,
                created: datetime) -> dict[str, Any]:
        values: dict[str, Any] = {
            "id": report_id, "session_id": session["id"], "kind": kind, "state": "draft",
            "report_type": "initial", "version": 1, "case_version": 1, "created_by_id": author.id,
            "created_at": created, "updated_at": created, "case_id": case_id_for(self.org, report_id),
            "clinical_warnings": [], "device_problem_codes": [], "health_effect_codes": [],
            "black_triangle": False,
            **dict.fromkeys(SERIOUSNESS_COLUMNS.values(), False),
        }
        if "site_id" in session:
            values["site_id"] = session["site_id"]
        return values

    def _medicine(self, batch: _Batch, report_id: int, onset: date) -> dict[str, Any]:
        """Medicine columns, and one to three coded reactions appended to ``batch``."""
        rng = self.rng
        serious = rng.random() < 0.3
        for position in range(rng.choice((1, 1, 2, 3))):
            term = rng.choice(self.terms)
            batch.reactions.append({
                "report_id": report_id, "position": position, "verbatim": term.term,
                "meddra_code": term.code, "ctcae_grade": rng.choice(meddra_ctcae.allowed_grades(term.code)[:3]),
                "onset_date": onset, "end_date": None, "treatment": "Supportive care",
                "outcome": rng.choice(("recovered", "recovered", "recovering", "not_recovered")),
                "serious": serious, "seriousness_criteria": ["hospitalisation"] if serious else [],
            })
        return {"serious": serious, "criterion_hospitalisation": serious,
                "causality": rng.choice(("probable", "possible", "certain")),
                "meddra_version": self.meddra_version}

    def _device(self) -> dict[str, Any]:
        rng = self.rng
        return {
            "suspect_component": rng.choice(("pulse_generator", "electrode", "both")),
            "incident_classification": rng.choice(("other_reportable", "other_reportable",
                                                   "unanticipated_serious_deterioration")),
            "incident_description": "Pulse delivery stopped with an error message; the electrode was replaced.",
            "device_problem_codes": rng.sample(self.problems, 1),
            "health_effect_codes": rng.sample(self.effects, 1),
            "patient_consequence": "Procedure completed after a short delay.",
            "device_location": rng.choice(("quarantined", "returned_to_manufacturer")),
            "available_for_investigation": True, "manufacturer_informed": rng.random() < 0.5,
            "device_operator": "health_professional", "conformity_mark": "ce", "devices_involved": 1,
            "imdrf_release": self.imdrf_release,
        }

    def _workflow(self, batch: _Batch, row: dict[str, Any], state: str, author: User) -> None:
        """Walk the report to ``state``: stamp the columns each step sets and add its audit row."""
        at = row["created_at"]
        batch.events.append(_event(at, author.id, "create", "report", row["id"],
                                   {"kind": row["kind"], "session_id": row["session_id"]}))
        reviewer = self.rng.choice(self.people.reviewers)
        for action in STATE_PATHS[state]:
            at = at + timedelta(days=self.rng.randint(1, 6), minutes=self.rng.randint(1, 300))
            details = {"action": action, "from": row["state"], "to": TARGET[action]}
            details.update(_stamp(row, action, at, reviewer))
            actor = author if action in AUTHOR_ACTIONS else reviewer
            batch.events.append(_event(at, actor.id, "transition", "report", row["id"], details))
            row["state"] = TARGET[action]
        row["updated_at"] = at


def _stamp(row: dict[str, Any], action: str, at: datetime, reviewer: User) -> dict[str, Any]:
    """Set the columns ``action`` sets on a report; return what its audit row records beyond the move."""
    if action == "submit":
        row["submitted_at"] = at
    elif action == "approve":
        row.update(approved_by_id=reviewer.id, approved_at=at)
    elif action == "send":
        row.update(mhra_reference=f"GB-MHRA-{row['kind'][:3].upper()}-{row['id']:08d}", mhra_sent_date=at.date())
        return {"mhra_reference": row["mhra_reference"]}
    elif action == "acknowledge":
        row.update(ack_code="CA", ack_date=at.date(), ack_recorded_at=at)
    elif action == "withdraw":
        row["withdrawn_reason"] = "Duplicate of another report"
        return {"comment": row["withdrawn_reason"]}
    elif action == "nullify":
        row.update(nullified_at=at, nullification_reason="Entered against the wrong patient")
        return {"comment": row["nullification_reason"], "nullification_reason": row["nullification_reason"]}
    return {}


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def summary(result: BulkResult, seconds: float, dialect: str) -> Sequence[str]:
    """Lines the command prints."""
    return (f"Bulk demo data on {dialect}: {result.sessions} sessions, {result.reports} reports, "
            f"{result.reactions} reactions, {result.audit_rows} audit rows in {seconds:.1f} s",)
