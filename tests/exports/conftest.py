"""Shared fixtures: realistic canonical records matching ``record_types.py`` (v2.0).

Both records are plain dicts, exactly as ``records.build_record`` hands
them to the exports, so these tests need no database or Flask app. Each
fixture returns a fresh deep copy, so a test may mutate its record.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from ect_reporting.exports.samples import DEVICE_RECORD, MEDICINE_RECORD
from ect_reporting.record_types import Record


@pytest.fixture
def medicine_record() -> Record:
    """A complete bleomycin medicine report (draft), freshly copied."""
    return copy.deepcopy(MEDICINE_RECORD)


@pytest.fixture
def device_record() -> Record:
    """A complete device report for a Scottish site (approved), freshly copied."""
    return copy.deepcopy(DEVICE_RECORD)


@pytest.fixture(scope="session")
def make_record() -> Callable[[str], Record]:
    """Return a factory giving a fresh record of a kind.

    Session-scoped because it holds no state, which lets Hypothesis tests
    (which reject function-scoped fixtures) build on the realistic records.
    """

    def factory(kind: str) -> Record:
        return copy.deepcopy(MEDICINE_RECORD if kind == "medicine" else DEVICE_RECORD)

    return factory
