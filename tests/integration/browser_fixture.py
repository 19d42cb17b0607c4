"""A real browser for the console tests: Debian's Chromium driven by Playwright.

Playwright's own browser downloads are not reachable from the machines we test on, so the tests
drive the Chromium Debian ships (installed with apt when missing, once per machine) through
``executable_path``. The flags keep a headless Chromium quiet on a closed network: without the
background-networking ones it keeps dialling Google's hosts and its refused connections pile up.

Fixtures: ``browser`` (one Chromium per test module), ``phone`` and ``desktop`` (a fresh context and
page each, 360x740 touch and 1280x800). When a test fails, the page it was on is saved as a
screenshot under ``$CXPULSE_ARTIFACTS`` (default ``.artifacts/`` in the repository).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.debian import install

REPO = Path(__file__).parents[2]
FLAGS = (
    "--no-sandbox",  # the tests may run as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def chromium() -> str:
    """The path of Debian's Chromium, installing the package first if it is missing."""
    found = shutil.which("chromium")
    if found is None:
        install("chromium")
        found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("apt installed chromium but it is not on PATH")
    return found


def artifacts() -> Path:
    path = Path(os.environ.get("CXPULSE_ARTIFACTS") or REPO / ".artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keep each phase's outcome on the test item: the page fixtures read it at teardown to
    # decide whether to save a screenshot.
    outcome: Any = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Per module, not per session: while Playwright's sync API is open it keeps an event loop
    # running in this thread, and every later test's asyncio.run() would refuse to start.
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=list(FLAGS))
        try:
            yield b
        finally:
            b.close()


def _page(request: pytest.FixtureRequest, browser: Any, **options: Any) -> Iterator[Any]:
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(15_000)  # a deadline for each wait on the page, not a pause
    page = ctx.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            shot = artifacts() / f"{request.node.name}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failed page: {shot}")
        ctx.close()


@pytest.fixture
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    yield from _page(
        request, browser, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )


@pytest.fixture
def desktop(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    yield from _page(request, browser, viewport=DESKTOP, locale="zh-CN")
