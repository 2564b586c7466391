"""A UDI saved through the API fills the lot, serial and expiry, and disagreements are refused."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from ect_reporting.extensions import db
from ect_reporting.reports import services
from tests.conftest import PASSWORD, session_payload

HRI = "(01)08033891500019(17)270630(10)L23-0457"
SCANNED = "010803389150001917270630\x1d10L23-0457"


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def bare_session_id(client, auth):
    """A session whose electrode and generator carry no identifiers, so a report's UDI is the only source."""
    payload = session_payload(electrode={"type": "plate"}, generator={"manufacturer": "IGEA"})
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def device_report(client, auth, session_id, electrode):
    return client.post(
        f"/api/v1/sessions/{session_id}/reports", json={"kind": "device", "device": {"electrode": electrode}},
        headers=auth,
    )


@pytest.mark.parametrize("text", [HRI, SCANNED])
def test_udi_alone_fills_lot_and_expiry_and_the_export_shows_the_di(client, auth, bare_session_id, text):
    created = device_report(client, auth, bare_session_id, {"udi": text})
    assert created.status_code == 201, created.get_json()
    electrode = client.get(created.headers["Location"], headers=auth).get_json()["device"]["electrode"]
    assert electrode["lot_number"] == "L23-0457"
    assert electrode["expiry_date"] == "2027-06-30"
    assert electrode["udi"] == HRI  # a scanned UDI is stored as people read it, without GS control characters
    exported = client.get(f"{created.headers['Location']}/export.json", headers=auth).get_json()
    assert exported["record"]["device"]["electrode"]["udi_di"] == "08033891500019"
    assert exported["record"]["device"]["electrode"]["udi_pi"] == "(17)270630(10)L23-0457"
    assert exported["record"]["device"]["electrode"]["udi_issuer"] == "GS1"
    assert exported["record"]["device"]["generator"]["udi_di"] is None


def test_typed_lot_that_disagrees_with_the_udi_is_422(client, auth, bare_session_id):
    response = device_report(client, auth, bare_session_id, {"udi": HRI, "lot_number": "L99"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["device.electrode.lot_number"]
    assert "L23-0457" in errors["device.electrode.lot_number"][0]


def test_unreadable_udi_is_422_with_a_helpful_message(client, auth, bare_session_id):
    response = device_report(client, auth, bare_session_id, {"udi": "not a barcode"})
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["device.electrode.udi"]
    assert "Scan the barcode" in message and "(01)" in message


def test_patching_a_udi_fills_and_checks_the_stored_values(client, auth, bare_session_id):
    created = device_report(client, auth, bare_session_id, {"lot_number": "L99"})
    url, etag = created.headers["Location"], created.headers["ETag"]
    refused = client.patch(url, json={"device": {"electrode": {"udi": HRI}}}, headers={**auth, "If-Match": etag})
    assert refused.status_code == 422
    assert "device.electrode.lot_number" in refused.get_json()["errors"]
    body = {"device": {"electrode": {"udi": HRI, "lot_number": None}}}
    patched = client.patch(url, json=body, headers={**auth, "If-Match": etag})
    assert patched.status_code == 200, patched.get_json()
    electrode = patched.get_json()["device"]["electrode"]
    assert (electrode["lot_number"], electrode["expiry_date"]) == ("L23-0457", "2027-06-30")


def test_session_udi_fills_the_session_and_a_mismatch_is_422(client, auth):
    electrode = {"type": "plate", "udi": HRI + "(21)SN-4"}
    created = client.post("/api/v1/sessions", json=session_payload(electrode=electrode), headers=auth)
    assert created.status_code == 201, created.get_json()
    session = client.get(f"/api/v1/sessions/{created.get_json()['id']}", headers=auth).get_json()
    assert session["electrode"]["lot_number"] == "L23-0457"
    assert session["electrode"]["serial_number"] == "SN-4"
    assert session["electrode"]["expiry_date"] == "2027-06-30"
    wrong = session_payload(electrode={"type": "plate", "udi": HRI, "lot_number": "L99"})
    refused = client.post("/api/v1/sessions", json=wrong, headers=auth)
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == ["electrode.lot_number"]


def test_session_edit_fills_from_a_new_udi(client, auth):
    created = client.post("/api/v1/sessions", json=session_payload(electrode={"type": "plate"}), headers=auth)
    url = created.headers["Location"]
    patched = client.patch(url, json={"electrode": {"udi": HRI}}, headers=auth)
    assert patched.status_code == 200, patched.get_json()
    assert client.get(url, headers=auth).get_json()["electrode"]["lot_number"] == "L23-0457"


def test_device_report_from_a_session_copies_the_new_identifiers(make_session, clinician):
    session = make_session(
        electrode_udi=HRI + "(21)SN-4",
        electrode_lot=None,
        electrode_manufacturer="IGEA",
        generator_udi="(01)08056245000123(21)CPV-9",
        generator_serial=None,
    )
    assert (session.electrode_lot, session.electrode_serial, session.generator_serial) == ("L23-0457", "SN-4", "CPV-9")
    report = services.create_report(db.session, clinician, session, "device")
    db.session.commit()
    assert report.electrode_udi == session.electrode_udi
    assert report.electrode_manufacturer == "IGEA"
    assert report.electrode_serial == "SN-4"
    assert report.electrode_lot == "L23-0457"
    assert report.electrode_expiry.isoformat() == "2027-06-30"
    assert report.generator_udi == "(01)08056245000123(21)CPV-9"
    assert report.generator_serial == "CPV-9"


def test_pdf_shows_the_udi_parts(client, auth, bare_session_id):
    created = device_report(client, auth, bare_session_id, {"udi": HRI})
    response = client.get(f"{created.headers['Location']}/export.pdf", headers=auth)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("08033891500019", "L23-0457", "(17)270630(10)L23-0457", "GS1", "30 June 2027"):
        assert expected in text, expected


def test_report_and_session_pages_show_the_device_identification(client, make_session, clinician):
    session = make_session(
        electrode_udi=HRI + "(21)SN-4",
        electrode_lot=None,
        electrode_manufacturer="IGEA",
        generator_udi="+A99912345/$$52001510X3",
    )
    report = services.create_report(
        db.session, clinician, session, "device",
        {"conformity_mark": "ukca", "single_use_reused": True, "devices_involved": 2, "device_operator": "patient",
         "manufacturer_informed": True, "manufacturer_informed_date": date(2026, 11, 1)},
    )
    db.session.commit()
    client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/reports/{report.id}").get_data(as_text=True)).split())
    for expected in (
        "Generator UDI +A99912345/$$52001510X3", "Generator UDI issuer HIBCC",
        "Electrode manufacturer IGEA", "Electrode serial number SN-4", "Electrode lot L23-0457",
        "Electrode expiry date 30 June 2027", "Electrode UDI issuer GS1",
        "Electrode UDI-DI (device identifier) 08033891500019",
        "Electrode UDI-PI (production identifier) (17)270630(10)L23-0457(21)SN-4",
        "Conformity mark UKCA", "Single-use device reused Yes", "Number of devices involved 2",
        "Who was operating the device Patient", "Manufacturer informed Yes",
        "Date manufacturer informed 1 November 2026",
    ):
        assert expected in page, expected
    session_page = " ".join(
        re.sub(r"<[^>]+>", " ", client.get(f"/sessions/{session.id}").get_data(as_text=True)).split()
    )
    for expected in ("Generator UDI +A99912345/$$52001510X3", "Electrode serial number SN-4",
                     "Electrode expiry date 30 June 2027", "Electrode manufacturer IGEA"):
        assert expected in session_page, expected
