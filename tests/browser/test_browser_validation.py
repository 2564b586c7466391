"""Errors on the session form, as a browser user meets them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    SESSION_RADIOS,
    SESSION_SELECTS,
    SESSION_TEXT,
    date_shown,
    field,
    fill_session_form,
    open_session_form,
    radio,
)

pytestmark = pytest.mark.browser


def test_session_form_errors_are_summarised_shown_beside_each_field_and_keep_what_was_typed(
    page, clinician, sign_in, axe
):
    sign_in(page, clinician)
    open_session_form(page)
    future = date.today() + timedelta(days=7)
    text = SESSION_TEXT | {"Age (years)": "130", "Weight (kg)": "600"}
    radios = SESSION_RADIOS | {"Drug": "Bleomycin", "Dose unit": "mg"}
    fill_session_form(page, text=text, radios=radios, dates={"Procedure date": future})
    page.get_by_role("button", name="Save session").click()

    # In form order: (field label or radio legend, link target, message).
    errors = [
        ("Procedure date", "#procedure_date-day", "Procedure date must be today or in the past"),
        ("Age (years)", "#patient_age", "Age must be 120 years or less"),
        ("Weight (kg)", "#patient_weight_kg", "Weight must be 500 kg or less"),
        (
            "Dose unit",
            "#dose_unit",
            "Bleomycin dose must be recorded in IU (international units), not mg: check the dose and correct the unit",
        ),
    ]
    expect(page).to_have_title(re.compile(r"^Error: Record an ECT session - "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an ECT session")

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text([message for _, _, message in errors])
    for _, href, message in errors:
        expect(summary.get_by_role("link", name=message)).to_have_attribute("href", href)

    # Each message is beside its field and read out with it (its accessible description).
    expect(page.locator(".nhsuk-error-message")).to_have_count(len(errors))
    procedure = page.get_by_role("group", name="Procedure date", exact=True)
    expect(procedure).to_contain_text(errors[0][2])
    expect(procedure).to_have_accessible_description(re.compile(re.escape(errors[0][2])))
    for label, _, message in errors[1:3]:
        control = field(page, label)
        expect(page.locator(".nhsuk-form-group--error").filter(has=control)).to_contain_text(message)
        expect(control).to_have_accessible_description(re.compile(re.escape(message)))
    dose_unit = page.get_by_role("group", name="Dose unit", exact=True)
    expect(dose_unit).to_contain_text(errors[3][2])
    expect(dose_unit).to_have_accessible_description(re.compile(re.escape(errors[3][2])))

    # Everything typed is still there, the wrong values included.
    for label, value in text.items():
        expect(field(page, label)).to_have_value(value)
    assert date_shown(page, "Procedure date") == (str(future.day), str(future.month), str(future.year))
    for legend, option in radios.items():
        expect(radio(page, legend, option)).to_be_checked()
    for label, option in SESSION_SELECTS.items():
        expect(field(page, label).locator("option:checked")).to_have_text(option)

    axe(page)

    # A summary link takes the user to the field.
    summary.get_by_role("link", name=errors[1][2]).click()
    expect(field(page, "Age (years)")).to_be_focused()
