"""Page helpers shared by the browser tests: fill forms the way a person does.

Fields are found by their visible label (radios by their fieldset legend
and option label), so a test breaks when a label stops being attached to
its field - which is also what a screen reader user would notice.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

PROCEDURE_DATE = date.today() - timedelta(days=3)

# A bleomycin IV ECT session for breast cancer chest-wall metastases,
# entered as a clinician would type it (label -> value).
SESSION_TEXT: dict[str, str] = {
    "Hospital or site": "St Elsewhere Hospital, Dermatology",
    "Operator": "Dr R Hughes",
    "Patient initials": "MK",
    "Age (years)": "71",
    "Weight (kg)": "68",
    "Height (cm)": "165",
    "Local hospital reference": "SEH123456",
    "Number of lesions treated": "12",
    "Largest lesion (mm)": "25",
    "Lesion location": "Chest wall",
    "Product or brand name": "Bleomycin 15,000 IU",
    "Batch number": "BX4471",
    "Dose": "25500",
    "Time drug given": "09:40",
    "Time of first pulse": "09:52",
    "Generator manufacturer": "IGEA",
    "Generator model": "Cliniporator VITAE",
    "Generator serial number": "CV-001122",
    "Generator software version": "2.4.1",
    "Electrode model or catalogue number": "N-HEX-30",
    "Electrode lot number": "LOT8812",
    "Electrode UDI": "(01)08033891610020(10)LOT8812",
    "Pulses delivered": "144",
    "Notes (not exported)": "Tolerated well under GA.",
}
# Date inputs (day, month and year boxes): legend -> date.
SESSION_DATES: dict[str, date] = {"Procedure date": PROCEDURE_DATE}
# Radio groups: legend -> option label.
SESSION_RADIOS: dict[str, str] = {
    "Nation": "England",
    "Care setting": "Day case",
    "Anaesthesia": "General",
    "Sex": "Female",
    "Laterality": "Right",
    "Previously irradiated field": "Yes",
    "Drug": "Bleomycin",
    "Route": "Intravenous",
    "Dose unit": "IU (international units)",
    "Electrode type": "Hexagonal needle array",
}
# Selects: label -> option label.
SESSION_SELECTS: dict[str, str] = {
    "Tumour histology": "Breast cancer",
    "Lesion site (for OPCS-4 coding)": "Chest or abdomen (front of trunk)",
}


def field(scope: Any, label: str) -> Any:
    """The form control labelled exactly ``label``."""
    return scope.get_by_label(label, exact=True)


def radio(scope: Any, legend: str, option: str) -> Any:
    """The radio (or checkbox) ``option`` in the fieldset whose legend is ``legend``."""
    group = scope.get_by_role("group", name=legend, exact=True)
    return group.get_by_label(option, exact=True)


def choose(scope: Any, legend: str, option: str) -> None:
    """Select the radio ``option`` in the group ``legend``."""
    radio(scope, legend, option).check()


def select(scope: Any, label: str, option: str) -> None:
    """Pick ``option`` (by its visible text) in the select labelled ``label``."""
    field(scope, label).select_option(label=option)


def date_boxes(scope: Any, legend: str) -> tuple[Any, Any, Any]:
    """The Day, Month and Year boxes of the date input whose legend is ``legend``."""
    group = scope.get_by_role("group", name=legend, exact=True)
    return tuple(group.get_by_label(part, exact=True) for part in ("Day", "Month", "Year"))  # type: ignore[return-value]


def fill_date(scope: Any, legend: str, value: date | tuple[str, str, str]) -> None:
    """Type ``value`` into a date input the way a person does: day, month, year."""
    parts = (str(value.day), str(value.month), str(value.year)) if isinstance(value, date) else value
    for box, part in zip(date_boxes(scope, legend), parts, strict=True):
        box.fill(part)


def date_shown(scope: Any, legend: str) -> tuple[str, str, str]:
    """What the day, month and year boxes of ``legend`` hold."""
    day, month, year = (box.input_value() for box in date_boxes(scope, legend))
    return day, month, year


def fill_session_form(
    page: Any,
    text: dict[str, str] | None = None,
    radios: dict[str, str] | None = None,
    selects: dict[str, str] | None = None,
    dates: dict[str, Any] | None = None,
) -> None:
    """Fill the "Record an ECT session" form (defaults: the session above)."""
    for legend, value in (dates or SESSION_DATES).items():
        fill_date(page, legend, value)
    for label, value in (text or SESSION_TEXT).items():
        field(page, label).fill(value)
    for legend, option in (radios or SESSION_RADIOS).items():
        choose(page, legend, option)
    for label, option in (selects or SESSION_SELECTS).items():
        select(page, label, option)


def open_session_form(page: Any) -> None:
    """Go to "Record an ECT session" the way a user does: from the navigation."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Record a session").click()


def record_session(page: Any, **overrides: Any) -> None:
    """Fill the open session form and save it."""
    fill_session_form(page, **overrides)
    page.get_by_role("button", name="Save session").click()


def summary_value(page: Any, key: str) -> Any:
    """The value cell of the summary list row whose key is exactly ``key``."""
    key_cell = page.locator(".nhsuk-summary-list__key", has_text=re.compile(f"^{re.escape(key)}$"))
    return page.locator(".nhsuk-summary-list__row").filter(has=key_cell).locator(".nhsuk-summary-list__value")
