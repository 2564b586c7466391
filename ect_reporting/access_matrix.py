"""Who may use each endpoint, as data: the access matrix.

Why a table: the rules are spread over decorators (``login_required``,
``role_required``), the API's token check and the object checks in
``access``; reading one view never tells you whether the whole surface
is covered. This table states, for every endpoint of ``app.url_map``
(``static`` aside), who the route is for. ``tests/security/
test_access_matrix.py`` walks every route and method as eight personas
(by role, and by relation to the object: its author, their team mate,
someone else at the site, someone at another site)
and checks the app answers as the table says, and fails when a route has
no row - so a new route must be classified before it ships.

The table describes the *route gate*: whether a persona gets past
sign-in, role and ownership checks. What happens after (a workflow
action the role may not take, a state that forbids it, a form error) is
the domain's business and is tested there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from ect_reporting.vocab import ALL_SITES_ROLES, REVIEWER_ROLES, WORKFLOW_REVIEWER_ROLES

ADMIN_ROLES: Final = frozenset({"admin"})


class Who(StrEnum):
    """The kinds of audience a route can have."""

    ANYONE = "anyone"  # no sign-in needed
    SIGNED_IN = "signed_in"  # any signed-in user (any role)
    OWNER = "owner"  # only the clinician who created the object in the URL
    OWNER_OR_ROLES = "owner_or_roles"  # that clinician, or a holder of one of ``roles`` at the object's site
    TEAM_OR_ROLES = "team_or_roles"  # that clinician or their team, or a holder of ``roles`` at the object's site
    SITE_ROLES = "site_roles"  # only holders of ``roles`` at the object's site
    ROLES = "roles"  # only holders of one of ``roles`` (no object in the URL)


class Relation(StrEnum):
    """What a signed-in person is to the object (session, report) a URL names."""

    OWNER = "owner"  # they created it
    TEAM = "team"  # on the team it was recorded by
    SITE = "site"  # same site, not the team
    OTHER_SITE = "other_site"  # another site: the object answers 404, as if missing


# Who gets past a site boundary: an administrator sees every site.
_ANY_SITE = ALL_SITES_ROLES
# Routes about one object: a refusal across sites is 404, not 403.
OBJECT_RULES: Final = frozenset({Who.OWNER, Who.OWNER_OR_ROLES, Who.TEAM_OR_ROLES, Who.SITE_ROLES})


@dataclass(frozen=True)
class Rule:
    """Who may use one endpoint, and whether it answers as the JSON API (401) or as pages (sign-in redirect)."""

    who: Who
    roles: frozenset[str] = field(default_factory=frozenset)
    api: bool = False

    def allows(self, role: str | None, relation: Relation) -> bool:
        """Whether a user with ``role`` (None: not signed in) in ``relation`` to the URL's object gets through."""
        if self.who is Who.ANYONE:
            return True
        if role is None:
            return False
        if self.who is Who.SIGNED_IN:
            return True
        if self.who is Who.ROLES:
            return role in self.roles
        by_role = role in self.roles and (relation is not Relation.OTHER_SITE or role in _ANY_SITE)
        if self.who is Who.SITE_ROLES:
            return by_role
        if self.who is Who.OWNER_OR_ROLES:
            return relation is Relation.OWNER or by_role
        if self.who is Who.TEAM_OR_ROLES:
            return relation in {Relation.OWNER, Relation.TEAM} or by_role
        return relation is Relation.OWNER


def _page(who: Who, roles: frozenset[str] = frozenset()) -> Rule:
    return Rule(who, roles)


def _api(who: Who, roles: frozenset[str] = frozenset()) -> Rule:
    return Rule(who, roles, api=True)


# The author's team, governance leads and administrators see it (``access.can_view_session`` / ``_report``).
_VIEWERS = (Who.TEAM_OR_ROLES, REVIEWER_ROLES)
_AUTHOR_OR_REVIEWERS = (Who.OWNER_OR_ROLES, REVIEWER_ROLES)  # comments: the author and the site's reviewers
_FOLLOW_UP = (Who.OWNER_OR_ROLES, WORKFLOW_REVIEWER_ROLES)  # the author or a governance lead (not admin)
_GOVERNANCE = (Who.ROLES, WORKFLOW_REVIEWER_ROLES)  # governance leads only (acknowledgements)
_SITE_GOVERNANCE = (Who.SITE_ROLES, WORKFLOW_REVIEWER_ROLES)  # a governance lead of the report's site
_REVIEW = (Who.ROLES, REVIEWER_ROLES)
_ADMIN = (Who.ROLES, ADMIN_ROLES)

