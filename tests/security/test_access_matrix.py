"""Walk every route and method as eight personas and check the app answers as ``access_matrix.MATRIX`` says.

The matrix is the one statement of who may use what; this test only
reads it. Objects are created once per module by the owner through the
API (real ids, real ownership); each case then signs in (or takes a
token) afresh, so a case that signs out or revokes cannot spoil the
next, whatever order the cases run in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule as UrlRule
from werkzeug.test import TestResponse

from ect_reporting import sites, users
from ect_reporting.access_matrix import MATRIX, OBJECT_RULES, UNCLASSIFIED_EXEMPT, Relation, Rule
from ect_reporting.extensions import db
from ect_reporting.models import ApiToken, Site, Team, User
from tests.conftest import PASSWORD, running_test_app, session_payload

PERSONAS: dict[str, tuple[str | None, Relation]] = {
    # name: (role, what they are to the session/report in the URL)
    "anonymous": (None, Relation.OTHER_SITE),
    "owner": ("clinician", Relation.OWNER),
    "team_mate": ("clinician", Relation.TEAM),
    "other_clinician": ("clinician", Relation.SITE),
    "governance_lead": ("governance_lead", Relation.SITE),
    "admin": ("admin", Relation.SITE),
    "other_site_clinician": ("clinician", Relation.OTHER_SITE),
    "other_site_governance_lead": ("governance_lead", Relation.OTHER_SITE),
}
# Past sign-in, role and ownership checks: what a form or body error, a state rule or a conflict answers.
GOT_THROUGH = {200, 201, 204, 302, 303, 304, 400, 409, 412, 415, 422, 428}
MISSING_ID = 2**31 - 1
# Flask-Login's redirect to the sign-in page names the page asked for (sign-out's own redirect does not).
SIGN_IN_GATE = "/sign-in?next="


@dataclass
class World:
    """The app and what the owner created, shared by every case of the module."""

    app: Flask
    people: dict[str, User]
    ids: dict[str, Any]


def _make_user(role: str, name: str, site: Site | None = None, team: Team | None = None) -> User:
    user = users.create_user(
        db.session,
        email=f"{name}@matrix.example.nhs.uk",
        full_name=f"Matrix {name.replace('_', ' ').title()}",
        role=role,
        password=PASSWORD,
        profession="Consultant",
        organisation="Test NHS Trust",
        site=site,
        team=team,
    )
    db.session.commit()
    return user


def _place(name: str, relation: Relation) -> dict[str, Any]:
    """Where a persona works: the owner and team mate on one team, other sites on site B."""
    if relation is Relation.OTHER_SITE:
        return {"site": db.session.scalar(select(Site).where(Site.code == "MATRIX-B"))}
    if relation in {Relation.OWNER, Relation.TEAM}:
        return {"team": db.session.scalar(select(Team).where(Team.name == "Skin team"))}
    return {}


def _bearer(user: User) -> dict[str, str]:
    token = users.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def world(database_url: str, _schema: None) -> Iterator[World]:
    with running_test_app(database_url) as app:
        sites.create_team(db.session, None, site=sites.default_site(db.session), name="Skin team")
        sites.create_site(db.session, None, code="MATRIX-B", name="Another hospital")
        db.session.commit()
        people = {
            name: _make_user(role, name, **_place(name, relation))
            for name, (role, relation) in PERSONAS.items()
            if role
        }
        target = _make_user("clinician", "account_under_admin")  # admin routes act on this account, not a persona
        client = app.test_client()
        owner = _bearer(people["owner"])
        created = client.post("/api/v1/sessions", json=session_payload(), headers=owner)
        assert created.status_code == 201, created.get_json()
        session_id = created.get_json()["id"]
        report = client.post(f"/api/v1/sessions/{session_id}/reports", json={"kind": "medicine"}, headers=owner)
        assert report.status_code == 201, report.get_json()
        ids = {"session_id": session_id, "report_id": report.get_json()["id"], "user_id": target.id, "fmt": "json",
               "kind": "medicine", "action": "withdraw"}
        yield World(app, people, ids)


def _url_rules(app: Flask, endpoint: str) -> list[UrlRule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def _values(world: World, url_rule: UrlRule, missing: bool = False) -> dict[str, Any]:
    """Fill the URL's parameters with the owner's objects (or an id nobody has); a fresh token for token_id."""
    values = {name: world.ids[name] for name in url_rule.arguments if name != "token_id"}
    if "token_id" in url_rule.arguments:
        target = db.session.get(User, world.ids["user_id"])
        users.issue_token(db.session, target)
        db.session.commit()
        newest = select(func.max(ApiToken.id)).where(ApiToken.user_id == target.id)
        values["token_id"] = db.session.scalar(newest)
    if missing:
        values = {name: MISSING_ID if name.endswith("_id") else value for name, value in values.items()}
    return values


def _client_for(world: World, persona: str, rule: Rule) -> tuple[FlaskClient, dict[str, str]]:
    """A new client signed in as ``persona`` (pages) or a new token (API); nothing for anonymous."""
    client = world.app.test_client()
    if PERSONAS[persona][0] is None:
        return client, {}
    user = world.people[persona]
    if rule.api:
        return client, _bearer(user)
    signed_in = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302, f"{persona} could not sign in"
    return client, {}


def _send(client: FlaskClient, method: str, url: str, headers: dict[str, str], rule: Rule) -> TestResponse:
    """An empty body: the gate must answer before any validation does."""
    if method in {"POST", "PATCH", "PUT"}:
        if rule.api:
            return client.open(url, method=method, json={}, headers=headers)
        return client.open(url, method=method, data={}, headers=headers)
    return client.open(url, method=method, headers=headers)


def _check(response: TestResponse, rule: Rule, persona: str, allowed: bool, where: str) -> None:
    """Allowed: past the gate. Refused: 401 / sign-in if anonymous, 404 across sites on an object, else 403/404."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if allowed:
        assert status in GOT_THROUGH, f"{where}: {persona} should get through, got {status}"
        assert SIGN_IN_GATE not in location, f"{where}: {persona} sent to sign in"
    elif persona == "anonymous" and rule.api:
        assert status == 401, f"{where}: anonymous API call got {status}, not 401"
    elif persona == "anonymous":
        assert status == 302 and SIGN_IN_GATE in location, f"{where}: anonymous got {status} {location}"
    elif PERSONAS[persona][1] is Relation.OTHER_SITE and rule.who in OBJECT_RULES:
        assert status == 404, f"{where}: {persona} (another site) should get 404, got {status}"
    else:
        assert status in {403, 404}, f"{where}: {persona} should be refused, got {status}"


