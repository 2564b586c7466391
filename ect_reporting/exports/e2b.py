"""ICH E2B(R3) export: a medicine report as one ICSR message in one batch.

The message is an HL7 v3 ``MCCI_IN200100UV01`` batch (N.1) holding one
``PORR_IN049016UV`` message (N.2) with the case (C, D, E, G, H sections),
built with lxml from the canonical record alone. It uses ICH elements
only (no FDA regional elements) and the ICH codes of ``e2b_codes``.

Choices worth knowing:

- The batch and message numbers come from ``e2b_ids``: one case version
  always exports under the same numbers, so the regulator's
  acknowledgement (ACK.B.r.1) can be matched to the report.
- C.1.4 (first received) is this record's awareness date; C.1.5 (most
  recent information) is also this version's awareness date, which for a
  follow-up is the day the new information arrived. The record does not
  carry the initial version's awareness date, so a follow-up's C.1.4 is
  its own awareness date too (see the issue's open points).
- E.i.2.1a (MedDRA version) keeps the version number only: the record's
  ``"20.1 (unconfirmed)"`` becomes ``20.1``; the qualifier is a note for
  people and has no place in a coded field.
- E.i.1.1a holds the first 250 characters of the reporter's words; H.1
  (the narrative) always holds them in full.
- Text that XML 1.0 cannot carry (control characters, lone surrogates) is
  dropped from the XML; the JSON export keeps the exact text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import quote

from lxml import etree

from ect_reporting import clinical, vocab
from ect_reporting.config import E2bSettings
from ect_reporting.exports import e2b_codes as codes
from ect_reporting.exports.base import Renderer
from ect_reporting.exports.e2b_ids import batch_number, message_number
from ect_reporting.exports.e2b_narrative import narrative
from ect_reporting.exports.e2b_validation import E2bInvalid, schema_errors
from ect_reporting.record_types import Reaction, Record

__all__ = ["E2bInvalid", "E2bRenderer", "build_message"]

NS = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VERBATIM_MAX = 250
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_VERSION = re.compile(r"\d+(?:\.\d+)*")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sister", "sir", "dame"})


def _clean(text: object) -> str:
    """Return ``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", str(text))


def _present(value: object) -> str | None:
    """Return the text XML can carry, or None when nothing but blanks is left."""
    text = _clean(value).strip() if value is not None else ""
    return text or None


def _el(parent: etree._Element, tag: str, text: object = None, xsi_type: str | None = None, **attrs: Any):
    """Add a child in the HL7 namespace; ``None`` or blank attributes are left out (HL7 forbids empty ones)."""
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if xsi_type:
        element.set(f"{{{XSI}}}type", xsi_type)
    for name, value in attrs.items():
        if _present(value) is not None:
            element.set(name, _clean(value))
    if text is not None:
        element.text = _clean(text)
    return element


def _date(value: str | None) -> str | None:
    """Return an ISO date (or datetime) as an HL7 date ``YYYYMMDD``, or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).strftime("%Y%m%d") if len(value) >= 10 else None
    except ValueError:
        return None


def _timestamp(moment: datetime) -> str:
    """Return an aware datetime as an HL7 timestamp in UTC, ``YYYYMMDDHHMMSS+0000``."""
    return f"{moment.astimezone(UTC).strftime('%Y%m%d%H%M%S')}+0000"


def _time(parent: etree._Element, tag: str, iso: str | None, **attrs: Any) -> etree._Element:
    """Add a TS element holding the date, or nullFlavor UNK when it was not recorded."""
    value = _date(iso)
    return _el(parent, tag, value=value, nullFlavor=None if value else "UNK", **attrs)


def _quantity(value: float) -> str:
    """Return a number as HL7 ``real`` text: no exponent, no needless ".0"."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def meddra_version(label: str | None) -> str | None:
    """Return the version number in a code-list label, e.g. ``"20.1 (unconfirmed)"`` -> ``"20.1"``."""
    found = _VERSION.search(label or "")
    return found.group(0) if found else None


