"""WTForms built from the field tables, so forms and API share one spec.

WTForms only converts text to typed values here (with NHS-style
messages); the rules themselves run in ``rules.py`` for forms and API
alike, and their errors are attached back to the form fields by their
dotted path. Shared by the sessions (capture) and reports blueprints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.utils import unset_value
from wtforms.validators import Optional

from ect_reporting import reference
from ect_reporting.exceptions import ValidationFailed
from ect_reporting.extensions import db
from ect_reporting.fields import (
    BLANK_FORM_ATTRS,
    DEFECTIVE_MEDICINE_FIELDS,
    DEVICE_FIELDS,
    MEDICINE_FIELDS,
    MEDICINE_LISTS,
    OTHER_DRUG_FIELDS,
    REACTION_FIELDS,
    REPORT_COMMON_FIELDS,
    SESSION_FIELDS,
    Field,
    blank_form_fields,
)

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
# Enumerations with more options than this render as a select, not radios.
MAX_RADIOS = 6


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (several choices allowed)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class OptionalBooleanField(RadioField):
    """Yes / No radios that also allow "not answered" (None)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=YES_NO, validators=[Optional()], validate_choice=False, **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = None if value is None else ("yes" if value else "no")

    def typed(self) -> bool | None:
        """Return the answer as True / False / None."""
        return {"yes": True, "no": False}.get(self.data or "")


# "27,000", "27 000" (also with a thin or no-break space): digits grouped in threes.
_GROUPED_NUMBER = re.compile(r"^\d{1,3}(?:[,\s\u202f\u00a0]\d{3})+(?:\.\d+)?$")


