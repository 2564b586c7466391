"""Fixtures for the browser tests: a live server, Debian's Chromium and helpers.

The app is served by a real werkzeug server in a background thread, with
CSRF protection switched ON (unlike the ``app`` fixture in
``tests/conftest.py``), so these tests also prove every form posts its
token. The database fixtures (``database_url``, ``_schema``, ``make_user``,
``clinician``, ``make_session``...) come from ``tests/conftest.py``; only
``app`` is overridden here.

Threads and app contexts: the test thread keeps the app context that the
``app`` fixture pushes (factories such as ``make_user`` commit through it);
each request in the server thread pushes its own app context, so it gets
its own SQLAlchemy session and connection. Nothing is shared but the
engine's connection pool.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's sync
API; a browser is never downloaded. If it is missing, every browser test
fails with a clear message, unless ``ECT_SKIP_BROWSER=1`` is set, in which
case they are skipped.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ect_reporting.models import User
from tests.conftest import PASSWORD, running_test_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Playwright's default is 30 s; a local server answers in milliseconds, so
# fail fast and keep a broken test from stalling the suite.
TIMEOUT_MS = 5_000


@pytest.fixture
def app(database_url: str, _schema: None) -> Iterator[Flask]:
    """Like the shared ``app`` fixture, but with CSRF protection enabled."""
    with running_test_app(database_url, SECRET_KEY="browser-test-secret", WTF_CSRF_ENABLED=True) as app:
        yield app


class _QuietRequestHandler(WSGIRequestHandler):
    """Do not log every request; errors are still logged (and fail the test)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _buffered(app: Flask) -> Callable[[dict[str, Any], Any], list[bytes]]:
    """Wrap ``app`` so each response body is read and closed before the server writes it.

    Werkzeug's development server drains the socket before it calls the
    response's ``close()``; when the browser has already reset the
    connection (a favicon fetch abandoned by a closing page) that drain
    raises and ``close()`` is skipped, leaving a static file open (a
    ResourceWarning, an error under ``filterwarnings``). Pages here are
    small, so buffering costs nothing.
    """

    def buffered_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return buffered_app


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietRequestHandler
    )
    # A short poll interval makes shutdown() quick (the default waits up to 0.5 s).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ect-live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        _join_request_threads(timeout=2)


def _join_request_threads(timeout: float) -> None:
    """Let requests still being handled finish before the app's engine is disposed.

    The threaded server's request threads are daemons that ``server_close``
    does not wait for; a request finishing after the ``app`` fixture has
    disposed the engine would leave a pooled connection to be garbage
    collected open (a ResourceWarning, an error under ``filterwarnings``).
    """
    deadline = time.monotonic() + timeout
    for worker in threading.enumerate():
        if "process_request_thread" in worker.name:
            worker.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole run."""
    if not os.path.exists(CHROMIUM):
        missing = f"Debian's Chromium is not installed at {CHROMIUM}, so the browser tests cannot run."
        if os.environ.get("ECT_SKIP_BROWSER") == "1":
            pytest.skip(f"{missing} Skipped because ECT_SKIP_BROWSER=1.")
        pytest.fail(
            f"{missing} Install it with `make browser` (apt-get install chromium); never `playwright install`. "
            "Set ECT_SKIP_BROWSER=1 to skip these tests instead.",
            pytrace=False,
        )
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing ({AXE_JS}); run `npm ci` (or `make assets`).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Factory: new_page(**context_options) -> a page in a fresh browser context.

    Each context has its own cookies. Server errors (HTTP 5xx) and
    JavaScript errors on any page fail the test when it ends. Requests to
    anything but the live server are refused (pages fall back to Arial).
    """
    contexts: list[Any] = []
    problems: list[str] = []

    def factory(**options: Any) -> Any:
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/London")
        # The app's Content-Security-Policy refuses inline scripts; axe-core is
        # injected as one, so the test context (only) bypasses the policy.
        options.setdefault("bypass_csp", True)
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        # Stay off the network: the NHS.UK CSS asks for web fonts from
        # assets.nhs.uk, and a slow DNS answer would stall the "load" event.
        context.route(re.compile("^(?!" + re.escape(live_server) + "/)"), lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: r.status >= 500 and problems.append(f"HTTP {r.status} from {r.url}"))
        page.on("pageerror", lambda e: problems.append(f"JavaScript error on {page.url}: {e}"))
        return page

    yield factory
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("Problems seen in the browser:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page (JavaScript on) in its own browser context."""
    return new_page()


@pytest.fixture
def sign_in() -> Callable[[Any, User], None]:
    """Helper: sign_in(page, user, next=None) signs ``user`` in through the sign-in form.

    ``next`` is a local path to land on afterwards (the form honours
    ``?next=``); without it the user lands on their home page.
    """
    from playwright.sync_api import expect

    def helper(page: Any, user: User, password: str = PASSWORD, next: str | None = None) -> None:
        page.goto("/sign-in" + (f"?{urlencode({'next': next})}" if next else ""))
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    return helper


_AXE_SCRIPT = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }));
}
"""


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """Return a readable list of axe violations: id, help, then each node."""
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture
def axe() -> Callable[[Any], None]:
    """Helper: axe(page) runs axe-core (WCAG 2.0/2.1/2.2 A and AA) and fails on any violation."""

    def helper(page: Any) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(_AXE_SCRIPT, AXE_TAGS)
        if violations:
            pytest.fail(format_violations(page.url, violations), pytrace=False)

    return helper