def _stable_id(record: Record, part: str) -> str:
    """Return a UUID for an item of the message, the same for every export of one case version.

    Reactions and drugs are cross-referenced by these ids (characterisation,
    rechallenge, causality), and a re-export must not change them.
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:ect:{record['case_id']}:v{record['case_version']}:{part}"))


def _observation(parent: etree._Element, relation: str, code: str, type_code: str = "PERT", **names: Any):
    """Add ``<relation typeCode><observation>`` with an ICH observation code; return the observation."""
    wrapper = _el(parent, relation, typeCode=type_code)
    observation = _el(wrapper, "observation", classCode="OBS", moodCode="EVN")
    _el(observation, "code", code=code, codeSystem=codes.OID_OBSERVATION, **names)
    return observation


# --- N.1 batch and N.2 message ------------------------------------------------------------------


def _device(parent: etree._Element, role: str, type_code: str, identifier: str, oid: str) -> None:
    wrapper = _el(parent, role, typeCode=type_code)
    device = _el(wrapper, "device", classCode="DEV", determinerCode="INSTANCE")
    _el(device, "id", extension=identifier, root=oid)


def build_message(record: Record, settings: E2bSettings, now: datetime) -> etree._Element:
    """Return the ``MCCI_IN200100UV01`` batch element for a medicine record."""
    if record.get("kind") != "medicine":
        raise ValueError("E2B(R3) is for adverse drug reactions; device reports export as FHIR or PDF")
    stamp = _timestamp(now)
    root = etree.Element(f"{{{NS}}}MCCI_IN200100UV01", nsmap={None: NS, "xsi": XSI})
    root.set("ITSVersion", "XML_1.0")
    _el(root, "id", extension=batch_number(record["case_id"], record["case_version"]), root=codes.OID_BATCH_NUMBER)
    _el(root, "creationTime", value=stamp)
    _el(root, "responseModeCode", code="D")
    _el(root, "interactionId", extension="MCCI_IN200100UV01", root=codes.OID_HL7_INTERACTION)
    _el(root, "name", code="1", codeSystem=codes.OID_MESSAGE_TYPE, displayName="ichicsr")
    message = _el(root, "PORR_IN049016UV")
    _el(message, "id", extension=message_number(record["case_id"], record["case_version"]),
        root=codes.OID_MESSAGE_NUMBER)
    _el(message, "creationTime", value=stamp)
    _el(message, "interactionId", extension="PORR_IN049016UV", root=codes.OID_HL7_INTERACTION)
    _el(message, "processingCode", code="P")
    _el(message, "processingModeCode", code="T")
    _el(message, "acceptAckCode", code="AL")
    _device(message, "receiver", "RCV", settings.receiver_id, codes.OID_MESSAGE_RECEIVER)
    _device(message, "sender", "SND", settings.sender_id, codes.OID_MESSAGE_SENDER)
    control = _el(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    _el(control, "code", code="PORR_TE049016UV", codeSystem=codes.OID_HL7_TRIGGER_EVENT)
    _el(control, "effectiveTime", value=stamp)  # C.1.2
    subject = _el(control, "subject", typeCode="SUBJ")
    _case(subject, record, settings)
    _device(root, "receiver", "RCV", settings.receiver_id, codes.OID_BATCH_RECEIVER)
    _device(root, "sender", "SND", settings.sender_id, codes.OID_BATCH_SENDER)
    return root


# --- C: the case ---------------------------------------------------------------------------------


def _case(subject: etree._Element, record: Record, settings: E2bSettings) -> None:
    """Add the investigationEvent: identifiers, narrative, dates, then the case's parts in schema order."""
    event = _el(subject, "investigationEvent", classCode="INVSTG", moodCode="EVN")
    _el(event, "id", extension=record["case_id"], root=codes.OID_SENDER_REPORT_ID)  # C.1.1
    _el(event, "id", extension=record["case_id"], root=codes.OID_WORLDWIDE_CASE_ID)  # C.1.8.1
    _el(event, "code", code="PAT_ADV_EVNT", codeSystem=codes.OID_HL7_ACT_CODE)
    _el(event, "text", narrative(record), mediaType="text/plain")  # H.1
    _el(event, "statusCode", code="active")
    _time(_el(event, "effectiveTime"), "low", record.get("awareness_date"))  # C.1.4
    _time(event, "availabilityTime", record.get("awareness_date"))  # C.1.5
    assessment = _el(_el(event, "component", typeCode="COMP"), "adverseEventAssessment",
                     classCode="INVSTG", moodCode="EVN")
    _assessment(assessment, record)
    _case_flags(event, record)
    _first_sender(event)
    _primary_source(event, record)
    _sender(event, settings)
    _other_case_ids(event, record)
    _characteristics(event, record)


