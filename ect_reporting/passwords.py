"""Password rules, per NCSC guidance: long enough, not guessable, no composition rules.

NCSC ("Password administration for system owners") advises against
rules such as "one capital, one digit, one symbol": they make people
write passwords down and predictably decorate a word ("Password1!").
Instead: a minimum length, a deny-list of the passwords attackers try
first, and no expiry. Three random words make a good password.

The deny-list ships as package data (``reference/common_passwords.txt``,
made by ``scripts/make_common_passwords.py``). A password is refused when
it, or its core once the usual decorations are stripped (a trailing year,
digits or symbols, a leading capital), is on the list: "Password2026!"
is as guessable as "password".
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from ect_reporting.reference._resources import read_text

MIN_LENGTH: Final = 12
# Long enough for any passphrase; stops a megabyte "password" costing a hash.
MAX_LENGTH: Final = 256
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")

TOO_SHORT = f"Password must be at least {MIN_LENGTH} characters"
TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
TOO_COMMON = (
    "Choose a password that is harder to guess: this one, or the word in it, is one of the most common. "
    "Try three random words"
)
CONTAINS_EMAIL = "Your password must not contain your email address"


@cache
def deny_list() -> frozenset[str]:
    """Return the shipped deny-list, lower-cased (read once per process)."""
    lines = read_text("common_passwords.txt").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def core(password: str) -> str:
    """Return the password lower-cased with leading and trailing digits and symbols removed."""
    return _DECORATION.sub("", password.lower())


def is_common(password: str) -> bool:
    """Whether the password, with or without its decorations, is on the deny-list."""
    listed = deny_list()
    lowered = password.lower()
    return lowered in listed or core(password) in listed or lowered.replace(" ", "") in listed


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Return the one message to show for an unacceptable password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if is_common(password):
        return TOO_COMMON
    local_part = (email or "").partition("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return CONTAINS_EMAIL
    return None