MATRIX: Final[dict[str, Rule]] = {
    # Signing in and out
    "auth.login": _page(Who.ANYONE),
    "auth.confirm_logout": _page(Who.SIGNED_IN),
    "auth.logout": _page(Who.SIGNED_IN),
    "auth.change_password": _page(Who.SIGNED_IN),
    # Sessions (pages)
    "capture.home": _page(Who.SIGNED_IN),
    "home.attention_page": _page(Who.SIGNED_IN),  # each sees the reports waiting for them
    "capture.list_sessions": _page(Who.SIGNED_IN),  # each sees their team's list (reviewers: their site's)
    "capture.new_session": _page(Who.SIGNED_IN),
    "capture.show_session": _page(*_VIEWERS),
    "capture.edit_session": _page(Who.OWNER),
    # Reports (pages)
    "reports.create": _page(*_VIEWERS),
    "reports.choose_draft": _page(*_VIEWERS),
    "reports.start": _page(Who.SIGNED_IN),  # a blank form: no object until it is saved
    "reports.start_from_session": _page(Who.SIGNED_IN),  # the session in the body is checked as for reports.create
    "reports.start_reaction_report": _page(*_VIEWERS),
    "reports.show": _page(*_VIEWERS),
    "reports.edit": _page(Who.OWNER),
    "reports.transition": _page(*_VIEWERS),  # which action a role may take is workflow's rule
    "reports.confirm": _page(*_VIEWERS),  # asks before withdraw or nullify; who may is workflow's rule
    "reports.add_comment": _page(*_AUTHOR_OR_REVIEWERS),
    "reports.create_follow_up": _page(*_FOLLOW_UP),
    "reports.upload_acknowledgement": _page(*_SITE_GOVERNANCE),
    # Review (pages)
    "review.needs_action_page": _page(*_REVIEW),
    "review.queue": _page(*_REVIEW),
    "review.queue_csv": _page(*_REVIEW),
    "review.queue_jsonl": _page(*_REVIEW),
    "review.queue_pdfs": _page(*_REVIEW),
    "review.dashboard": _page(*_REVIEW),

    # Administration (pages)
    "admin.list_users": _page(*_ADMIN),
    "admin.new_user": _page(*_ADMIN),
    "admin.show_user": _page(*_ADMIN),
    "admin.deactivate_user": _page(*_ADMIN),
    "admin.reactivate_user": _page(*_ADMIN),
    "admin.issue_token": _page(*_ADMIN),
    "admin.confirm_revoke_token": _page(*_ADMIN),
    "admin.revoke_token": _page(*_ADMIN),
    "admin.set_password": _page(*_ADMIN),
    "admin.place_user": _page(*_ADMIN),
    "admin.list_sites": _page(*_ADMIN),
    "admin.new_site": _page(*_ADMIN),
    "admin.new_team": _page(*_ADMIN),
    # API v1 (bearer token)
    "api.create_session": _api(Who.SIGNED_IN),
    "api.get_session": _api(*_VIEWERS),
    "api.patch_session": _api(Who.OWNER),
    "api.create_report": _api(*_VIEWERS),
    "api.create_blank_report": _api(Who.SIGNED_IN),  # no object until it is created
    "api.create_reaction_report": _api(*_VIEWERS),
    "api.get_report": _api(*_VIEWERS),
    "api.patch_report": _api(Who.OWNER),
    "api.export_report": _api(*_VIEWERS),
    "api.report_schema": _api(Who.SIGNED_IN),
    "api.openapi": _api(Who.ANYONE),  # the description holds no data; tools read it before they have a token
    "api.transition": _api(*_VIEWERS),
    "api.create_follow_up": _api(*_FOLLOW_UP),
    "api.apply_acknowledgement": _api(*_GOVERNANCE),
}

UNCLASSIFIED_EXEMPT: Final = frozenset({"static"})  # files only; no data behind it