def _case_observation(event: etree._Element, code: str, value: bool | None) -> None:
    wrapper = _el(event, "component", typeCode="COMP")
    observation = _el(wrapper, "observationEvent", classCode="OBS", moodCode="EVN")
    _el(observation, "code", code=code, codeSystem=codes.OID_OBSERVATION)
    _boolean(observation, value)


def _boolean(parent: etree._Element, value: bool | None) -> None:
    if value is None:
        _el(parent, "value", xsi_type="BL", nullFlavor="NI")
    else:
        _el(parent, "value", xsi_type="BL", value="true" if value else "false")


def _case_flags(event: etree._Element, record: Record) -> None:
    """C.1.6.1 (no documents attached) and C.1.7 (expedited: serious cases, 15-day clock)."""
    _case_observation(event, codes.OBS_ADDITIONAL_DOCUMENTS, False)
    seriousness = record.get("seriousness") or {}
    _case_observation(event, codes.OBS_LOCAL_CRITERIA_EXPEDITED, seriousness.get("serious"))


def _related(event: etree._Element, code: str) -> etree._Element:
    """Add an outboundRelationship/relatedInvestigation; return its controlActEvent."""
    relation = _el(event, "outboundRelationship", typeCode="SPRT")
    if code == codes.RELATED_SOURCE_REPORT:
        _el(relation, "priorityNumber", value="1")  # C.2.r.5: primary source for regulatory purposes
    investigation = _el(relation, "relatedInvestigation", classCode="INVSTG", moodCode="EVN")
    _el(investigation, "code", code=code, codeSystem=codes.OID_RELATED_INVESTIGATION)
    subject = _el(investigation, "subjectOf2", typeCode="SUBJ")
    return _el(subject, "controlActEvent", classCode="CACT", moodCode="EVN")


def _first_sender(event: etree._Element) -> None:
    """C.1.8.2: the case was first sent by us, not by a regulator."""
    author = _el(_related(event, codes.RELATED_INITIAL_REPORT), "author", typeCode="AUT")
    entity = _el(author, "assignedEntity", classCode="ASSIGNED")
    _el(entity, "code", code=codes.FIRST_SENDER_OTHER, codeSystem=codes.OID_FIRST_SENDER)


def split_name(name: str | None) -> tuple[str | None, list[str], str | None]:
    """Return (title, given names, family name) from a name as typed, e.g. "Dr Amelia Hart".

    A leading courtesy or academic title becomes the prefix, the last word the
    family name and the words between the given names; one word is taken as
    the family name. Names that do not fit this pattern still arrive whole.
    """
    words = (name or "").split()
    title = None
    if len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        title, words = words[0], words[1:]
    if not words:
        return title, [], None
    return title, words[:-1], words[-1]


def _telecoms(phone: str | None, email: str | None) -> list[str]:
    """Return the reporter's phone and e-mail as the URLs HL7 needs (C.2.r.2.7).

    The phone keeps its digits and a leading "+" only (spaces and words
    cannot be in a ``tel:`` URL); the e-mail is percent-encoded where needed.
    """
    found = []
    digits = re.sub(r"[^0-9]", "", phone or "")
    if digits:
        found.append(f"tel:{'+' if (phone or '').strip().startswith('+') else ''}{digits}")
    mailbox = _present(email)
    if mailbox:
        found.append("mailto:" + quote(re.sub(r"\s+", "", mailbox), safe="@._+-"))
    return found


