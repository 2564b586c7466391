"""Administrators manage sites and teams and put people on them (issue 11)."""

from __future__ import annotations

from sqlalchemy import select

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.models import Site, Team

NEW_USER = {
    "email": "sam.patel@nhs.net",
    "full_name": "Sam Patel",
    "role": "clinician",
    "password": "a-long-new-password",
    "confirm_password": "a-long-new-password",
}


def test_admin_adds_a_site_and_a_team(admin_client):
    assert admin_client.post("/admin/sites", data={"code": "rxh-derm", "name": "Royal Infirmary"}).status_code == 302
    site = db.session.scalar(select(Site).where(Site.code == "RXH-DERM"))
    created = admin_client.post("/admin/sites/teams", data={"site_id": site.id, "name": "ECT team"})
    assert created.status_code == 302
    page = admin_client.get("/admin/sites").get_data(as_text=True)
    assert "Royal Infirmary" in page and "ECT team" in page


def test_a_duplicate_site_code_is_named_at_the_field(admin_client):
    admin_client.post("/admin/sites", data={"code": "RXH", "name": "One"})
    again = admin_client.post("/admin/sites", data={"code": "rxh", "name": "Two"})
    assert again.status_code == 422
    assert "A site with code RXH already exists" in again.get_data(as_text=True)


def test_admin_creates_a_user_on_a_team_and_moves_them(admin_client, admin):
    admin_client.post("/admin/sites/teams", data={"site_id": admin.site_id, "name": "Skin team"})
    team = db.session.scalar(select(Team))
    response = admin_client.post("/admin/users/new", data={**NEW_USER, "site_id": admin.site_id, "team_id": team.id})
    assert response.status_code == 302, response.get_data(as_text=True)
    sam = users.find_user_by_email(db.session, "sam.patel@nhs.net")
    assert (sam.site_id, sam.team_id, sam.must_change_password) == (admin.site_id, team.id, True)
    admin_client.post("/admin/sites", data={"code": "OTHER", "name": "Other Hospital"})
    other = db.session.scalar(select(Site).where(Site.code == "OTHER"))
    wrong = admin_client.post(f"/admin/users/{sam.id}/place", data={"site_id": other.id, "team_id": team.id})
    assert wrong.status_code == 422
    assert "Skin team is a team of another site" in wrong.get_data(as_text=True)
    moved = admin_client.post(f"/admin/users/{sam.id}/place", data={"site_id": other.id, "team_id": ""})
    assert moved.status_code == 302
    db.session.refresh(sam)
    assert (sam.site_id, sam.team_id) == (other.id, None)
    assert "Other Hospital" in admin_client.get(f"/admin/users/{sam.id}").get_data(as_text=True)
