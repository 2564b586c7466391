"""Forms for managing user accounts.

The forms check what a form can (something entered, passwords match,
lengths the columns hold); ``users.py`` checks the account rules (role,
password length, unique e-mail) and its ``UserError`` is shown against
the field it names.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField
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
    password = _password("Password", "Enter a password")
    confirm_password = _confirm_password()


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