def _primary_source(event: etree._Element, record: Record) -> None:
    """C.2.r: the reporting health professional, with contact details, qualification and country."""
    reporter = record["reporter"]
    entity = _el(_el(_related(event, codes.RELATED_SOURCE_REPORT), "author", typeCode="AUT"),
                 "assignedEntity", classCode="ASSIGNED")
    if reporter.get("address"):
        _el(_el(entity, "addr"), "streetAddressLine", reporter["address"])
    for address in _telecoms(reporter.get("phone"), reporter.get("email")):
        _el(entity, "telecom", value=address)
    person = _el(entity, "assignedPerson", classCode="PSN", determinerCode="INSTANCE")
    title, given, family = split_name(reporter.get("name"))
    name = _el(person, "name")
    if title:
        _el(name, "prefix", title)
    for word in given:
        _el(name, "given", word)
    if family:
        _el(name, "family", family)
    qualification = codes.QUALIFICATIONS.get(reporter.get("qualification") or "")
    _el(_el(person, "asQualifiedEntity", classCode="QUAL"), "code", code=qualification,
        codeSystem=codes.OID_QUALIFICATION if qualification else None, nullFlavor=None if qualification else "UNK")
    located = _el(person, "asLocatedEntity", classCode="LOCE")
    location = _el(located, "location", classCode="COUNTRY", determinerCode="INSTANCE")
    _el(location, "code", code=codes.COUNTRY, codeSystem=codes.OID_COUNTRY)
    if reporter.get("organisation"):
        _organisation(entity, reporter["organisation"])


def _organisation(entity: etree._Element, name: str) -> None:
    """Add representedOrganization holding the organisation's name (C.2.r.2.1 / C.3.2)."""
    department = _el(entity, "representedOrganization", classCode="ORG", determinerCode="INSTANCE")
    inner = _el(department, "assignedEntity", classCode="ASSIGNED")
    _el(_el(inner, "representedOrganization", classCode="ORG", determinerCode="INSTANCE"), "name", name)


def _sender(event: etree._Element, settings: E2bSettings) -> None:
    """C.3: the trust sending the case, a health professional sender (C.3.1 = 3)."""
    control = _el(_el(event, "subjectOf1", typeCode="SUBJ"), "controlActEvent", classCode="CACT", moodCode="EVN")
    entity = _el(_el(control, "author", typeCode="AUT"), "assignedEntity", classCode="ASSIGNED")
    _el(entity, "code", code=codes.SENDER_TYPE_HEALTH_PROFESSIONAL, codeSystem=codes.OID_SENDER_TYPE)
    _organisation(entity, settings.sender_organisation)


def _other_case_ids(event: etree._Element, record: Record) -> None:
    """C.1.9.1.r: the regulator's own reference for the case, once it has given one."""
    reference = _present(record.get("regulator_reference"))
    if reference is None:
        return
    control = _el(_el(event, "subjectOf1", typeCode="SUBJ"), "controlActEvent", classCode="CACT", moodCode="EVN")
    authority = vocab.regulator((record.get("destination") or {}).get("scheme"))
    _el(control, "id", assigningAuthorityName=authority, extension=reference, root=codes.OID_OTHER_CASE_ID)


def _characteristic(event: etree._Element, code: str, display: str) -> etree._Element:
    wrapper = _el(event, "subjectOf2", typeCode="SUBJ")
    characteristic = _el(wrapper, "investigationCharacteristic", classCode="OBS", moodCode="EVN")
    _el(characteristic, "code", code=code, codeSystem=codes.OID_INVESTIGATION_CHARACTERISTIC, displayName=display)
    return characteristic


def _characteristics(event: etree._Element, record: Record) -> None:
    """C.1.3 type of report, C.1.9.1 other case ids, C.1.11 nullification or amendment."""
    kind = _characteristic(event, codes.CHARACTERISTIC_REPORT_TYPE, "ichReportType")
    _el(kind, "value", xsi_type="CE", code=codes.REPORT_TYPE_SPONTANEOUS, codeSystem=codes.OID_REPORT_TYPE)
    other = _characteristic(event, codes.CHARACTERISTIC_OTHER_CASE_IDS, "otherCaseIds")
    _boolean(other, _present(record.get("regulator_reference")) is not None)
    nullification = record.get("nullification") or {}
    if nullification.get("nullified"):
        code, reason = codes.NULLIFICATION, nullification.get("reason") or "Case nullified by the sender"
    elif record.get("amendment"):
        code, reason = codes.AMENDMENT, f"Version {record['case_version']} corrects information sent earlier"
    else:
        return
    flag = _characteristic(event, codes.CHARACTERISTIC_NULLIFICATION_CODE, "nullificationAmendmentCode")
    _el(flag, "value", xsi_type="CE", code=code, codeSystem=codes.OID_NULLIFICATION_AMENDMENT)
    why = _characteristic(event, codes.CHARACTERISTIC_NULLIFICATION_REASON, "nullificationAmendmentReason")
    _el(_el(why, "value", xsi_type="CE"), "originalText", reason)


