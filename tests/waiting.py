"""Waiting in tests without sleeping blind: poll a condition until a deadline, and pick a free
local port for a server a test starts.

Servers a fixture starts (Prometheus, PostgreSQL, Alertmanager) answer "not yet" in several ways
while they boot; ``wait_ready`` polls through all of them and fails at its deadline with the
last one, so a slow first start on a fresh machine is waited for, not reported as a failure.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable
from http.client import HTTPException
from typing import Any
from urllib.request import urlopen

INTERVAL = 0.05  # the pause between two polls, not a wait for an event


class NotReady(Exception):
    """Raised by a readiness check: the server answered, but not yet with what we wait for."""


# How a starting server says "not yet": it refuses or resets the connection, or answers 503
# (urllib's HTTPError and URLError are OSErrors); it drops the connection mid-answer
# (HTTPException); its body is empty or not (yet) the JSON we expect (ValueError, which
# json.JSONDecodeError is); or the check itself says so (NotReady).
NOT_READY: tuple[type[Exception], ...] = (NotReady, OSError, HTTPException, ValueError)


def _shown(last: object) -> str:
    if isinstance(last, BaseException):
        return f"{type(last).__name__}: {last}"
    return repr(last)


def wait_for(
    check: Callable[[], Any],
    timeout: float = 60.0,
    what: str = "condition",
    retry: tuple[type[BaseException], ...] = (),
    explain: Callable[[], str] | None = None,
) -> Any:
    """Poll ``check`` until it returns something truthy, or fail after ``timeout`` seconds.
    An exception of a type in ``retry`` counts as "not yet"; any other one fails at once.
    ``explain`` adds what the failure message needs beyond the last result (a worker's log)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except retry as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(INTERVAL)
    extra = f"\n{explain()}" if explain is not None else ""
    raise AssertionError(
        f"timed out after {timeout:g}s waiting for {what}; last: {_shown(last)}{extra}"
    )


def wait_ready(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """``wait_for`` a server that is starting: every ``NOT_READY`` error means "poll again"."""
    return wait_for(check, timeout, what, retry=NOT_READY)


def get_json(url: str, timeout: float = 2.0) -> Any:
    """The parsed JSON body of a successful answer from ``url``; any other answer (refused,
    503, empty or invalid body) raises one of ``NOT_READY``."""
    with urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


async def until(check: Callable[[], object], timeout: float, what: str) -> None:
    """``wait_for`` inside an event loop: the loop keeps running between polls."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out after {timeout:g}s waiting for {what}"
        await asyncio.sleep(INTERVAL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
