"""Every value limit and cross-field rule, once, at two strictness levels.

Both the JSON API and the HTML forms turn input into typed values (keyed
by model attribute, see ``fields.py``) and call these functions, so each
rule exists once with one message. Errors are keyed by the field's dotted
path (``patient.age``, ``reactions.0.outcome``) - the same path the API,
the forms, the canonical record and the exports use.

``SAVE`` is what every draft must satisfy: what it says must be valid,
but it may be incomplete - and free text must hold no patient
identifier (an NHS number, postcode or date of birth), so one is never
stored, not even in a draft. ``SUBMIT`` adds what a report needs before a
governance lead sees it: the MHRA minimum (identifiable patient and
reporter, a suspect product, a reaction or incident) and outcomes. The
report page, the API's ``completeness`` and the submit action all ask ``SUBMIT``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal

from email_validator import EmailNotValidError, validate_email

from ect_reporting import reference, udi, vocab
from ect_reporting.exceptions import Errors
from ect_reporting.fields import (
    DEFECTIVE_MEDICINE_FIELDS,
    DEVICE_FIELDS,
    MEDICINE_FIELDS,
    MEDICINE_LISTS,
    OTHER_DRUG_FIELDS,
    PATIENT_FIELDS,
    REACTION_FIELDS,
    REPORT_COMMON_FIELDS,
    SESSION_FIELDS,
    Field,
    by_attr,
)
from ect_reporting.identifiers import identifiers_in

Level = Literal["save", "submit"]
SAVE: Final[Level] = "save"
SUBMIT: Final[Level] = "submit"

# C0 control characters other than tab, newline and carriage return: they
# have no place in a report, break XML exports and PostgreSQL rejects NUL.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The one date format accepted from people and systems. ``date.fromisoformat``
# alone also takes week dates ("2026-W47-1") and compact forms ("20261124"),
# which nobody types on purpose and which hide transcription slips.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

EMAIL_MESSAGE: Final = "Enter an email address in the correct format, like name@nhs.net"


def add_error(errors: Errors, path: str, message: str) -> None:
    """Append ``message`` under ``path`` once."""
    messages = errors.setdefault(path, [])
    if message not in messages:
        messages.append(message)


def merge(into: Errors, other: Errors) -> None:
    """Add every message of ``other`` to ``into``."""
    for path, messages in other.items():
        for message in messages:
            add_error(into, path, message)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _short_label(field: Field) -> str:
    """"Age (years)" -> "Age": the unit is said in the message itself."""
    return field.label.split(" (")[0]


# --- one field's own limits -------------------------------------------------------


def parse_date(text: str) -> date:
    """Return the date written as ``YYYY-MM-DD``; ValueError for any other form or an unreal date."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _encodable(text: str) -> bool:
    """False for text holding lone surrogates (JSON ``"\\udfff"``): no database or export can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problems(label: str, value: str, max_length: int | None) -> list[str]:
    """The limits every piece of free text obeys: length, no control characters, storable as UTF-8.

    Used for the field tables and for text outside them (workflow comments,
    regulator references, report comments), so each limit has one message.
    """
    problems = []
    if max_length and len(value) > max_length:
        problems.append(f"{label} must be {max_length:,} characters or fewer")
    if _CONTROL_CHARACTERS.search(value):
        problems.append(f"{label} contains control characters that are not allowed")
    if not _encodable(value):
        problems.append(f"{label} contains characters that are not allowed")
    return problems


def email_problem(value: str) -> str | None:
    """Return the message when ``value`` is not an e-mail address (syntax only: no DNS look-up)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return EMAIL_MESSAGE
    return None


def identifier_problem(field: Field, value: Any) -> str | None:
    """Return the message when a narrative field seems to hold an NHS number, a postcode or a date of birth.

    Only fields marked ``narrative`` are searched: batch numbers and UDIs
    are long digit strings by design. The message names the field, as it
    is also shown in the error summary, away from the field.
    """
    kinds = identifiers_in(value) if field.narrative and isinstance(value, str) else []
    if not kinds:
        return None
    found = " and ".join(kinds)
    return f"{field.label} contains what looks like {found}: remove it, reports must not identify the patient"


def _text_problems(field: Field, value: Any, today: date) -> list[str]:
    problems = text_problems(field.label, str(value), field.max_length)
    email = email_problem(str(value)) if field.email and not problems else None
    identifier = identifier_problem(field, value)
    return [*problems, *(message for message in (email, identifier) if message)]