# --- D patient, E reactions, G drugs, H.2 comments -----------------------------------------------


def _assessment(assessment: etree._Element, record: Record) -> None:
    role = _el(_el(assessment, "subject1", typeCode="SBJ"), "primaryRole", classCode="INVSBJ")
    _patient(role, record)
    reaction_ids = [_stable_id(record, f"reaction/{index}") for index, _ in enumerate(record.get("reactions") or [])]
    version = meddra_version((record.get("code_versions") or {}).get("meddra"))
    for reaction, reaction_id in zip(record.get("reactions") or [], reaction_ids, strict=True):
        _reaction(role, reaction_id, reaction, _seriousness(record, reaction), version)
    drugs = drug_list(record)
    if drugs:
        organizer = _el(_el(role, "subjectOf2", typeCode="SBJ"), "organizer", classCode="CATEGORY", moodCode="EVN")
        _el(organizer, "code", code=codes.ORGANIZER_DRUGS, codeSystem=codes.OID_ORGANIZER)
        for drug in drugs:
            _drug(organizer, drug, reaction_ids)
    for drug in drugs:
        _characterisation(assessment, drug)
    if record.get("causality") and drugs and drugs[0].characterisation == codes.CHARACTERISATIONS["suspect"]:
        for reaction_id in reaction_ids:
            _causality(assessment, record["causality"], reaction_id, drugs[0].id)
    if record.get("additional_information"):
        _comment(assessment, record["additional_information"])


def _patient(role: etree._Element, record: Record) -> None:
    """D.1 initials, D.5 sex, D.2.2 age, D.2.3 age group, D.3 weight, D.4 height, D.7.2 history."""
    patient = record["patient"]
    player = _el(role, "player1", classCode="PSN", determinerCode="INSTANCE")
    initials = patient.get("initials")
    _el(player, "name", initials or None, nullFlavor=None if initials else "UNK")
    sex = codes.SEXES.get(patient.get("sex") or "unknown")
    _el(player, "administrativeGenderCode", code=sex, codeSystem=codes.OID_SEX if sex else None,
        nullFlavor=None if sex else "UNK")
    age = patient.get("age")
    if age is not None:
        _observation(role, "subjectOf2", codes.OBS_AGE, "SBJ", displayName="age").append(_pq(age, "a"))
        group = clinical.age_group(age)
        if group is not None:
            observation = _observation(role, "subjectOf2", codes.OBS_AGE_GROUP, "SBJ", displayName="ageGroup")
            _el(observation, "value", xsi_type="CE", code=group, codeSystem=codes.OID_AGE_GROUP,
                displayName=clinical.AGE_GROUPS[group])
    for key, code, unit in (("weight_kg", codes.OBS_BODY_WEIGHT, "kg"), ("height_cm", codes.OBS_HEIGHT, "cm")):
        if patient.get(key) is not None:
            _observation(role, "subjectOf2", code, "SBJ").append(_pq(patient[key], unit))
    history = "\n".join(
        f"{label}: {patient[key]}" for key, label in (("medical_history", "History"), ("allergies", "Allergies"))
        if patient.get(key)
    )
    if history:
        organizer = _el(_el(role, "subjectOf2", typeCode="SBJ"), "organizer", classCode="CATEGORY", moodCode="EVN")
        _el(organizer, "code", code=codes.ORGANIZER_MEDICAL_HISTORY, codeSystem=codes.OID_ORGANIZER)
        _observation(organizer, "component", codes.OBS_HISTORY_TEXT, "COMP")
        _el(organizer[-1][0], "value", history, xsi_type="ED")


def _pq(value: float, unit: str) -> etree._Element:
    element = etree.Element(f"{{{NS}}}value")
    element.set(f"{{{XSI}}}type", "PQ")
    element.set("value", _quantity(value))
    element.set("unit", unit)
    return element


