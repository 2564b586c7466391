"""Read an ICH E2B(R3) acknowledgement (HL7 ``MCCI_IN200101UV01``).

The regulator answers each batch of ICSRs with one acknowledgement: a
batch-level code (ACK.A.4) and, per ICSR message, the message number it
answers (ACK.B.r.1), an accept or reject code (ACK.B.r.6) and its error
or warning texts (ACK.B.r.7). This module only reads the file into frozen
dataclasses; matching messages to reports is ``reports.acknowledgements``.

The file comes from outside (an upload or an API body), so it is parsed
the defusedxml way: entities are never expanded, nothing is fetched from
the network, huge trees are refused, and a file that declares a DTD is
refused outright (no genuine acknowledgement has one). Every problem
becomes an ``AckError`` with a message a governance lead can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

HL7 = "urn:hl7-org:v3"
ROOT = "MCCI_IN200101UV01"
MESSAGE = "MCCI_IN000002UV01"

# ACK.A.4: transmission acknowledgement code of the whole batch.
BATCH_CODES = {"AA": "Accepted", "AE": "Accepted with errors", "AR": "Rejected"}
# ACK.B.r.6: acknowledgement code of one ICSR message.
MESSAGE_CODES = {"CA": "Accepted", "CR": "Rejected"}
# attentionLine keyWordText codes (E2B(R3) OID 2.16.840.1.113883.3.989.2.1.1.24).
MAX_ID_LENGTH = 100  # E2B(R3) length of ACK.M.1, ACK.A.1/2, ACK.B.r.1/2
_MESSAGE_CREATION_DATE = "1"  # ACK.B.r.5
_LOCAL_MESSAGE_NUMBER = "2"  # ACK.A.2
_BATCH_TRANSMISSION_DATE = "3"  # ACK.A.3


class AckError(ValueError):
    """The file is not an E2B(R3) acknowledgement this app can read; the message says why."""


@dataclass(frozen=True)
class MessageAck:
    """The regulator's answer to one ICSR message (ACK.B.r)."""

    message_number: str  # ACK.B.r.1: the ICSR message number (N.2.r.1) it answers
    local_report_number: str | None  # ACK.B.r.2
    receiver: str | None  # ACK.B.r.3: who the acknowledgement is for (the original sender)
    sender: str | None  # ACK.B.r.4: who sends it (the regulator)
    message_date: date | None  # ACK.B.r.5: when the ICSR message was created
    code: str  # ACK.B.r.6: CA or CR
    texts: tuple[str, ...]  # ACK.B.r.7: error / warning messages or comments

    @property
    def accepted(self) -> bool:
        """True for CA (the regulator loaded the report)."""
        return self.code == "CA"

    @property
    def code_label(self) -> str:
        """Return the code in words."""
        return MESSAGE_CODES[self.code]


@dataclass(frozen=True)
class Acknowledgement:
    """One acknowledgement file: the batch-level answer and one ``MessageAck`` per ICSR."""

    batch_number: str | None  # ACK.M.1: the acknowledgement's own batch number
    batch_sender: str | None  # ACK.M.2: the regulator
    batch_receiver: str | None  # ACK.M.3: us
    created: date | None  # ACK.M.4: date of the acknowledgement
    local_message_number: str | None  # ACK.A.2
    icsr_batch_number: str | None  # ACK.A.1: our batch number (N.1.2) it answers
    transmission_date: date | None  # ACK.A.3: when our batch was sent
    code: str  # ACK.A.4: AA, AE or AR
    batch_texts: tuple[str, ...]  # ACK.A.5: batch validation errors or comments
    messages: tuple[MessageAck, ...]

    @property
    def code_label(self) -> str:
        """Return the batch code in words."""
        return BATCH_CODES[self.code]


@dataclass(frozen=True)
class ReceivedAck:
    """One message's answer with the file it came in: what a report records."""

    batch: Acknowledgement
    message: MessageAck


def _q(name: str) -> str:
    return f"{{{HL7}}}{name}"


def _path(*names: str) -> str:
    return "/".join(f"hl7:{name}" for name in names)


_NS = {"hl7": HL7}


def _first(element: etree._Element, path: str, attribute: str) -> str | None:
    """Return the stripped attribute of the first match of ``path``, or None when absent or blank."""
    found = element.xpath(_path(*path.split("/")), namespaces=_NS)
    value = (found[0].get(attribute) or "").strip() if found else ""
    if len(value) > MAX_ID_LENGTH:
        raise AckError(f"The value at {path} is longer than {MAX_ID_LENGTH} characters (E2B(R3) limit)")
    return value or None