def _number_problems(field: Field, value: Any, today: date) -> list[str]:
    unit = f" {field.unit}" if field.unit else ""
    if field.maximum is not None and value > field.maximum:
        return [f"{_short_label(field)} must be {field.maximum:g}{unit} or less"]
    if field.minimum is not None and value < field.minimum:
        return [f"{_short_label(field)} must be {field.minimum:g}{unit} or more"]
    return []


def _enum_problems(field: Field, value: Any, today: date) -> list[str]:
    problems = _text_problems(field, value, today)
    if field.choices is not None and value not in field.choices:
        problems.append(f"Select a valid {field.label.lower()}")
    return problems


def _date_problems(field: Field, value: Any, today: date) -> list[str]:
    if field.future_allowed:
        return []
    return [f"{field.label} must be today or in the past"] if value > today else []


def _codes_problems(field: Field, value: Any, today: date) -> list[str]:
    if field.choices is None:
        return []
    return [f"{code!s} is not a valid {field.label.lower()} value" for code in value if code not in field.choices]


_VALUE_CHECKS: dict[str, Callable[[Field, Any, date], list[str]]] = {
    "str": _text_problems,
    "text": _text_problems,
    "int": _number_problems,
    "float": _number_problems,
    "enum": _enum_problems,
    "date": _date_problems,
    "codes": _codes_problems,
}


def _missing_message(field: Field, enforce_required: bool, level: Level) -> str | None:
    if enforce_required and field.required:
        return f"Select {field.label.lower()}" if field.type == "enum" else f"Enter {field.label.lower()}"
    if level == SUBMIT:
        return field.submit_message
    return None


def check_fields(
    fields: Iterable[Field],
    values: Mapping[str, Any],
    *,
    today: date,
    enforce_required: bool = False,
    level: Level = SAVE,
    prefix: str = "",
) -> Errors:
    """Check each field's own limits; ``values`` is keyed by model attribute."""
    errors: Errors = {}
    for field in fields:
        value = values.get(field.attr)
        if _blank(value):
            message = _missing_message(field, enforce_required, level)
            if message:
                add_error(errors, prefix + field.path, message)
            continue
        check = _VALUE_CHECKS.get(field.type)
        for message in check(field, value, today) if check else []:
            add_error(errors, prefix + field.path, message)
    return errors


# --- cross-field rules --------------------------------------------------------------


def _drug_key(drug: Any, product: Any) -> str | None:
    """Return the drug a dose unit rule applies to; a product name mentioning it counts."""
    if isinstance(drug, str) and drug in vocab.DRUG_DOSE_UNIT:
        return drug
    if isinstance(product, str):
        lowered = product.lower()
        return next((key for key in vocab.DRUG_DOSE_UNIT if key in lowered), None)
    return None


def check_dose_unit(drug: Any, product: Any, unit: Any, path: str, errors: Errors) -> None:
    """Each drug is recorded in its one unit (bleomycin IU, cisplatin mg): a transcription hazard."""
    key = _drug_key(drug, product)
    if key is None or _blank(unit):
        return
    expected = vocab.DRUG_DOSE_UNIT[key]
    if unit != expected:
        add_error(
            errors,
            path,
            f"{vocab.label(vocab.DRUGS, key)} dose must be recorded in {vocab.label(vocab.DOSE_UNITS, expected)}, "
            f"not {unit}: check the dose and correct the unit",
        )


def check_date_order(start: date | None, end: date | None, path: str, message: str, errors: Errors) -> None:
    """Add ``message`` when ``end`` falls before ``start``."""
    if start is not None and end is not None and end < start:
        add_error(errors, path, message)


def _same_part(typed: Any, from_udi: Any) -> bool:
    """Compare a typed part with the UDI's; text ignores case and spaces (a retyping slip, not a mismatch)."""
    if isinstance(typed, str) and isinstance(from_udi, str):
        return typed.replace(" ", "").casefold() == from_udi.replace(" ", "").casefold()
    return bool(typed == from_udi)


