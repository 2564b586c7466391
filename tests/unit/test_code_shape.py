"""House rule: no function in ``ect_reporting/`` longer than 60 lines or
with a cyclomatic complexity (as ``radon cc`` counts it) above 15.

Long or branchy functions are where behaviour hides; the limits make each
one small enough to read and test on its own. There is deliberately no
allow-list: a violation is fixed, not recorded.
"""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

MAX_LINES = 60
MAX_COMPLEXITY = 15
PACKAGE = Path(__file__).resolve().parents[2] / "ect_reporting"


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _too_long(path: Path, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_LINES:
                found.append(f"{_name(path)}:{node.lineno} {node.name} is {length} lines (max {MAX_LINES})")
    return found


def _too_complex(path: Path, source: str) -> list[str]:
    return [
        f"{_name(path)}:{block.lineno} {block.fullname} has complexity {block.complexity} (max {MAX_COMPLEXITY})"
        for block in cc_visit(source)
        if isinstance(block, Function) and block.complexity > MAX_COMPLEXITY
    ]


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_package_has_sources() -> None:
    assert len(_sources()) > 10


def test_no_function_is_too_long_or_too_complex() -> None:
    problems = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        problems += _too_long(path, source) + _too_complex(path, source)
    assert not problems, "Functions breaking the house rule:\n" + "\n".join(problems)
