"""What a canonical record still lacks before it is a valid Yellow Card.

``check_completeness(record)`` reads the frozen, JSON-shaped record (see
``record_types.py``) and lists every problem that would stop the MHRA (or
IRIC / NIAIC for devices) accepting the report: the ICH/MHRA minimum
(identifiable patient, identifiable reporter, a suspect product, a
reaction or incident) plus the validation rules the MHRA applies on
receipt (outcome always given, plausible age/weight/height, no future
dates, stop dates not before start dates). It never raises on a partly
filled draft: missing keys are treated like ``None``.

Why a pure function on the record, not on the models or the form: the
same check must give the same answer in the capture form, the review
queue, the API and just before an export, and the record is the one
thing all of them share. Nothing here reads a database or Flask.

Why paths are record paths relative to the report, without the
``medicine.`` / ``device.`` prefix: each kind is edited in its own form,
so the kind is already known, and what remains (``reactions.0.outcome``,
``suspect_drugs.0.dose_unit``, ``incident.description``) names one field
of that form and the matching element of every export. Parts shared by
both kinds keep their record name (``patient.age_years``,
``reporter.name``, ``procedure.dose_unit``). Where a form names a field
differently, ``readiness.api_path`` translates, so this module stays tied
to the record shape only. A path that names a group rather than a field
(``patient``, ``suspect_drugs``, ``reactions``, ``generator``) means "add
at least one of these".

Messages are plain English for clinicians and come in report order
(patient, procedure, the kind's own sections, reporter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ect_reporting import vocab

# MHRA receipt validation limits (reference doc section 2).
MAX_AGE_YEARS = 120
MAX_WEIGHT_KG = 500
MAX_HEIGHT_CM = 300


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing a report lacks: where (``path``) and what to do (``message``)."""

    path: str
    message: str


def check_completeness(record: Mapping[str, Any], today: date | None = None) -> list[Problem]:
    """Return every problem that stops ``record`` being a valid report.

    ``today`` is the date against which "no date in the future" is judged;
    it defaults to ``date.today()`` evaluated at call time (never at import
    time) and is a parameter so tests and the review queue can pin it.
    An empty list means the report may be submitted.
    """
    today = today if today is not None else date.today()
    problems: list[Problem] = []
    problems += _check_patient(_section(record, "patient"))
    problems += _check_procedure(_section(record, "procedure"), today)
    if record.get("kind") == "device":
        problems += _check_device(_section(record, "device"), today)
    else:
        problems += _check_medicine(_section(record, "medicine"), today)
    problems += _check_reporter(_section(record, "reporter"))
    problems += _check_date(
        record.get("awareness_date"),
        "awareness_date",
        "The date you became aware",
        today,
    )
    return problems


# --- sections ---------------------------------------------------------------


