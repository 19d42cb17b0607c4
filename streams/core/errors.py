"""How an error is said in one line, in a dead letter, a health answer or a log."""

from __future__ import annotations


def said(exc: BaseException, limit: int = 300) -> str:
    """The exception's class and the first ``limit`` characters of its message. The Kafka
    clients' errors start their message with their class already: named once, not twice."""
    name, message = type(exc).__name__, str(exc)
    if message == name or message.startswith(f"{name}: "):
        message = message[len(name) :].removeprefix(": ")
    return f"{name}: {message[:limit]}" if message else name