def _seriousness(record: Record, reaction: Reaction) -> dict[str, bool] | None:
    """Return a reaction's seriousness criteria, or None when nobody assessed them.

    A reaction's own assessment wins; a sole reaction without one takes the
    report's (the Yellow Card asks once per report). With several reactions
    and no per-reaction assessment the message says "no information".
    """
    criteria = reaction.get("seriousness_criteria") or {}
    if reaction.get("serious") is not None or any(criteria.values()):
        return {key: bool(criteria.get(key)) for key in codes.SERIOUSNESS}
    seriousness = record.get("seriousness")
    if len(record.get("reactions") or []) == 1 and seriousness and seriousness.get("serious") is not None:
        overall = seriousness.get("criteria") or {}
        return {key: bool(overall.get(key)) for key in codes.SERIOUSNESS}
    return None


def _reaction(
    role: etree._Element, reaction_id: str, reaction: Reaction, serious: dict[str, bool] | None, version: str | None
) -> None:
    """E.i: verbatim, MedDRA code and version (E.i.2.1a), dates, country, seriousness, outcome."""
    observation = _el(_el(role, "subjectOf2", typeCode="SBJ"), "observation", classCode="OBS", moodCode="EVN")
    _el(observation, "id", root=reaction_id)
    _el(observation, "code", code=codes.OBS_REACTION, codeSystem=codes.OID_OBSERVATION, displayName="reaction")
    _period(observation, _date(reaction.get("onset_date")), _date(reaction.get("end_date")))  # E.i.4 / E.i.5
    term = reaction.get("meddra_code")
    # MedDRA codes are digits; anything else cannot be sent as one (the words still go as originalText).
    code = term["code"] if term and str(term.get("code") or "").isdigit() else None
    value = _el(observation, "value", xsi_type="CE", code=code,
                codeSystem=codes.OID_MEDDRA if code else None,
                codeSystemVersion=version if code else None)
    if reaction.get("verbatim"):
        _el(value, "originalText", _clean(reaction["verbatim"])[:VERBATIM_MAX], language="eng")  # E.i.1.1a/b
    located = _el(_el(observation, "location", typeCode="LOC"), "locatedEntity", classCode="LOCE")
    place = _el(located, "locatedPlace", classCode="COUNTRY", determinerCode="INSTANCE")
    _el(place, "code", code=codes.COUNTRY, codeSystem=codes.OID_COUNTRY)  # E.i.9
    for key, (code, name) in codes.SERIOUSNESS.items():  # E.i.3.2a-f
        _boolean(_observation(observation, "outboundRelationship2", code, displayName=name),
                 None if serious is None else serious[key])
    outcome = codes.OUTCOMES.get(reaction.get("outcome") or "")
    if outcome is not None:  # E.i.7
        result = _observation(observation, "outboundRelationship2", codes.OBS_OUTCOME, displayName="outcome")
        _el(result, "value", xsi_type="CE", code=outcome, codeSystem=codes.OID_OUTCOME)


class Drug(NamedTuple):
    """One G.k drug, the suspect ECT drug and the other medicines alike."""

    id: str
    characterisation: str  # G.k.1 code
    name: str | None  # G.k.2.2
    substance: str | None  # G.k.2.3.r.1
    batch: str | None
    dose: float | None
    dose_unit: str | None
    route: str | None
    date_started: str | None
    date_stopped: str | None
    indication: str | None
    action_taken: str | None
    rechallenge: str | None


def drug_list(record: Record) -> list[Drug]:
    """Return the suspect ECT drug first, then each other drug with its own role."""
    drugs = []
    suspect = record.get("suspect_drug")
    if suspect:
        substance = vocab.label(vocab.DRUGS, suspect.get("name")) or None
        drugs.append(Drug(
            _stable_id(record, "drug/suspect"), codes.CHARACTERISATIONS["suspect"], suspect.get("product") or substance,
            substance, suspect.get("batch"), suspect.get("dose"), suspect.get("dose_unit"), suspect.get("route"),
            suspect.get("date_started"), suspect.get("date_stopped"), suspect.get("indication"),
            suspect.get("action_taken"), suspect.get("rechallenge"),
        ))
    for index, other in enumerate(record.get("other_drugs") or []):
        role = codes.CHARACTERISATIONS.get(other.get("characterisation") or "", codes.CHARACTERISATIONS["concomitant"])
        drugs.append(Drug(
            _stable_id(record, f"drug/other/{index}"), role, other.get("name"), None, other.get("batch"),
            other.get("dose"), other.get("dose_unit"), other.get("route"), other.get("date_started"),
            other.get("date_stopped"), other.get("indication"), None, None,
        ))
    return drugs


