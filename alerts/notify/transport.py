"""What the HTTP receivers share: one lazily created aiohttp session per
receiver, and turning transport failures into ``DeliveryError`` without leaking secrets.

Robot webhook URLs carry their credential (DingTalk ``access_token``, WeCom ``key``, the Feishu
and Slack hook paths), and aiohttp puts the URL into some of its exception texts. So no
aiohttp exception text is passed on, nor chained (a logged traceback would print the chain),
and every message is scrubbed of the receiver's secrets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

import aiohttp
from pydantic import SecretStr

from alerts.notify.base import DeliveryError
from alerts.notify.configs import HttpReceiverConfig

log = logging.getLogger("alerts.notify")


def scrub(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def secrets_of(*values: SecretStr | None) -> tuple[str, ...]:
    return tuple(v.get_secret_value() for v in values if v is not None)


def loads_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class HttpTransport:
    """POSTs for one receiver. ``close()`` releases the session; the next send opens a new one."""

    def __init__(self, receiver: str, cfg: HttpReceiverConfig, secrets: tuple[str, ...]) -> None:
        self.receiver = receiver
        self._timeout = aiohttp.ClientTimeout(total=cfg.timeout_seconds)
        self._proxy = cfg.proxy.get_secret_value() if cfg.proxy else None
        self._secrets = (*secrets, *secrets_of(cfg.proxy))
        self._session: aiohttp.ClientSession | None = None

    def fail(self, message: str, *, retryable: bool) -> NoReturn:
        raise DeliveryError(
            scrub(f"{self.receiver}: {message}", self._secrets), retryable=retryable
        )

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        error = "request failed"
        try:
            async with self._session.post(url, data=body, headers=hdrs, proxy=self._proxy) as r:
                return r.status, await r.read()
        except TimeoutError:
            error = f"no answer within {self._timeout.total:g} s"
        except aiohttp.ClientError as exc:
            error = f"request failed ({type(exc).__name__})"
        # Raised after the except blocks, so the aiohttp exception is not even the context.
        self.fail(error, retryable=True)

    async def post_json(
        self, url: str, payload: Any, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        return await self.post(url, body, headers)

    def check_http(self, status: int, body: bytes) -> None:
        """2xx passes. 408, 429 and 5xx are worth a retry; other 4xx (bad payload, wrong or
        revoked URL, forbidden) are not."""
        if 200 <= status < 300:
            return
        preview = body[:200].decode("utf-8", "replace")
        retry = status in (408, 425, 429) or status >= 500
        self.fail(f"HTTP {status}: {preview}", retryable=retry)

    def json_body(self, body: bytes) -> dict[str, Any]:
        data = loads_object(body)
        if data is None:
            # A 200 that is not the platform's JSON: a proxy or captive portal in between.
            self.fail("answer is not the platform's JSON", retryable=True)
        return data

    def check_errcode(self, status: int, body: bytes, retryable: frozenset[int]) -> None:
        """The robots of DingTalk and WeCom answer ``{"errcode": 0, "errmsg": "ok"}``; any
        other code is a failure even with HTTP 200, worth a retry only if in ``retryable``."""
        self.check_http(status, body)
        answer = self.json_body(body)
        code = answer.get("errcode", 0)
        if code != 0:
            msg = str(answer.get("errmsg", ""))[:200]
            self.fail(f"errcode {code}: {msg}", retryable=code in retryable)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