class NumberField(DecimalField):
    """A decimal number as people type it: thousands separators allowed, whole numbers shown without ".0".

    A dose written "27,000" is common on prescriptions; refusing it with
    "Not a valid decimal value" (a message that does not say which field)
    loses the clinician's input for nothing.
    """

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, places=None, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        if _GROUPED_NUMBER.match(text):
            text = re.sub(r"[,\s\u202f\u00a0]", "", text)
        try:
            super().process_formdata([text] if valuelist else valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a number, like 27000 or 27,000") from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        data = self.data
        if isinstance(data, float | Decimal) and math.isfinite(data) and data == int(data):
            return str(int(data))
        return super()._value()


DATE_PARTS = ("day", "month", "year")


class DateInputField(DateField):
    """A date typed in the NHS date input pattern: day, month and year boxes.

    The boxes post as ``<name>-day``, ``<name>-month`` and ``<name>-year``.
    Browsers' native date pickers showed US-order dates while the hints
    said "15 March 2025"; three numbered boxes are what the NHS service
    manual asks for. ``error_part`` names the box an error summary link
    should land on (the first one with a problem).
    """

    error_part = "day"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(None, data, extra_filters)
        if formdata is None:
            return
        self.raw_data = [str(formdata.get(f"{self.name}-{part}", "")).strip() for part in DATE_PARTS]
        try:
            self.process_formdata(self.raw_data)
        except ValueError as exc:
            self.process_errors.append(exc.args[0])

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        day, month, year = ([*valuelist, "", "", ""])[:3]
        if not (day or month or year):
            return
        missing = [part for part, value in zip(DATE_PARTS, (day, month, year), strict=True) if not value]
        label = self.label.text
        if missing:
            self.error_part = missing[0]
            raise ValueError(f"{label} must include a {' and '.join(missing)}")
        if not (day.isdecimal() and month.isdecimal() and year.isdecimal()):
            self.error_part = next(p for p, v in zip(DATE_PARTS, (day, month, year), strict=True) if not v.isdecimal())
            raise ValueError(f"{label} must be a real date")
        if len(year) != 4:
            self.error_part = "year"
            raise ValueError(f"{label}: the year must have 4 numbers, for example 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{label} must be a real date") from None

    def set_date(self, value: date) -> None:
        """Fill the boxes as if the person had typed ``value`` (the one-click "today")."""
        self.data = value
        self.raw_data = [str(value.day), str(value.month), str(value.year)]
        self.errors = []

    def parts(self) -> dict[str, str]:
        """Return what each box shows: what was typed, else the stored date."""
        if self.raw_data:
            return dict(zip(DATE_PARTS, [*self.raw_data, "", "", ""][:3], strict=True))
        if isinstance(self.data, date):
            return {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        return dict.fromkeys(DATE_PARTS, "")


# "14:30", "14.30", "1430" or "9:05": the 24-hour clock as people type it.
_TIME_24H = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


class TimeTextField(StringField):
    """A 24-hour time typed as text ("14:30"), not the browser's time picker.

    Chromium showed "10:02 AM" in its picker although the service asks for
    the 24-hour clock; a plain text box shows what was typed, in any browser.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        match = _TIME_24H.match(text)
        if match is None:
            raise ValueError(f"{self.label.text} must be a real time on the 24-hour clock, for example 14:30")
        self.data = time(int(match.group(1)), int(match.group(2)))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""


def _choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _code_choices(field: Field) -> list[SelectChoice]:
    annexes = CODE_PICKER_ANNEXES.get(field.attr)
    if annexes is not None:
        return _choices((t.code, t.label) for t in reference.imdrf.codable(annexes))
    return _choices((field.choices or {}).items())


# IMDRF codes fields (too many codes for a plain list: searched, grouped by family).
CODE_PICKER_ANNEXES: dict[str, str] = {
    "device_problem_codes": reference.imdrf.DEVICE_PROBLEM_ANNEXES,
    "health_effect_codes": reference.imdrf.HEALTH_EFFECT_ANNEXES,
}
# Name of the search box of a codes field: SEARCH_PREFIX + field name.
SEARCH_PREFIX = "code_search-"


@dataclass(frozen=True)
class CodePicker:
    """What the form shows for one IMDRF codes field after a search.

    ``hidden`` are codes already ticked that the search filtered out: the
    page keeps them as hidden inputs (and names them) so a search never
    loses a choice.
    """

    query: str
    families: tuple[reference.ImdrfFamily, ...]
    selected: frozenset[str]
    hidden: tuple[tuple[str, str], ...]  # (code, "code - term")

    def is_open(self, family: reference.ImdrfFamily) -> bool:
        """Open a family that holds a ticked code, or every family in a search result."""
        return bool(self.query.strip()) or any(t.code in self.selected for t in family.codes)


def code_picker(annexes: str, query: str, selected: Iterable[str]) -> CodePicker:
    """Return the families matching ``query`` and the ticked codes it hides."""
    ticked = [code for code in dict.fromkeys(selected) if code]
    families = reference.search_families(annexes, query)
    shown = {t.code for family in families for t in family.codes}
    hidden = []
    for code in ticked:
        if code not in shown:
            term = reference.imdrf_term(code)
            hidden.append((code, term.label if term else code))
    return CodePicker(query.strip(), families, frozenset(ticked), tuple(hidden))


def code_pickers(form: Any, formdata: Mapping[str, str]) -> dict[str, CodePicker]:
    """Return a ``CodePicker`` per IMDRF codes field of ``form`` (none on other forms)."""
    return {
        attr: code_picker(annexes, formdata.get(SEARCH_PREFIX + attr, ""), form[attr].data or [])
        for attr, annexes in CODE_PICKER_ANNEXES.items()
        if attr in form
    }


def _meddra_field(field: Field) -> Any:
    choices = _choices(
        [("", "Select a term"), *((t.code, f"{t.term} ({t.code})") for t in reference.meddra_terms())]
    )
    return SelectField(field.label, choices=choices, validators=[Optional()], validate_choice=False)


def _ctcae_grade_field(field: Field) -> Any:
    return SelectField(
        field.label,
        choices=_choices([("", "Not graded"), *((str(g), f"Grade {g}") for g in range(1, 6))]),
        validators=[Optional()],
        validate_choice=False,
        coerce=_int_or_none,
    )


def _enum_field(field: Field) -> Any:
    choices = _choices((field.choices or {}).items())
    if len(choices) > MAX_RADIOS:
        return SelectField(
            field.label, choices=[SelectChoice("", "Select"), *choices], validators=[Optional()], validate_choice=False
        )
    return RadioField(field.label, choices=choices, validators=[Optional()], validate_choice=False)


def _codes_field(field: Field) -> Any:
    return MultiCheckboxField(
        field.label, choices=_code_choices(field), validators=[Optional()], validate_choice=False
    )


# Fields with their own widget, by attribute name; checked before the type.
_BUILDERS_BY_ATTR: dict[str, Callable[[Field], Any]] = {
    "meddra_code": _meddra_field,
    "ctcae_grade": _ctcae_grade_field,
}

_BUILDERS_BY_TYPE: dict[str, Callable[[Field], Any]] = {
    "str": lambda f: StringField(f.label, validators=[Optional()]),
    "text": lambda f: TextAreaField(f.label, validators=[Optional()]),
    "int": lambda f: IntegerField(f.label, validators=[Optional()], render_kw={"inputmode": "numeric"}),
    "float": lambda f: NumberField(f.label, validators=[Optional()], render_kw={"inputmode": "decimal"}),
    # No Optional(): it would clear a "must include a month" error when the day box is empty.
    "date": lambda f: DateInputField(f.label),
    "time": lambda f: TimeTextField(f.label, validators=[Optional()], render_kw={"spellcheck": False}),
    "bool": lambda f: OptionalBooleanField(f.label),
    "enum": _enum_field,
    "codes": _codes_field,
}


def make_wtforms_field(field: Field) -> Any:
    """Return the unbound WTForms field for one field spec."""
    builder = _BUILDERS_BY_ATTR.get(field.attr) or _BUILDERS_BY_TYPE.get(field.type)
    if builder is None:
        raise AssertionError(field.type)
    return builder(field)


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


def _form_class(name: str, base: type, fields: Iterable[Field], extra: dict[str, Any] | None = None) -> type:
    attrs: dict[str, Any] = {f.attr: make_wtforms_field(f) for f in fields}
    attrs.update(extra or {})
    return type(name, (base,), attrs)


ReactionForm = _form_class("ReactionForm", Form, REACTION_FIELDS)
OtherDrugForm = _form_class("OtherDrugForm", Form, OTHER_DRUG_FIELDS)
SessionForm = _form_class("SessionForm", FlaskForm, SESSION_FIELDS)
MedicineReportForm = _form_class(
    "MedicineReportForm",
    FlaskForm,
    REPORT_COMMON_FIELDS + MEDICINE_FIELDS,
    {
        "reactions": FieldList(FormField(ReactionForm), min_entries=1),
        "other_drugs": FieldList(FormField(OtherDrugForm), min_entries=0),
    },
)
DeviceReportForm = _form_class("DeviceReportForm", FlaskForm, REPORT_COMMON_FIELDS + DEVICE_FIELDS)
DefectiveMedicineReportForm = _form_class(
    "DefectiveMedicineReportForm", FlaskForm, REPORT_COMMON_FIELDS + DEFECTIVE_MEDICINE_FIELDS
)

# The edit form of each report kind (vocab.REPORT_KINDS).
REPORT_FORMS: dict[str, type] = {
    "medicine": MedicineReportForm,
    "device": DeviceReportForm,
    "defective_medicine": DefectiveMedicineReportForm,
}


# The blank-form start of each kind (fields.BLANK_FORM_ATTRS).
BLANK_FORMS: dict[str, type] = {
    kind: _form_class(f"Blank{kind.title().replace('_', '')}Form", FlaskForm, blank_form_fields(kind))
    for kind in BLANK_FORM_ATTRS
}


class SentDateForm(Form):
    """The "Date sent" boxes of the report page's send action (its CSRF token is checked app-wide)."""

    sent_date = DateInputField("Date sent")


def typed_values(form: Any, fields: Iterable[Field]) -> dict[str, Any]:
    """Return {attr: python value} from a validated form."""
    values: dict[str, Any] = {}
    for field in fields:
        wt = form[field.attr]
        if isinstance(wt, OptionalBooleanField):
            value: Any = wt.typed()
        else:
            value = wt.data
        if isinstance(value, Decimal):
            value = float(value)
        if field.type in ("str", "text", "enum") and value in ("", "None"):
            value = None
        if field.type == "codes":
            value = list(value or [])
        values[field.attr] = value
    return values


def posted_entries(form: Any, key: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Return the typed values of the non-blank entries of list ``key`` (reactions, other_drugs).

    Also returns, for each kept entry, its index in the form, so that
    errors about ``<key>.N`` land on the right entry.
    """
    fields = MEDICINE_LISTS[key][1]
    result: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, entry in enumerate(form[key]):
        values = typed_values(entry.form, fields)
        if any(v not in (None, "", []) for v in values.values()):
            result.append(values)
            positions.append(index)
    return result, positions


def posted_lists(form: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[int]]]:
    """Return every list the form has, as typed entries and their form positions."""
    lists: dict[str, list[dict[str, Any]]] = {}
    positions: dict[str, list[int]] = {}
    for key in MEDICINE_LISTS:
        if hasattr(form, key):
            lists[key], positions[key] = posted_entries(form, key)
    return lists, positions


def _entry_field(form: Any, path: str, positions: Mapping[str, list[int]] | None) -> Any:
    """Return the form field of ``<key>.<index>.<name>``, or None."""
    key, raw_index, name = [*path.split(".", 2), "", ""][:3]
    if key not in MEDICINE_LISTS or not hasattr(form, key) or not raw_index.isdigit():
        return None
    index = int(raw_index)
    kept = (positions or {}).get(key)
    if kept is not None and index < len(kept):
        index = kept[index]
    entries = form[key]
    return entries[index].form[name] if index < len(entries) and name in entries[index].form else None


def _group_field(form: Any, path: str, fields: Iterable[Field]) -> Any:
    """Return the first field of group ``path`` ("patient", "reporter", "reactions"), or None.

    A message about a whole group ("Add at least one suspected reaction")
    belongs beside the group's first answer, so the error summary can link
    to it like any other.
    """
    if path in MEDICINE_LISTS:
        entries = form[path] if hasattr(form, path) else None
        return next(iter(entries[0].form), None) if entries else None
    first = next((f.attr for f in fields if f.path.startswith(path + ".") and f.attr in form), None)
    return form[first] if first else None


def attach_errors(
    form: Any,
    errors: dict[str, list[str]],
    fields: Iterable[Field],
    positions: Mapping[str, list[int]] | None = None,
) -> dict[str, list[str]]:
    """Put rule errors on the matching form fields (a group's on its first field); return any left over."""
    fields = tuple(fields)
    by_path = {f.path: f.attr for f in fields}
    leftover: dict[str, list[str]] = {}
    for path, messages in errors.items():
        target = form[by_path[path]] if path in by_path else _entry_field(form, path, positions)
        if target is None:
            target = _group_field(form, path, fields)
        if target is None:
            leftover[path] = messages
            continue
        target.errors = [*list(target.errors or []), *messages]
    return leftover


def save_form(
    form: Any,
    fields: Iterable[Field],
    action: Callable[[], Any],
    positions: Mapping[str, list[int]] | None = None,
) -> bool:
    """Run ``action`` (a domain call) and commit; on ``ValidationFailed`` keep the form.

    The one place HTML views turn rule errors into field errors: roll the
    transaction back, put each message beside its field (or in the summary
    when no field matches) and report failure, so the page comes back with
    everything typed.
    """
    try:
        action()
    except ValidationFailed as exc:
        db.session.rollback()
        leftover = attach_errors(form, exc.errors, fields, positions)
        form.form_errors.extend(message for messages in leftover.values() for message in messages)
        return False
    db.session.commit()
    return True


def field_anchor(fields: Iterable[Field], path: str) -> str | None:
    """Return the id of the input a message about ``path`` links to on the edit form, or None.

    The same targets as ``attach_errors``: the field itself (a date's day
    box), an entry's field (``reactions-0-outcome``), a group's first field.
    """
    fields = tuple(fields)
    key, raw_index, name = [*path.split(".", 2), "", ""][:3]
    if key in MEDICINE_LISTS:
        entry_fields = MEDICINE_LISTS[key][1]
        field = next((f for f in entry_fields if f.attr == name), None) if raw_index.isdigit() else None
        index = raw_index if field else "0"
        field = field or entry_fields[0]
        return f"{key}-{index}-{field.attr}" + ("-day" if field.type == "date" else "")
    field = next((f for f in fields if f.path == path), None) or next(
        (f for f in fields if f.path.startswith(path + ".")), None
    )
    if field is None:
        return None
    return field.attr + ("-day" if field.type == "date" else "")