def _drug(organizer: etree._Element, drug: Drug, reaction_ids: list[str]) -> None:
    """G.k: product, dosage (G.k.4.r), rechallenge per reaction, indication, action taken."""
    given = _el(_el(organizer, "component", typeCode="COMP"), "substanceAdministration",
                classCode="SBADM", moodCode="EVN")
    _el(given, "id", root=drug.id)
    kind = _el(_el(_el(given, "consumable", typeCode="CSM"), "instanceOfKind", classCode="INST"),
               "kindOfProduct", classCode="MMAT", determinerCode="KIND")
    _el(kind, "name", drug.name or "Not named")
    if drug.substance:
        ingredient = _el(kind, "ingredient", classCode="ACTI")
        _el(_el(ingredient, "ingredientSubstance", classCode="MMAT", determinerCode="KIND"), "name", drug.substance)
    _dosage(given, drug)
    code = codes.RECHALLENGE.get(drug.rechallenge or "")
    for reaction_id in reaction_ids if code else []:
        observation = _observation(given, "outboundRelationship2", codes.OBS_RECHALLENGE)
        _el(observation, "value", xsi_type="CE", code=code, codeSystem=codes.OID_RECHALLENGE)
        reference = _el(_el(observation, "outboundRelationship1", typeCode="REFR"), "actReference",
                        classCode="OBS", moodCode="EVN")
        _el(reference, "id", root=reaction_id)
    if drug.indication:
        reason = _el(_el(given, "inboundRelationship", typeCode="RSON"), "observation", classCode="OBS", moodCode="EVN")
        _el(reason, "code", code=codes.OBS_INDICATION, codeSystem=codes.OID_OBSERVATION)
        _el(_el(reason, "value", xsi_type="CE"), "originalText", drug.indication)  # G.k.7.r.1
    action = codes.ACTIONS_TAKEN.get(drug.action_taken or "")
    if action is not None:
        act = _el(_el(given, "inboundRelationship", typeCode="CAUS"), "act", classCode="ACT", moodCode="EVN")
        _el(act, "code", code=action, codeSystem=codes.OID_ACTION_TAKEN)  # G.k.8


def _period(parent: etree._Element, start: str | None, stop: str | None) -> None:
    """Add an IVL_TS effectiveTime with the dates that are known (none: nothing added)."""
    if not (start or stop):
        return
    period = _el(parent, "effectiveTime", xsi_type="IVL_TS")
    if start:
        _el(period, "low", value=start)
    if stop:
        _el(period, "high", value=stop)


def _route(dosage: etree._Element, route: str) -> None:
    """G.k.4.r.10: the E2B route code when the value has one, and always the route as text."""
    label = vocab.OTHER_DRUG_ROUTES.get(route) or vocab.ROUTES.get(route) or route
    code = codes.ROUTES.get(route)
    _el(_el(dosage, "routeCode", code=code, codeSystem=codes.OID_ROUTE if code else None), "originalText", label)


