"""Signed, expiring ack links: round trip, expiry, tampering, malformed tokens, secrecy."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from pydantic import SecretStr

from alerts.links import LinkError, LinkSigner
from tests.helpers import T0

SECRET = "link-secret-0123456789abcdef"


def signer(ttl: timedelta = timedelta(hours=1)) -> LinkSigner:
    return LinkSigner(SecretStr(SECRET), ttl)


def reason(s: LinkSigner, token: str, **kw: object) -> str:
    with pytest.raises(LinkError) as err:
        s.verify(token, T0, **kw)  # type: ignore[arg-type]
    return err.value.reason


def test_round_trip_and_url() -> None:
    s = signer()
    token = s.sign("fp-0001", T0, T0)
    link = s.verify(token, T0 + timedelta(minutes=59))
    assert (link.action, link.fingerprint, link.expires_at) == ("ack", "fp-0001", T0 + s.ttl)
    assert link.episode == T0
    assert all(c.isalnum() or c in "-_." for c in token)  # URL-safe as is
    url = s.url("https://cx.example.com/", "fp-0001", T0, T0)
    assert url.startswith("https://cx.example.com/ack/") and url.count("//") == 1
    assert s.verify(url.rsplit("/", 1)[1], T0).fingerprint == "fp-0001"


def test_expired_only_after_the_signature_holds() -> None:
    s = signer()
    token = s.sign("fp-0001", T0, T0)
    with pytest.raises(LinkError) as err:
        s.verify(token, T0 + timedelta(hours=1))  # expiry is exclusive
    assert err.value.reason == "expired"
    # A forged token past its "expiry" is still just a bad signature: no oracle on content.
    other = LinkSigner("another-secret-0123456789", timedelta(hours=-2)).sign("fp-0001", T0, T0)
    assert reason(s, other) == "bad_signature"


def test_tampering_is_a_bad_signature() -> None:
    s = signer()
    payload, mac = s.sign("fp-0001", T0, T0).split(".")
    raw = base64.urlsafe_b64decode(payload + "==").replace(b"fp-0001", b"fp-0002")
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac
    assert reason(s, forged) == "bad_signature"
    flipped = payload + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    assert reason(s, flipped) == "bad_signature"
    # A later expiry re-signed with a different secret does not pass either.
    assert reason(s, LinkSigner("x" * 32, timedelta(days=365)).sign("fp-0001", T0, T0)) == (
        "bad_signature"
    )
    # Signed for another action: not an ack link.
    assert reason(s, s.sign("fp-0001", T0, T0, action="resolve")) == "bad_signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "a.", ".b", "x" * 3000])
def test_malformed(token: str) -> None:
    assert reason(signer(), token) == "malformed"


def test_the_secret_stays_secret() -> None:
    s = signer()
    assert SECRET not in repr(s) and SECRET not in str(vars(s).get("ttl"))
    assert SECRET not in s.sign("fp", T0, T0)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        LinkSigner("short")
    with pytest.raises(LinkError) as err:
        s.verify("a.b", T0)
    assert SECRET not in str(err.value)
