"""E2B(R3) acknowledgement files for tests, built from the FDA examples.

The examples live in the shared reference folder beside the checkout (CI
has it there); they are never copied into the product. Tests that need
them skip, saying where they looked, when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.conftest import missing_standards

EXAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "e2b-r3-examples"
HL7 = {"hl7": "urn:hl7-org:v3"}
# A phrase of the negative example's ACK.B.r.7 text.
NEGATIVE_TEXT = "Patient Ethnicity Code (FDA.D.12) must be provided"


def example(name: str) -> bytes:
    """Return an example file's bytes, or skip when the reference folder is not beside the checkout."""
    path = EXAMPLES / name
    if not path.exists():
        missing_standards(f"E2B(R3) examples not found at {EXAMPLES.resolve()} (CI has them beside the checkout)")
    return path.read_bytes()


def ack_for(*numbers: str, accepted: bool = True) -> bytes:
    """The positive (CA) or negative (CR) example, with one message answering each of ``numbers`` (ACK.B.r.1)."""
    root = etree.fromstring(example("R3ack-positive.ack" if accepted else "R3ack-negative.ack"))
    [message] = root.findall("hl7:MCCI_IN000002UV01", HL7)
    position = list(root).index(message)
    root.remove(message)
    for offset, number in enumerate(numbers):
        copy = etree.fromstring(etree.tostring(message))
        copy.find("hl7:acknowledgement/hl7:targetMessage/hl7:id", HL7).set("extension", number)
        root.insert(position + offset, copy)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
