"""Reference code lists (OPCS-4, CTCAE v5.0 / MedDRA, IMDRF) shipped as data.

Why data files: each list has a version and a source, and several entries
are not confirmed (reference doc). Keeping them as reviewable JSON/CSV
beside this package, loaded once per process (``functools.cache``), lets a
coder or safety officer correct an entry without a code change, and lets
exports state exactly which version of each list they used.
"""

from ect_reporting.reference._resources import ReferenceDataError
from ect_reporting.reference.imdrf import (
    ImdrfFamily,
    ImdrfTerm,
    code_and_term,
    device_problem_codes,
    health_effect_codes,
    imdrf_release,
    imdrf_term,
    imdrf_version,
    search_families,
    selectable_children,
)
from ect_reporting.reference.meddra_ctcae import (
    MeddraTerm,
    allowed_grades,
    ctcae_version,
    grade_description,
    meddra_term,
    meddra_terms,
)
from ect_reporting.reference.opcs4 import (
    OpcsCode,
    OpcsCoding,
    code_session,
    opcs_code,
    opcs_release,
    opcs_version,
)

__all__ = [
    "ImdrfFamily",
    "ImdrfTerm",
    "MeddraTerm",
    "OpcsCode",
    "OpcsCoding",
    "ReferenceDataError",
    "allowed_grades",
    "code_and_term",
    "code_session",
    "ctcae_version",
    "device_problem_codes",
    "grade_description",
    "health_effect_codes",
    "imdrf_release",
    "imdrf_term",
    "imdrf_version",
    "meddra_term",
    "meddra_terms",
    "opcs_code",
    "opcs_release",
    "opcs_version",
    "search_families",
    "selectable_children",
]
