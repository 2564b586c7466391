"""Fixtures for the admin pages: a signed-in administrator's client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from ect_reporting.models import User
from tests.integration.test_forms import sign_in


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", full_name="Jo Evans")


@pytest.fixture
def admin_client(client: FlaskClient, admin: User) -> FlaskClient:
    """The test client, signed in as ``admin``."""
    sign_in(client, admin)
    return client
