"""Factories for the review tests: reports in any state with chosen dates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ect_reporting.extensions import db
from ect_reporting.models import EctSession, Reaction, Report, User
from ect_reporting.reports import services


@pytest.fixture
def make_report(app: Any, clinician: User, make_session: Callable[..., EctSession]) -> Callable[..., Report]:
    """Factory: make_report(kind, user=, session=, state=, reactions=[{...}], **column values) -> Report.

    Builds the report through ``reports.create_report`` (so it is pre-filled
    and audited), then sets the given columns directly - state and dates
    included - to put it exactly where a test needs it.
    """

    def factory(
        kind: str = "medicine",
        *,
        user: User | None = None,
        session: EctSession | None = None,
        state: str = "submitted_for_review",
        reactions: Sequence[dict[str, Any]] = (),
        **values: Any,
    ) -> Report:
        author = user or clinician
        report = services.create_report(db.session, author, session or make_session(user=author), kind)
        for position, reaction in enumerate(reactions):
            report.reactions.append(Reaction(position=position, **reaction))
        report.state = state
        for attr, value in values.items():
            setattr(report, attr, value)
        db.session.commit()
        return report

    return factory
