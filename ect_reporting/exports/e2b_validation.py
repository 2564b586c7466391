"""Validate E2B(R3) messages against the ICH schema set the site points to.

Why optional and external: the HL7/ICH XSDs are third-party material, so
the product ships none; a deployment sets ``ECT_E2B_SCHEMA_DIR`` to its own
copy of the official set, and then no message leaves the app unless it
validates. Parsing the schema set takes about a second, so each schema is
loaded once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

# How many validator messages to pass on: the first few say what is wrong.
MAX_MESSAGES = 5


class E2bInvalid(ValueError):
    """The message failed schema validation; ``messages`` holds the validator's first messages."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("The E2B(R3) message is not valid against the ICH schema: " + "; ".join(messages))
        self.messages = messages


@lru_cache(maxsize=4)
def load_schema(schema_file: Path) -> etree.XMLSchema:
    """Return the compiled schema (cached: the ICH set is large)."""
    return etree.XMLSchema(etree.parse(str(schema_file)))


def schema_errors(content: bytes, schema_file: Path) -> list[str]:
    """Return the validator's first messages for ``content`` ([] when it is valid)."""
    schema = load_schema(schema_file)
    document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in list(schema.error_log)[:MAX_MESSAGES]]
