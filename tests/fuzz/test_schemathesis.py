"""schemathesis against the live app (in-process WSGI), from the served OpenAPI description.

Every operation gets generated requests, valid and invalid by the
description, with a clinician's token; path ids are either generated or
those of a real session and reports, so the views' own checks run too.
Checks: no 5xx, every status and content type documented, every body
(4xx error shape included) conforming to its declared schema. The run is
derandomized so CI repeats it exactly.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ect_reporting.models import User
from tests.conftest import session_payload

# Examples per operation and generation mode; operations with few inputs run out
# sooner, so the run asserts the total it really made.
EXAMPLES = int(os.environ.get("ECT_FUZZ_EXAMPLES", "75"))
MINIMUM_CASES = 2000
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _error_shape(ctx: Any, response: Any, case: Any) -> bool:
    """Every 4xx body is {"error": str, "status": int, "errors"?: {path: [str]}} with the response's status."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body.get("error"), str), body
        assert body.get("status") == response.status_code, body
        errors = body.get("errors", {})
        assert isinstance(errors, dict), body
        assert all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in errors.values()), body
    return True


def _real_ids(client: FlaskClient, auth: dict[str, str]) -> dict[str, list[int]]:
    """A session and one report of each kind owned by the fuzzing clinician."""
    created = client.post("/api/v1/sessions", json=session_payload(), headers=auth)
    session_id = created.get_json()["id"]
    reports = [
        client.post(f"/api/v1/sessions/{session_id}/reports", json={"kind": kind}, headers=auth).get_json()["id"]
        for kind in ("medicine", "device")
    ]
    return {"session_id": [session_id], "report_id": reports}


def _fuzz_operation(operation: Any, client: FlaskClient, auth: dict[str, str], ids: dict[str, list[int]]) -> int:
    """Run the generated cases of one operation; return how many were sent."""
    strategy = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))
    sent = 0

    @settings(
        max_examples=EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, real=st.booleans())
    def run(case: Any, real: bool) -> None:
        nonlocal sent
        headers = dict(auth)
        for name, values in ids.items():
            if real and case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = values[sent % len(values)]
                if operation.method.upper() == "PATCH" and name == "report_id":
                    etag = client.get(f"/api/v1/reports/{case.path_parameters[name]}", headers=auth).headers["ETag"]
                    headers["If-Match"] = etag
        response = case.call(headers=headers)
        sent += 1
        case.validate_response(response, checks=CHECKS, additional_checks=[_error_shape], headers=headers)

    run()
    return sent


@pytest.mark.fuzz
def test_generated_requests_never_fail_the_server(
    app: Flask, clinician: User, token_for: Callable[[User], dict[str, str]]
) -> None:
    auth = token_for(clinician)
    client = app.test_client()
    ids = _real_ids(client, auth)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        counts[operation.label] = _fuzz_operation(operation, client, auth, ids)
    print(dict(counts))
    # Every operation but the description itself (schemathesis leaves out the document it loaded from).
    described = [m for item in schema.raw_schema["paths"].values() for m in item if m != "parameters"]
    assert len(counts) == len(described) - 1
    assert sum(counts.values()) >= MINIMUM_CASES, counts
