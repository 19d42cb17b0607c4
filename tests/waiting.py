"""Waiting in tests without sleeping blind: poll a condition until a deadline, and pick a free
local port for a server a test starts."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

INTERVAL = 0.05  # the pause between two polls, not a wait for an event


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(INTERVAL)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}; last: {last!r}")


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
