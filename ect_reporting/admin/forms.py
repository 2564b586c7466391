"""Forms for managing user accounts.

The forms check what a form can (something entered, passwords match,
lengths the columns hold); ``users.py`` checks the account rules (role,
password length, unique e-mail) and its ``UserError`` is shown against
the field it names.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ect_reporting.models.user import FULL_NAME_LENGTH
from ect_reporting.vocab import QUALIFICATIONS, ROLES


def _password(label: str, message: str) -> Any:  # an unbound field until the form class is built
    return PasswordField(label, validators=[DataRequired(message)])


def _confirm_password() -> Any:
    return PasswordField(
        "Confirm password",
        validators=[DataRequired("Enter the password again"), EqualTo("password", "The passwords do not match")],
    )


def _optional_int(value: Any) -> int | None:
    """Coerce a select's value to an id, the empty choice to None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _site_field() -> Any:
    # Not required: a form (or tool) that sends none means the administrator's own site.
    return SelectField("Site", coerce=_optional_int, validate_choice=False)


def _team_field() -> Any:
    return SelectField("Team (optional)", coerce=_optional_int, validate_choice=False)


def set_places(form: Any, sites: list[Any], teams: list[Any]) -> None:
    """Offer every site, and every team named with its site (``sites.place_user`` checks they match)."""
    form.site_id.choices = [(site.id, site.name) for site in sites]
    form.team_id.choices = [("", "No team"), *((team.id, f"{team.site.name}: {team.name}") for team in teams)]


# Fields are declared in page order: the error summary lists them in that order.
class UserForm(FlaskForm):
    """A new user account."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@nhs.net"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    full_name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=FULL_NAME_LENGTH, message=f"Full name must be {FULL_NAME_LENGTH} characters or fewer"),
        ],
    )
    # Unknown values are refused by users.create_user, whose message lands here.
    role = RadioField(
        "Role",
        choices=[SelectChoice(value, label) for value, label in ROLES.items()],
        validators=[DataRequired("Select a role")],
        validate_choice=False,
    )
    profession = StringField(
        "Profession or job title",
        validators=[Optional(), Length(max=80, message="Profession must be 80 characters or fewer")],
    )
    qualification = RadioField(
        "Qualification (as the regulator codes it)",
        choices=[SelectChoice(value, label) for value, label in QUALIFICATIONS.items()],
        validators=[Optional()],
        validate_choice=False,
    )
    organisation = StringField(
        "Organisation",
        validators=[Optional(), Length(max=160, message="Organisation must be 160 characters or fewer")],
    )
    site_id = _site_field()
    team_id = _team_field()
    password = _password("Password", "Enter a password")
    confirm_password = _confirm_password()


class PlaceForm(FlaskForm):
    """Move someone to another site or team."""

    site_id = _site_field()
    team_id = _team_field()


class SiteForm(FlaskForm):
    """A new site."""

    code = StringField(
        "Site code", validators=[DataRequired("Enter a site code"), Length(max=20, message="At most 20 characters")]
    )
    name = StringField(
        "Site name",
        validators=[DataRequired("Enter the site's name"), Length(max=160, message="At most 160 characters")],
    )


class TeamForm(FlaskForm):
    """A new team at a site."""

    site_id = _site_field()
    name = StringField(
        "Team name",
        validators=[DataRequired("Enter the team's name"), Length(max=120, message="At most 120 characters")],
    )


class PasswordForm(FlaskForm):
    """A new password set by an administrator."""

    password = _password("New password", "Enter a new password")
    confirm_password = _confirm_password()
    # Unticked by default: a new password usually means the old one leaked,
    # and a leaked password may have been used to obtain a token.
    keep_tokens = BooleanField("Keep their API tokens working")


class TokenForm(FlaskForm):
    """What an API token is for (optional)."""

    label = StringField(
        "What the token is for (optional)",
        validators=[Optional(), Length(max=80, message="Description must be 80 characters or fewer")],
    )