def check_udi(fields: tuple[Field, ...], values: Mapping[str, Any], errors: Errors) -> None:
    """A UDI must be readable, and typed lot, serial and expiry must agree with it.

    The UDI is the label's own machine-readable record; a typed lot that
    differs is a transcription error that would send the manufacturer's
    investigation to the wrong batch. Paths come from ``fields`` (session
    or device report), so the same rule serves both.
    """
    table = by_attr(fields)
    for udi_attr, parts in udi.UDI_PARTS.items():
        parsed = udi.read(values.get(udi_attr))
        if parsed is None or udi_attr not in table:
            continue
        udi_field = table[udi_attr]
        if parsed.problem:
            add_error(errors, udi_field.path, f"{udi_field.label}: {parsed.problem}")
            continue
        for part, attr in parts.items():
            typed, from_udi = values.get(attr), getattr(parsed, part)
            if _blank(typed) or from_udi is None or _same_part(typed, from_udi):
                continue
            field = table[attr]
            add_error(
                errors,
                field.path,
                f"{field.label} {typed} does not match the {udi_field.label} ({from_udi}): "
                "check both against the packaging label",
            )


def session_errors(values: Mapping[str, Any], *, today: date, creating: bool) -> Errors:
    """Check an ECT session's values (``creating`` enforces required fields)."""
    errors = check_fields(SESSION_FIELDS, values, today=today, enforce_required=creating)
    check_udi(SESSION_FIELDS, values, errors)
    check_dose_unit(values.get("drug"), values.get("drug_product"), values.get("dose_unit"), "drug.dose_unit", errors)
    return errors


def _check_seriousness(values: Mapping[str, Any], level: Level, errors: Errors) -> None:
    criteria = values.get("seriousness_criteria")
    serious = values.get("serious")
    if criteria is None and level == SAVE:
        return
    criteria = criteria or []
    if serious is True and not criteria:
        add_error(errors, "seriousness.criteria", "Select at least one reason why the reaction is serious")
    if serious is False and criteria:
        add_error(errors, "seriousness.criteria", "Seriousness criteria can only be given for a serious reaction")
    if level == SUBMIT and "medically_significant" in criteria and _blank(values.get("medically_significant_details")):
        add_error(
            errors, "seriousness.medically_significant_details", "Explain why the reaction was medically significant"
        )


def reaction_errors(reaction: Mapping[str, Any], index: int, *, today: date, level: Level = SAVE) -> Errors:
    """Check one reaction; paths are ``reactions.<index>.<field>``."""
    prefix = f"reactions.{index}."
    errors = check_fields(REACTION_FIELDS, reaction, today=today, level=level, prefix=prefix)
    code = reaction.get("meddra_code")
    term = reference.meddra_term(code) if code else None
    if code and term is None:
        add_error(errors, prefix + "meddra_code", "Select a reaction term from the list")
    grade, allowed = reaction.get("ctcae_grade"), reference.allowed_grades(code) if term else ()
    if term is not None and grade is not None and allowed and grade not in allowed:
        grades = ", ".join(str(g) for g in allowed)
        add_error(errors, prefix + "ctcae_grade", f"{term.term} can only be graded {grades} in CTCAE v5")
    check_date_order(
        reaction.get("onset_date"),
        reaction.get("end_date"),
        prefix + "end_date",
        "Date reaction stopped must be the same as or after the date it started",
        errors,
    )
    if level == SUBMIT and _blank(reaction.get("verbatim")) and not code:
        add_error(errors, prefix + "verbatim", "Describe the reaction in your own words or choose a coded term")
    return errors


def _grade_and_outcome_errors(
    values: Mapping[str, Any], reactions: Sequence[Mapping[str, Any]], errors: Errors
) -> None:
    """CTCAE grade, outcome and seriousness must tell the same story (E2B E.i.3.2 / E.i.7).

    Grade 4 is life-threatening by definition, grade 5 is death; a fatal
    outcome is a death. A regulator queries a report whose seriousness
    contradicts its own grades, so the contradiction is refused on save.
    """
    criteria = set(values.get("seriousness_criteria") or [])
    for index, reaction in enumerate(reactions):
        grade, outcome, number = reaction.get("ctcae_grade"), reaction.get("outcome"), index + 1
        if grade == 4 and "life_threatening" not in criteria:
            add_error(
                errors,
                "seriousness.criteria",
                f"Reaction {number} is CTCAE grade 4 (life-threatening): tick 'Life threatening' as a reason "
                "it is serious",
            )
        if grade == 5 and outcome != "fatal":
            message = f"Reaction {number} is CTCAE grade 5 (death): its outcome is Fatal"
            add_error(errors, f"reactions.{index}.outcome", message)
        if (grade == 5 or outcome == "fatal") and "death" not in criteria:
            add_error(
                errors,
                "seriousness.criteria",
                f"Reaction {number} was fatal: tick 'Patient died due to reaction' as a reason it is serious",
            )