def _check_patient(patient: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if not any(_filled(patient.get(key)) for key in ("initials", "age_years", "sex", "local_reference")):
        problems.append(
            Problem(
                "patient",
                "Identify the patient: give at least one of initials, age, sex or local reference.",
            )
        )
    problems += _check_range(patient.get("age_years"), "patient.age_years", "Age", MAX_AGE_YEARS, "years")
    problems += _check_range(patient.get("weight_kg"), "patient.weight_kg", "Weight", MAX_WEIGHT_KG, "kg")
    problems += _check_range(patient.get("height_cm"), "patient.height_cm", "Height", MAX_HEIGHT_CM, "cm")
    return problems


def _check_procedure(procedure: Mapping[str, Any], today: date) -> list[Problem]:
    problems = _check_date(
        procedure.get("procedure_date"),
        "procedure.procedure_date",
        "The procedure date",
        today,
    )
    problems += _check_dose_unit(procedure.get("drug"), None, procedure.get("dose_unit"), "procedure.dose_unit")
    return problems


def _check_medicine(medicine: Mapping[str, Any], today: date) -> list[Problem]:
    problems: list[Problem] = []
    drugs = _rows(medicine.get("suspect_drugs"))
    if not drugs:
        problems.append(Problem("suspect_drugs", "Add the suspected drug."))
    for index, drug in enumerate(drugs):
        problems += _check_suspect_drug(drug, f"suspect_drugs.{index}", today)

    reactions = _rows(medicine.get("reactions"))
    if not reactions:
        problems.append(Problem("reactions", "Add at least one suspected reaction."))
    for index, reaction in enumerate(reactions):
        problems += _check_reaction(reaction, f"reactions.{index}", today)

    problems += _check_seriousness(_section(medicine, "seriousness"))
    return problems


def _check_suspect_drug(drug: Mapping[str, Any], path: str, today: date) -> list[Problem]:
    problems: list[Problem] = []
    if not (_filled(drug.get("drug")) or _filled(drug.get("product_name"))):
        problems.append(Problem(f"{path}.drug", "Give the drug or the brand / product name."))
    problems += _check_dose_unit(
        drug.get("drug"),
        drug.get("product_name"),
        drug.get("dose_unit"),
        f"{path}.dose_unit",
    )
    problems += _check_period(
        drug.get("date_started"),
        drug.get("date_stopped"),
        f"{path}.date_started",
        f"{path}.date_stopped",
        ("The date the drug was started", "The date the drug was stopped"),
        today,
    )
    return problems


def _check_reaction(reaction: Mapping[str, Any], path: str, today: date) -> list[Problem]:
    problems: list[Problem] = []
    term = reaction.get("term")
    has_term = isinstance(term, Mapping) and (_filled(term.get("code")) or _filled(term.get("display")))
    if not (_filled(reaction.get("verbatim")) or has_term):
        problems.append(
            Problem(
                f"{path}.verbatim",
                "Describe the reaction in your own words or choose a coded term.",
            )
        )
    if not _filled(reaction.get("outcome")):
        problems.append(
            Problem(
                f"{path}.outcome",
                "Give the outcome of the reaction (choose 'Not known' if unknown).",
            )
        )
    problems += _check_period(
        reaction.get("onset_date"),
        reaction.get("end_date"),
        f"{path}.onset_date",
        f"{path}.end_date",
        ("The date the reaction started", "The date the reaction ended"),
        today,
    )
    return problems


def _check_seriousness(seriousness: Mapping[str, Any]) -> list[Problem]:
    serious = seriousness.get("serious")
    criteria = seriousness.get("criteria")
    ticked = (
        [key for key in vocab.SERIOUSNESS_CRITERIA if criteria.get(key) is True]
        if isinstance(criteria, Mapping)
        else []
    )
    problems: list[Problem] = []
    if serious is None:
        problems.append(Problem("seriousness.serious", "Say whether the reaction was serious."))
    elif serious is True and not ticked:
        problems.append(
            Problem(
                "seriousness.criteria",
                "Tick at least one reason why the reaction was serious.",
            )
        )
    elif serious is False and ticked:
        problems.append(
            Problem(
                "seriousness.serious",
                "A seriousness reason is ticked but the reaction is marked not serious: correct one of them.",
            )
        )
    if "medically_significant" in ticked and not _filled(seriousness.get("medically_significant_details")):
        problems.append(
            Problem(
                "seriousness.medically_significant_details",
                "Explain why the reaction was medically significant.",
            )
        )
    return problems


def _check_device(device: Mapping[str, Any], today: date) -> list[Problem]:
    problems: list[Problem] = []
    generator = _section(device, "generator")
    electrode = _section(device, "electrode")
    incident = _section(device, "incident")
    generator_identified = _filled(generator.get("manufacturer")) and _filled(generator.get("model"))
    if not (generator_identified or _filled(electrode.get("model"))):
        problems.append(
            Problem(
                "generator",
                "Identify the suspect device: give the pulse generator manufacturer and model, or the electrode model.",
            )
        )
    if not _filled(incident.get("description")):
        problems.append(Problem("incident.description", "Describe what happened."))
    problems += _check_date(
        incident.get("incident_date"),
        "incident.incident_date",
        "The incident date",
        today,
    )
    if not _filled(incident.get("classification")):
        problems.append(Problem("incident.classification", "Choose how the incident is classified."))
    if not _filled(incident.get("device_location")):
        problems.append(Problem("incident.device_location", "Say where the device is now."))
    if incident.get("available_for_investigation") is None:
        problems.append(
            Problem(
                "incident.available_for_investigation",
                "Say whether the device is available for investigation.",
            )
        )
    return problems


def _check_reporter(reporter: Mapping[str, Any]) -> list[Problem]:
    if not any(_filled(value) for value in reporter.values()):
        # One gap, not one per field: nobody is identified as reporter.
        return [Problem("reporter", "Add the reporter: their name, and their profession or email address.")]
    problems: list[Problem] = []
    if not _filled(reporter.get("name")):
        problems.append(Problem("reporter.name", "Give the reporter's name."))
    if not (_filled(reporter.get("profession")) or _filled(reporter.get("email"))):
        problems.append(
            Problem(
                "reporter.profession",
                "Give the reporter's profession or email address.",
            )
        )
    return problems


# --- rule helpers -------------------------------------------------------------


def _check_range(value: Any, path: str, what: str, maximum: int, unit: str) -> list[Problem]:
    """Flag a measurement that is not a number, negative, or above the MHRA limit."""
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [Problem(path, f"{what} must be a number.")]
    if value < 0:
        return [Problem(path, f"{what} cannot be negative.")]
    if value > maximum:
        return [Problem(path, f"{what} must be {maximum} {unit} or less.")]
    return []


def _check_dose_unit(drug: Any, product_name: Any, unit: Any, path: str) -> list[Problem]:
    """Flag a dose unit that is not the one unit its drug may be recorded in.

    Bleomycin is dosed in IU; recording it in mg is a known transcription
    hazard (1 mg is roughly 1,000-1,500 IU). ``vocab.DRUG_DOSE_UNIT`` holds
    the one unit per drug, so cisplatin in IU is caught the same way. A
    free-text product name mentioning bleomycin counts as bleomycin.
    """
    if not _filled(unit):
        return []
    drug_key = drug if isinstance(drug, str) and drug in vocab.DRUG_DOSE_UNIT else None
    if drug_key is None and isinstance(product_name, str):
        lowered = product_name.lower()
        drug_key = next((key for key in vocab.DRUG_DOSE_UNIT if key in lowered), None)
    if drug_key is None:
        return []
    expected = vocab.DRUG_DOSE_UNIT[drug_key]
    if unit == expected:
        return []
    drug_label = vocab.label(vocab.DRUGS, drug_key)
    return [
        Problem(
            path,
            f"{drug_label} doses are recorded in {expected}, not {unit}: check the dose and correct the unit.",
        )
    ]


def _check_date(value: Any, path: str, what: str, today: date) -> list[Problem]:
    """Flag a date that is not ISO ``YYYY-MM-DD`` or lies after ``today``."""
    if value is None:
        return []
    parsed = _parse_date(value)
    if parsed is None:
        return [Problem(path, f"{what} is not a valid date.")]
    if parsed > today:
        return [Problem(path, f"{what} cannot be in the future.")]
    return []


def _check_period(
    start: Any,
    end: Any,
    start_path: str,
    end_path: str,
    what: tuple[str, str],
    today: date,
) -> list[Problem]:
    """Check both dates of a period and that it does not end before it starts."""
    problems = _check_date(start, start_path, what[0], today)
    problems += _check_date(end, end_path, what[1], today)
    start_date, end_date = _parse_date(start), _parse_date(end)
    if start_date is not None and end_date is not None and end_date < start_date:
        problems.append(Problem(end_path, f"{what[1]} cannot be before {what[0].lower()}."))
    return problems


# --- small utilities ----------------------------------------------------------


def _section(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """Return a nested mapping, or an empty one when it is missing or ``None``."""
    value = container.get(key)
    return value if isinstance(value, Mapping) else {}


def _rows(value: Any) -> list[Mapping[str, Any]]:
    """Return the mappings of a list field, ignoring anything malformed."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [row if isinstance(row, Mapping) else {} for row in value]


def _filled(value: Any) -> bool:
    """True when a value was recorded (blank strings do not count)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