def _texts(element: etree._Element, path: str) -> tuple[str, ...]:
    """Return every non-blank text at ``path``, stripped, in document order."""
    nodes = element.xpath(_path(*path.split("/")), namespaces=_NS)
    return tuple(text for node in nodes if (text := "".join(node.itertext()).strip()))


def hl7_date(value: str | None) -> date | None:
    """Return the date part of an HL7 TS (``YYYYMMDD[HHMMSS][+ZZZZ]``), or None when absent.

    Only the date is kept: pages and the record show the day, and the
    time zone offsets in real files vary.
    """
    if value is None:
        return None
    digits = value[:8]
    if len(digits) < 8 or not digits.isdigit():
        raise AckError(f"'{value}' is not an HL7 date (expected YYYYMMDD...)")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise AckError(f"'{value}' is not a real date") from None


def _attention(element: etree._Element, keyword: str, attribute: str) -> str | None:
    """Return ``value/@attribute`` of the attentionLine whose keyWordText code is ``keyword``."""
    for line in element.findall(_q("attentionLine")):
        key = line.find(_q("keyWordText"))
        if key is not None and key.get("code") == keyword:
            return _first(line, "value", attribute)
    return None


def _code(acknowledgement: etree._Element | None, allowed: dict[str, str], what: str) -> str:
    code = acknowledgement.get("typeCode", "").strip() if acknowledgement is not None else ""
    if not code:
        raise AckError(f"The acknowledgement has no {what}")
    if code not in allowed:
        raise AckError(f"{what[0].upper()}{what[1:]} '{code}' is not one of {', '.join(allowed)}")
    return code


def _message(element: etree._Element, position: int) -> MessageAck:
    """Read one ACK.B.r block; ``position`` (from 1) names it in errors."""
    acknowledgement = element.find(_q("acknowledgement"))
    what = f"acknowledgement code (ACK.B.r.6) for message {position}"
    code = _code(acknowledgement, MESSAGE_CODES, what)
    assert acknowledgement is not None  # _code raised otherwise
    number = _first(acknowledgement, "targetMessage/id", "extension")
    if number is None:
        raise AckError(f"Message {position} does not say which ICSR message it answers (ACK.B.r.1)")
    return MessageAck(
        message_number=number,
        local_report_number=_first(element, "id", "extension"),
        receiver=_first(element, "receiver/device/id", "extension"),
        sender=_first(element, "sender/device/id", "extension"),
        message_date=hl7_date(_attention(element, _MESSAGE_CREATION_DATE, "value")),
        code=code,
        texts=_texts(acknowledgement, "acknowledgementDetail/text"),
    )


def _batch(root: etree._Element) -> Acknowledgement:
    acknowledgement = root.find(_q("acknowledgement"))
    code = _code(acknowledgement, BATCH_CODES, "transmission acknowledgement code (ACK.A.4)")
    assert acknowledgement is not None
    messages = tuple(_message(element, n) for n, element in enumerate(root.findall(_q(MESSAGE)), start=1))
    return Acknowledgement(
        batch_number=_first(root, "id", "extension"),
        batch_sender=_first(root, "sender/device/id", "extension"),
        batch_receiver=_first(root, "receiver/device/id", "extension"),
        created=hl7_date(_first(root, "creationTime", "value")),
        local_message_number=_attention(root, _LOCAL_MESSAGE_NUMBER, "extension"),
        icsr_batch_number=_first(acknowledgement, "targetBatch/id", "extension"),
        transmission_date=hl7_date(_attention(root, _BATCH_TRANSMISSION_DATE, "value")),
        code=code,
        batch_texts=_texts(acknowledgement, "acknowledgementDetail/text"),
        messages=messages,
    )


def _safe_parser() -> etree.XMLParser:
    """A parser that never expands entities, reads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )


def parse_acknowledgement(content: bytes) -> Acknowledgement:
    """Parse an acknowledgement file; raise ``AckError`` saying what is wrong with it."""
    if not content.strip():
        raise AckError("The file is empty")
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise AckError(f"The file is not well-formed XML ({exc.msg})") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise AckError("The file declares a DTD or entities; an E2B(R3) acknowledgement never does")
    if root.tag != _q(ROOT):
        name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise AckError(f"The file is not an E2B(R3) acknowledgement: its root is {name}, expected {ROOT} (HL7 v3)")
    return _batch(root)