def _reaction_seriousness_errors(
    values: Mapping[str, Any], reactions: Sequence[Mapping[str, Any]], level: Level, errors: Errors
) -> None:
    """Each reaction's own seriousness (E2B E.i.3.2) agrees with itself and with the report's."""
    report_criteria = set(values.get("seriousness_criteria") or [])
    several = len(reactions) > 1
    for index, reaction in enumerate(reactions):
        serious, criteria = reaction.get("serious"), set(reaction.get("seriousness_criteria") or [])
        where, what = f"reactions.{index}.", f"reaction {index + 1}"
        if serious is True and not criteria:
            add_error(errors, where + "seriousness_criteria", f"Select at least one reason why {what} is serious")
        if serious is False and criteria:
            add_error(errors, where + "seriousness_criteria", f"Reasons can only be given if {what} is serious")
        if serious is True and values.get("serious") is not True:
            add_error(errors, "seriousness.serious", f"{what.capitalize()} is serious, so the report is: answer Yes")
        for missing in sorted(criteria - report_criteria):
            label = vocab.label(vocab.SERIOUSNESS_CRITERIA, missing)
            add_error(errors, "seriousness.criteria", f"{what.capitalize()} is serious ({label}): tick it here too")
        if level == SUBMIT and several and values.get("serious") is True and serious is None:
            add_error(errors, where + "serious", f"Say whether {what} was serious")


def _onset_errors(values: Mapping[str, Any], reactions: Sequence[Mapping[str, Any]], errors: Errors) -> None:
    """A suspected reaction cannot start before the suspect drug was given."""
    started = values.get("drug_date_started")
    for index, reaction in enumerate(reactions):
        check_date_order(
            started,
            reaction.get("onset_date"),
            f"reactions.{index}.onset_date",
            "Date reaction started must be the same as or after the date the drug was started",
            errors,
        )


def _pregnancy_errors(values: Mapping[str, Any], errors: Errors) -> None:
    """Pregnancy is asked where it can apply; weeks of gestation only for a pregnancy."""
    pregnancy = values.get("pregnancy")
    if pregnancy == "pregnant" and values.get("patient_sex") == "male":
        message = "Pregnancy cannot be recorded for a male patient: check sex and pregnancy"
        add_error(errors, "patient.pregnancy", message)
    if values.get("gestation_weeks") is not None and pregnancy != "pregnant":
        add_error(errors, "patient.gestation_weeks", "Give weeks pregnant only when the patient is pregnant")


def _list_length_errors(lists: Mapping[str, Sequence[Any]], errors: Errors) -> None:
    for key, entries in lists.items():
        label, _, most = MEDICINE_LISTS[key]
        if len(entries) > most:
            add_error(errors, key, f"{label}: a report can list at most {most}")


def other_drug_errors(drug: Mapping[str, Any], index: int, *, today: date, level: Level = SAVE) -> Errors:
    """Check one other medicine; paths are ``other_drugs.<index>.<field>``."""
    prefix = f"other_drugs.{index}."
    errors = check_fields(OTHER_DRUG_FIELDS, drug, today=today, level=level, prefix=prefix)
    check_dose_unit(None, drug.get("name"), drug.get("dose_unit"), prefix + "dose_unit", errors)
    check_date_order(
        drug.get("date_started"),
        drug.get("date_stopped"),
        prefix + "date_stopped",
        "Date stopped must be the same as or after the date started",
        errors,
    )
    if level == SUBMIT:
        number = index + 1
        if _blank(drug.get("name")):
            add_error(errors, prefix + "name", f"Give the name of other medicine {number}")
        if _blank(drug.get("characterisation")):
            add_error(
                errors,
                prefix + "characterisation",
                f"Say whether other medicine {number} is suspected or only taken at the same time",
            )
    return errors