def test_every_route_is_in_the_matrix(world: World) -> None:
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()} - UNCLASSIFIED_EXEMPT
    unclassified = sorted(endpoints - MATRIX.keys())
    assert not unclassified, f"Classify these routes in ect_reporting/access_matrix.py: {unclassified}"
    stale = sorted(MATRIX.keys() - endpoints)
    assert not stale, f"The matrix names routes the app no longer has: {stale}"


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_route_answers_as_the_matrix_says(world: World, endpoint: str, persona: str) -> None:
    rule = MATRIX[endpoint]
    role, relation = PERSONAS[persona]
    allowed = rule.allows(role, relation)
    url_rules = _url_rules(world.app, endpoint)
    assert url_rules, f"{endpoint} is in the matrix but not in the app"
    adapter = world.app.url_map.bind("localhost")
    for url_rule in url_rules:
        for method in sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}):
            url = adapter.build(endpoint, _values(world, url_rule), method=method)
            client, headers = _client_for(world, persona, rule)
            response = _send(client, method, url, headers, rule)
            _check(response, rule, persona, allowed, f"{method} {url}")


def _object_endpoints() -> list[str]:
    return [name for name in MATRIX if name.startswith(("capture.", "reports.", "api.", "admin."))]


@pytest.mark.parametrize("endpoint", _object_endpoints())
def test_missing_object_is_404_for_whoever_could_use_it(world: World, endpoint: str) -> None:
    """An id nobody has answers 404 (not 403, not 500) for a persona the route is open to."""
    rule = MATRIX[endpoint]
    persona = "admin" if endpoint.startswith("admin.") else "owner"
    adapter = world.app.url_map.bind("localhost")
    for url_rule in _url_rules(world.app, endpoint):
        if not any(name.endswith("_id") for name in url_rule.arguments):
            continue
        for method in sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}):
            url = adapter.build(endpoint, _values(world, url_rule, missing=True), method=method)
            client, headers = _client_for(world, persona, rule)
            response = _send(client, method, url, headers, rule)
            assert response.status_code == 404, f"{method} {url}: {persona} got {response.status_code}"
