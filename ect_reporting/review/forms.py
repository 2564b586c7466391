"""The queue's filter form (a GET form, so links and bookmarks keep the filters)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField

from ect_reporting import vocab
from ect_reporting.review.queries import DUE_CHOICES, SERIOUSNESS_CHOICES, SORT_CHOICES, STATE_CHOICES, QueueFilters

ANY = ""


def _choices(any_label: str | None, pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    head = [SelectChoice(ANY, any_label)] if any_label else []
    return head + [SelectChoice(value, label) for value, label in pairs]


class QueueFilterForm(FlaskForm):
    """Filters for the review queue; every field is optional."""

    class Meta:
        csrf = False  # a GET search form changes nothing

    state = SelectField("State", choices=_choices(None, STATE_CHOICES.items()), default="open")
    kind = SelectField("Kind of report", choices=_choices("Any kind", vocab.REPORT_KINDS.items()), default=ANY)
    seriousness = SelectField("Seriousness", choices=_choices("Any", SERIOUSNESS_CHOICES.items()), default=ANY)
    clinician = SelectField("Reported by", choices=_choices("Anyone", []), default=ANY)
    drug = SelectField("Drug", choices=_choices("Any drug", vocab.DRUGS.items()), default=ANY)
    device_model = SelectField("Device model", choices=_choices("Any device", []), default=ANY)
    due = RadioField("Due date", choices=_choices(None, DUE_CHOICES.items()), default="all")
    sort = SelectField("Sort by", choices=_choices(None, SORT_CHOICES.items()), default="due")

    def set_options(self, clinicians: Sequence[tuple[int, str]], device_models: Sequence[str]) -> None:
        """Offer the people and device models that appear on reports."""
        self.clinician.choices = _choices("Anyone", ((str(user_id), name) for user_id, name in clinicians))
        self.device_model.choices = _choices("Any device", ((model, model) for model in device_models))

    def filters(self) -> QueueFilters:
        """Return the validated choices as plain query filters."""
        return QueueFilters(
            state=self.state.data or "open",
            kind=self.kind.data or None,
            seriousness=self.seriousness.data or None,
            due=self.due.data or "all",
            clinician_id=int(self.clinician.data) if self.clinician.data else None,
            drug=self.drug.data or None,
            device_model=self.device_model.data or None,
            sort=self.sort.data or "due",
        )

    def query_args(self) -> dict[str, str]:
        """Return the non-default filter values, for links that keep the filters."""
        return {f.name: f.data for f in self if f.data is not None and f.data != f.default}