def _medicine_errors(
    values: Mapping[str, Any],
    reactions: Sequence[Mapping[str, Any]],
    other_drugs: Sequence[Mapping[str, Any]],
    today: date,
    level: Level,
) -> Errors:
    errors = check_fields(MEDICINE_FIELDS, values, today=today, level=level)
    check_dose_unit(
        values.get("drug"), values.get("drug_product"), values.get("drug_dose_unit"), "suspect_drug.dose_unit", errors
    )
    check_date_order(
        values.get("drug_date_started"),
        values.get("drug_date_stopped"),
        "suspect_drug.date_stopped",
        "Date stopped must be the same as or after the date started",
        errors,
    )
    _check_seriousness(values, level, errors)
    _pregnancy_errors(values, errors)
    _grade_and_outcome_errors(values, reactions, errors)
    _reaction_seriousness_errors(values, reactions, level, errors)
    _onset_errors(values, reactions, errors)
    _list_length_errors({"reactions": reactions, "other_drugs": other_drugs}, errors)
    for index, reaction in enumerate(reactions):
        merge(errors, reaction_errors(reaction, index, today=today, level=level))
    for index, drug in enumerate(other_drugs):
        merge(errors, other_drug_errors(drug, index, today=today, level=level))
    if level == SUBMIT:
        if _blank(values.get("drug")) and _blank(values.get("drug_product")):
            add_error(errors, "suspect_drug.name", "Give the suspected drug or its brand or product name")
        if not reactions:
            add_error(errors, "reactions", "Add at least one suspected reaction")
    return errors


def _check_imdrf(values: Mapping[str, Any], attr: str, annexes: str, errors: Errors) -> None:
    """Accept only selectable IMDRF codes of the field's annexes.

    A grouping heading (E24 "Others") is in the list but IMDRF forbids
    coding it; the message names the field and the children to use instead.
    """
    field = by_attr(DEVICE_FIELDS)[attr]
    for code in values.get(attr) or []:
        term = reference.imdrf_term(code)
        if term is None or code[:1] not in annexes:
            add_error(errors, field.path, f"{code} is not in the IMDRF code list for this field")
        elif not term.selectable:
            children = ", ".join(reference.selectable_children(code))
            add_error(
                errors,
                field.path,
                f"{field.label}: {term.label} is an IMDRF grouping heading, not a code. Choose one of {children}",
            )


def _device_errors(values: Mapping[str, Any], today: date, level: Level) -> Errors:
    errors = check_fields(DEVICE_FIELDS, values, today=today, level=level)
    check_udi(DEVICE_FIELDS, values, errors)
    _check_imdrf(values, "device_problem_codes", reference.imdrf.DEVICE_PROBLEM_ANNEXES, errors)
    _check_imdrf(values, "health_effect_codes", reference.imdrf.HEALTH_EFFECT_ANNEXES, errors)
    _near_miss_errors(values, errors)
    generator_named = not _blank(values.get("generator_manufacturer")) and not _blank(values.get("generator_model"))
    if level == SUBMIT and not (generator_named or not _blank(values.get("electrode_model"))):
        add_error(
            errors,
            "device.generator",
            "Identify the suspect device: give the pulse generator manufacturer and model, or the electrode model",
        )
    return errors


_PATIENT_IDENTIFIERS = ("patient_initials", "patient_age", "patient_sex", "local_reference")
_PATIENT_ATTRS = tuple(f.attr for f in PATIENT_FIELDS)


def _near_miss_errors(values: Mapping[str, Any], errors: Errors) -> None:
    """A device near miss has no patient: patient data are refused, F27 and "other reportable" fixed.

    ``services`` fills the code and classification in; these rules refuse a
    caller who sends something else, at every level, so no near miss is
    ever stored with a patient or a harm it cannot have had.
    """
    if not values.get("no_patient_involved"):
        return
    given = [f.label for f in PATIENT_FIELDS if not _blank(values.get(f.attr))]
    if given:
        add_error(
            errors,
            "patient",
            "A near miss involves no patient: remove the patient details (" + ", ".join(given).lower() + ")",
        )
    if not _blank(values.get("patient_consequence")):
        add_error(errors, "incident.patient_consequence", "A near miss involves no patient: remove the consequences")
    codes = set(values.get("health_effect_codes") or [])
    if codes - {vocab.NEAR_MISS_HEALTH_IMPACT_CODE}:
        add_error(
            errors,
            "incident.health_effect_codes",
            f"A near miss has only the health impact {vocab.NEAR_MISS_HEALTH_IMPACT_CODE} "
            "(problem identified during non-clinical procedure)",
        )
    classification = values.get("incident_classification")
    if classification not in (None, vocab.NEAR_MISS_CLASSIFICATION):
        add_error(
            errors,
            "incident.classification",
            "A near miss is classified as " + vocab.INCIDENT_CLASSIFICATIONS[vocab.NEAR_MISS_CLASSIFICATION].lower(),
        )