def _dosage(given: etree._Element, drug: Drug) -> None:
    """G.k.4.r: dates, route, dose with its UCUM unit, batch; left out when nothing is known.

    A dose in a unit with no UCUM code goes into the dosage text (G.k.4.r.8)
    rather than under a unit the receiver would misread.
    """
    unit = codes.DOSE_UNITS.get(drug.dose_unit or "")
    start, stop = _date(drug.date_started), _date(drug.date_stopped)
    if not (start or stop or drug.route or drug.dose is not None or drug.batch):
        return
    dosage = _el(_el(given, "outboundRelationship2", typeCode="COMP"), "substanceAdministration",
                 classCode="SBADM", moodCode="EVN")
    if drug.dose is not None and unit is None:
        _el(dosage, "text", f"{_quantity(drug.dose)} {drug.dose_unit or ''}".strip())
    _period(dosage, start, stop)  # G.k.4.r.4 / G.k.4.r.5
    if drug.route:
        _route(dosage, drug.route)
    if drug.dose is not None and unit is not None:
        _el(dosage, "doseQuantity", value=_quantity(drug.dose), unit=unit)  # G.k.4.r.1a/b
    if drug.batch:
        instance = _el(_el(dosage, "consumable", typeCode="CSM"), "instanceOfKind", classCode="INST")
        product = _el(instance, "productInstanceInstance", classCode="MMAT", determinerCode="INSTANCE")
        _el(product, "lotNumberText", drug.batch[:35])  # G.k.4.r.7


def _characterisation(assessment: etree._Element, drug: Drug) -> None:
    """G.k.1: the drug's role (suspect, concomitant, interacting)."""
    causality = _el(_el(assessment, "component", typeCode="COMP"), "causalityAssessment",
                    classCode="OBS", moodCode="EVN")
    _el(causality, "code", code=codes.OBS_CHARACTERISATION, codeSystem=codes.OID_OBSERVATION)
    _el(causality, "value", xsi_type="CE", code=drug.characterisation, codeSystem=codes.OID_CHARACTERISATION)
    reference = _el(_el(causality, "subject2", typeCode="SUBJ"), "productUseReference", classCode="SBADM",
                    moodCode="EVN")
    _el(reference, "id", root=drug.id)


def _causality(assessment: etree._Element, causality: str, reaction_id: str, drug_id: str) -> None:
    """G.k.9.i.2.r: the reporter's WHO-UMC causality for the suspect drug and one reaction."""
    element = _el(_el(assessment, "component", typeCode="COMP"), "causalityAssessment",
                  classCode="OBS", moodCode="EVN")
    _el(element, "code", code="39", codeSystem=codes.OID_OBSERVATION, displayName="causality")
    _el(element, "value", vocab.label(vocab.CAUSALITY, causality), xsi_type="ST")
    _el(_el(element, "methodCode"), "originalText", "WHO-UMC")
    source = _el(_el(_el(element, "author", typeCode="AUT"), "assignedEntity", classCode="ASSIGNED"), "code")
    _el(source, "originalText", "Primary source reporter")
    subject = _el(_el(element, "subject1", typeCode="SUBJ"), "adverseEffectReference", classCode="OBS",
                  moodCode="EVN")
    _el(subject, "id", root=reaction_id)
    product = _el(_el(element, "subject2", typeCode="SUBJ"), "productUseReference", classCode="SBADM",
                  moodCode="EVN")
    _el(product, "id", root=drug_id)


def _comment(assessment: etree._Element, text: str) -> None:
    """H.2: the reporter's comments (the report's additional information)."""
    event = _el(_el(assessment, "component1", typeCode="COMP"), "observationEvent", classCode="OBS", moodCode="EVN")
    _el(event, "code", code=codes.OBS_COMMENT, codeSystem=codes.OID_OBSERVATION, displayName="comment")
    _el(event, "value", text, xsi_type="ED")
    entity = _el(_el(event, "author", typeCode="AUT"), "assignedEntity", classCode="ASSIGNED")
    _el(entity, "code", code=codes.SOURCE_REPORTER, codeSystem=codes.OID_ASSESSMENT_SOURCE)


class E2bRenderer(Renderer):
    """Render a medicine record as an ICH E2B(R3) ICSR batch (UTF-8 XML).

    With ``settings.schema_dir`` set, the message is validated against the
    ICH schema before it is returned, and ``E2bInvalid`` (with the
    validator's first messages) is raised instead of handing out a file the
    regulator would reject.
    """

    extension = "xml"
    mimetype = "application/xml"

    def __init__(self, settings: E2bSettings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))

    def render(self, record: Record) -> bytes:
        root = build_message(record, self.settings, self.clock())
        content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        if self.settings.schema_file is not None:
            problems = schema_errors(content, self.settings.schema_file)
            if problems:
                raise E2bInvalid(problems)
        return content
