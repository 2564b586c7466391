"""Hostile and odd input never crashes the API or slips into the database."""

from __future__ import annotations

import json

import pytest

from tests.conftest import session_payload


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def post_raw(client, auth, body: str):
    return client.post("/api/v1/sessions", data=body, headers={**auth, "Content-Type": "application/json"})


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_rejected(client, auth, number):
    body = json.dumps(session_payload()).replace('"weight_kg": 68.0', f'"weight_kg": {number}')
    response = post_raw(client, auth, body)
    assert response.status_code == 422
    assert "patient.weight_kg" in response.get_json()["errors"]


def test_nul_and_control_characters_are_rejected(client, auth):
    payload = session_payload(site_name="Ward\x00 7", operator_name="Dr\x1b[31m Red")
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "site_name" in errors and "operator_name" in errors


def test_markup_is_stored_as_text(client, auth):
    payload = session_payload(site_name="<script>alert('x')</script> & <b>Ward</b>")
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 201
    assert response.get_json()["site_name"] == "<script>alert('x')</script> & <b>Ward</b>"


def test_markup_is_escaped_in_pages(client, clinician, auth):
    from tests.integration.test_forms import sign_in

    created = client.post("/api/v1/sessions", json=session_payload(site_name="<script>alert(1)</script>"),
                          headers=auth).get_json()
    sign_in(client, clinician)
    html = client.get(f"/sessions/{created['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_overlong_text_is_422(client, auth):
    response = client.post("/api/v1/sessions", json=session_payload(site_name="x" * 5000), headers=auth)
    assert response.status_code == 422
    assert "160 characters or fewer" in response.get_json()["errors"]["site_name"][0]


def test_huge_integer_is_422(client, auth):
    payload = session_payload()
    payload["patient"]["age"] = 10**40
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 422


def test_nested_object_where_value_expected(client, auth):
    payload = session_payload()
    payload["patient"] = "MK, 71"
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"]["patient"] == ["Must be an object"]


def test_too_many_reactions(client, auth):
    session = client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()
    response = client.post(f"/api/v1/sessions/{session['id']}/reports",
                           json={"kind": "medicine", "reactions": [{"verbatim": "x"}] * 51}, headers=auth)
    assert response.status_code == 422
    assert "reactions" in response.get_json()["errors"]


def test_unicode_names_round_trip(client, auth):
    payload = session_payload(operator_name="Dr Zoë Ñúñez-Łukasiewicz 王")
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.get_json()["operator_name"] == "Dr Zoë Ñúñez-Łukasiewicz 王"