def _defective_medicine_errors(values: Mapping[str, Any], today: date, level: Level) -> Errors:
    """A defective-medicine report: the product and batch, the defect, and where the stock is.

    No patient is needed; whether an adverse reaction followed is asked
    only when the product was used on a patient.
    """
    errors = check_fields(DEFECTIVE_MEDICINE_FIELDS, values, today=today, level=level)
    if values.get("used_on_patient") is False and values.get("reaction_followed"):
        add_error(
            errors,
            "use.reaction_followed",
            "A reaction cannot follow if the product was not used on a patient: answer 'No' or change the first answer",
        )
    if level == SUBMIT:
        if _blank(values.get("drug")) and _blank(values.get("drug_product")):
            add_error(errors, "product.name", "Give the medicine or its product or brand name")
        if values.get("used_on_patient") and values.get("reaction_followed") is None:
            add_error(errors, "use.reaction_followed", "Say whether an adverse reaction followed")
    return errors


def _patient_required(kind: str, values: Mapping[str, Any]) -> bool:
    """Whether the ICH/MHRA minimum of an identifiable patient applies.

    A defective medicine is about the product, and a device near miss has
    no patient; every other report needs one.
    """
    return kind != "defective_medicine" and not values.get("no_patient_involved")


def _patient_errors(values: Mapping[str, Any]) -> Errors:
    """The ICH/MHRA minimum: an identifiable patient."""
    errors: Errors = {}
    if all(_blank(values.get(attr)) for attr in _PATIENT_IDENTIFIERS):
        add_error(errors, "patient", "Identify the patient: give at least one of initials, age, sex or local reference")
    return errors


def _reporter_errors(values: Mapping[str, Any]) -> Errors:
    """The ICH/MHRA minimum: an identifiable reporter."""
    errors: Errors = {}
    reporter = [values.get(a) for a in ("reporter_name", "reporter_profession", "reporter_email")]
    if all(_blank(v) for v in [*reporter, values.get("reporter_organisation")]):
        # One gap, not one per field: nobody is identified as reporter.
        add_error(errors, "reporter", "Add the reporter: their name, and their profession or email address")
        return errors
    if _blank(reporter[0]):
        add_error(errors, "reporter.name", "Give the reporter's name")
    if _blank(reporter[1]) and _blank(reporter[2]):
        add_error(errors, "reporter.profession", "Give the reporter's profession or email address")
    return errors


def identifier_errors(fields: Iterable[Field], values: Mapping[str, Any], prefix: str = "") -> Errors:
    """Flag narrative fields that seem to hold an NHS number, a postcode or a date of birth.

    ``check_fields`` already refuses them at every level; this is for text
    stored before that rule (a session's notes), checked again at submission.
    """
    errors: Errors = {}
    for field in fields:
        message = identifier_problem(field, values.get(field.attr))
        if message:
            add_error(errors, prefix + field.path, message)
    return errors


def _awareness_errors(values: Mapping[str, Any], procedure_date: date | None, errors: Errors) -> None:
    """The reporting clock runs from the awareness date: it cannot precede the procedure."""
    aware = values.get("awareness_date")
    if aware is not None and procedure_date is not None and aware < procedure_date:
        add_error(
            errors,
            "awareness_date",
            f"The date you became aware cannot be before the ECT procedure "
            f"({procedure_date.day} {procedure_date:%B %Y})",
        )


def report_errors(
    kind: str,
    values: Mapping[str, Any],
    reactions: Sequence[Mapping[str, Any]] | None,
    *,
    today: date,
    level: Level = SAVE,
    other_drugs: Sequence[Mapping[str, Any]] | None = None,
    procedure_date: date | None = None,
) -> Errors:
    """Check a report's values and, for medicine reports, its reactions and other medicines, at ``level``.

    ``procedure_date`` is the ECT session's date, which the awareness date cannot precede.
    """
    errors = _patient_errors(values) if level == SUBMIT and _patient_required(kind, values) else {}
    merge(errors, check_fields(REPORT_COMMON_FIELDS, values, today=today, level=level))
    _awareness_errors(values, procedure_date, errors)
    if kind == "medicine":
        merge(errors, _medicine_errors(values, reactions or [], other_drugs or [], today, level))
    elif kind == "defective_medicine":
        merge(errors, _defective_medicine_errors(values, today, level))
    else:
        merge(errors, _device_errors(values, today, level))
    if level == SUBMIT:
        merge(errors, _reporter_errors(values))
    return errors
