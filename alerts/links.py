"""Signed, expiring one-click links (acknowledge an alert from the message on the phone).

A token is ``base64url(payload) "." base64url(HMAC-SHA256(secret, domain || payload))`` with
payload ``"v2\\n<action>\\n<expiry unix seconds>\\n<episode>\\n<fingerprint>"``, where the
episode is the alert's ``starts_at`` in microseconds: an alert that resolved and fired again is
a new episode, and a link from the old one must not acknowledge it (the API compares them).
The signature is the whole authentication of the link, so: the secret comes from the config and
is never logged or put in a repr; verification compares in constant time; and the expiry is only
looked at once the signature holds, so a forged token learns nothing but "bad signature".

The link carries no user: whoever holds the message holds the link (the duty group). The API
records the actor as ``ack-link``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import quote

from pydantic import SecretStr

Reason = Literal["malformed", "bad_signature", "expired"]
# v1 links carried no episode: refused as malformed, so an old link cannot ack a new episode.
_VERSION = "v2"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Domain separation: a MAC made for something else with the same secret is no link token.
_DOMAIN = b"cxpulse-link\n"
MIN_SECRET_BYTES = 16


class LinkError(ValueError):
    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


@dataclass(frozen=True)
class Link:
    action: str
    fingerprint: str
    episode: datetime  # the starts_at of the alert episode the link was made for
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _ALPHABET for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class LinkSigner:
    def __init__(self, secret: str | SecretStr, ttl: timedelta = timedelta(hours=24)) -> None:
        raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if len(raw.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the link secret must be at least {MIN_SECRET_BYTES} bytes")
        self._key = raw.encode()
        self.ttl = ttl

    def __repr__(self) -> str:
        return f"LinkSigner(ttl={self.ttl})"

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, _DOMAIN + payload, hashlib.sha256).digest()

    def sign(self, fingerprint: str, episode: datetime, now: datetime, action: str = "ack") -> str:
        if "\n" in fingerprint or "\n" in action:
            raise ValueError("fingerprint and action must be single-line")
        expires = int((now + self.ttl).timestamp())
        micros = (episode - _EPOCH) // _MICROSECOND
        payload = f"{_VERSION}\n{action}\n{expires}\n{micros}\n{fingerprint}".encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def url(
        self, base_url: str, fingerprint: str, episode: datetime, now: datetime, action: str = "ack"
    ) -> str:
        """``{base_url}/ack/{token}``: the path the API serves (``alerts.api``)."""
        token = self.sign(fingerprint, episode, now, action)
        return f"{base_url.rstrip('/')}/{quote(action)}/{token}"

    def ack_url_factory(
        self, base_url: str, clock: Callable[[], datetime]
    ) -> Callable[[str, datetime], str]:
        """(fingerprint, episode) -> a fresh ack link, signed at ``clock()`` (the lifecycle
        engine's ``ack_url`` hook, called when a message is composed)."""
        return lambda fingerprint, episode: self.url(base_url, fingerprint, episode, clock())

    def verify(self, token: str, now: datetime, action: str | None = "ack") -> Link:
        """The link, or ``LinkError`` saying why not. ``action`` None accepts any action."""
        parts = token.split(".")
        if len(parts) != 2 or len(token) > 2048:
            raise LinkError("malformed", "the link is incomplete or damaged")
        try:
            payload, mac = _unb64(parts[0]), _unb64(parts[1])
        except (ValueError, binascii.Error):
            raise LinkError("malformed", "the link is incomplete or damaged") from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkError("bad_signature", "the link's signature is not valid")
        # Signed by us from here on: a parse failure is our bug or an old format, not an attack.
        try:
            version, act, expires, micros, fingerprint = payload.decode().split("\n", 4)
            expires_at = datetime.fromtimestamp(int(expires), UTC)
            episode = _EPOCH + int(micros) * _MICROSECOND
        except (ValueError, UnicodeDecodeError, OverflowError):
            raise LinkError("malformed", "the link's content is not understood") from None
        if version != _VERSION or not fingerprint:
            raise LinkError("malformed", "the link's content is not understood")
        if action is not None and act != action:
            raise LinkError("bad_signature", f"the link is not an {action} link")
        if now >= expires_at:
            raise LinkError("expired", f"the link expired at {expires_at.isoformat()}")
        return Link(act, fingerprint, episode, expires_at)
