"""The OpenAPI description: valid 3.1, served without a token, generated from the field tables."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from ect_reporting import vocab
from ect_reporting.api.openapi import openapi_document
from ect_reporting.fields import MEDICINE_LISTS, SESSION_FIELDS


def test_description_is_valid_openapi_3_1() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_served_without_a_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi_document()


def test_every_api_route_is_described(app: Flask) -> None:
    """A new route in api/views.py without an operation fails here."""
    described = {
        (method.upper(), path) for path, item in openapi_document()["paths"].items() for method in item
        if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                if "{fmt}" in path:
                    formats = ("json", "pdf", "xml", "fhir.json")
                    assert all((method, path.replace("{fmt}", f)) in described for f in formats)
                else:
                    assert (method, path) in described, (method, path)


def test_bodies_come_from_the_field_tables() -> None:
    schemas = openapi_document()["components"]["schemas"]
    session = schemas["SessionBody"]
    assert session["properties"]["nation"]["enum"] == [*vocab.NATIONS, None]
    assert session["properties"]["patient"]["properties"]["age"]["maximum"] == 120
    assert session["properties"]["site_name"]["maxLength"] == 160
    assert set(session["required"]) >= {f.path.split(".")[0] for f in SESSION_FIELDS if f.required}
    assert session["properties"]["drug"]["required"] == ["name", "route", "dose", "dose_unit"]
    assert "required" not in schemas["SessionPatch"]
    medicine = schemas["MedicineReportPatch"]["properties"]
    for key, (_, entry_fields, most) in MEDICINE_LISTS.items():
        assert medicine[key]["maxItems"] == most
        assert set(medicine[key]["items"]["properties"]) == {f.path for f in entry_fields}
    assert medicine["reactions"]["items"]["properties"]["outcome"]["enum"] == [*vocab.OUTCOMES, None]


def test_export_schema_is_the_published_one() -> None:
    document = openapi_document()
    export = document["components"]["schemas"]["ReportExport"]
    assert export["properties"]["record"] == {"$ref": "#/components/schemas/ReportExport/$defs/record"}
    ok = document["paths"]["/reports/{report_id}/export.json"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ReportExport"}


def test_error_responses_share_one_shape() -> None:
    document = openapi_document()
    for status in ("400", "401", "403", "404", "409", "412", "413", "415", "422", "428"):
        content = document["components"]["responses"][status]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "status"]
