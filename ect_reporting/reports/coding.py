"""Which code-list versions a report's codes were chosen from.

Why: IMDRF terms and MedDRA/CTCAE terms change between releases, so a
code means little without the release it came from. When a report is
saved with codes, the release of each list in use is stored on the row
(``reports.imdrf_release``, ``reports.meddra_version``); a report with no
codes stores none, so no export claims a version nobody used.
"""

from __future__ import annotations

from ect_reporting import reference
from ect_reporting.models import Report
from ect_reporting.reference.meddra_ctcae import ctcae_meta

# Marks a MedDRA version the CTCAE subset states but that nobody has checked.
UNCONFIRMED = " (unconfirmed)"


def meddra_stamp() -> str:
    """Return the MedDRA version stored with MedDRA-coded reports.

    The CTCAE v5.0 subset names its MedDRA version but marks it
    unconfirmed; the stored value says so rather than look certain.
    """
    meta = ctcae_meta()
    return meta.meddra_version + ("" if meta.meddra_version_confirmed else UNCONFIRMED)


def stamp_coding_versions(report: Report) -> None:
    """Set the code-list versions on ``report`` from the codes it now holds."""
    if report.kind == "medicine":
        coded = any(reaction.meddra_code for reaction in report.reactions)
        report.meddra_version = meddra_stamp() if coded else None
        report.imdrf_release = None
    else:
        coded = bool(report.device_problem_codes or report.health_effect_codes)
        report.imdrf_release = reference.imdrf_release() if coded else None
        report.meddra_version = None


def ctcae_version_for(meddra_version: str | None) -> str | None:
    """Return the CTCAE version that goes with a stored MedDRA stamp.

    Only the shipped subset's own stamp is known to go with its CTCAE
    version; any other (older) stamp gives ``None`` rather than a guess.
    """
    if meddra_version is None or meddra_version != meddra_stamp():
        return None
    return reference.ctcae_version()
