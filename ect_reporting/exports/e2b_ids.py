"""Identifiers an E2B(R3) exchange uses to match messages and acknowledgements.

The ICSR message number (N.2.r.1) is what the receiver quotes back in its
acknowledgement (ACK.B.r.1), so it must be derived, not random: one case
version always exports under the same number, and an acknowledgement file
can be matched to the report it answers without storing anything extra.
"""

from __future__ import annotations


def message_number(case_id: str, case_version: int) -> str:
    """Return the ICSR message number of one version of a case, e.g. ``GB-ECT-000042-v2``."""
    return f"{case_id}-v{case_version}"


def batch_number(case_id: str, case_version: int) -> str:
    """Return the batch number (N.1.2) of the one-message batch that carries that version."""
    return f"{message_number(case_id, case_version)}-batch"


def parse_message_number(number: str) -> tuple[str, int] | None:
    """Return (case id, case version) from a message number, or None when it is not one of ours."""
    case_id, separator, version = number.strip().rpartition("-v")
    if not separator or not case_id or not version.isdigit():
        return None
    return case_id, int(version)
