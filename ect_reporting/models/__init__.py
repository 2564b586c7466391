"""SQLAlchemy 2 typed models."""

from ect_reporting.models import case_heads  # noqa: F401  (registers the is_current flush hook)
from ect_reporting.models.audit import AuditEvent
from ect_reporting.models.login import LoginFailure
from ect_reporting.models.report import OtherDrug, Reaction, Report, ReportComment
from ect_reporting.models.session import EctSession
from ect_reporting.models.site import Site, Team
from ect_reporting.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "EctSession",
    "LoginFailure",
    "OtherDrug",
    "Reaction",
    "Report",
    "ReportComment",
    "Site",
    "Team",
    "User",
]
