"""E-mail over SMTP: plain text with an HTML alternative, optional STARTTLS and login.

The standard library's smtplib runs in a worker thread (``asyncio.to_thread``): a few mails a
minute do not justify another dependency (aiosmtplib), and smtplib's exceptions carry the SMTP
reply codes the retry decision needs (4xx: try again later; 5xx: permanent).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from alerts.notify import render
from alerts.notify.base import DeliveryError, Notification
from alerts.notify.configs import EmailConfig
from alerts.notify.transport import scrub, secrets_of
from schemas.mask import mask_text

log = logging.getLogger("alerts.notify.email")

# Python's header folding drops the space where it breaks between two encoded words
# ("禾风小馆 上海" arrives as "禾风小馆上海"); SMTP allows 998-byte lines, and a subject capped at
# SUBJECT_MAX characters (at most 4 bytes each, base64 adds a third) never needs folding.
_POLICY = policy.SMTP.clone(max_line_length=998)
SUBJECT_MAX = 160


def _msg_id(value: str) -> str:
    # Keys may hold characters a Message-ID cannot; a digest is stable and safe.
    return f"<{hashlib.sha256(value.encode()).hexdigest()[:32]}@cxpulse>"


class EmailReceiver:
    def __init__(self, cfg: EmailConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._secrets = secrets_of(cfg.password)

    def __repr__(self) -> str:
        return f"EmailReceiver(name={self.name!r}, host={self.cfg.host!r})"

    def message(self, n: Notification) -> EmailMessage:
        doc = render.compose(n, tz=self.cfg.timezone)
        msg = EmailMessage(policy=_POLICY)
        subject = f"{self.cfg.subject_prefix} {doc.title}".strip()
        msg["Subject"] = subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX] + "…"
        msg["From"] = self.cfg.sender
        msg["To"] = ", ".join(self.cfg.to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = _msg_id(n.key)
        # Firing, escalations and the resolution of one group thread together in mail clients.
        msg["References"] = _msg_id(n.group_key)
        msg["X-Cxpulse-Key"] = n.key
        msg.set_content(render.text(doc))
        msg.add_alternative(render.html(doc), subtype="html")
        return msg

    def _deliver(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        cfg = self.cfg
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds) as smtp:
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=cfg.tls_ca_file))
            if cfg.username is not None and cfg.password is not None:
                smtp.login(cfg.username, cfg.password.get_secret_value())
            return smtp.send_message(msg)

    async def send(self, notification: Notification) -> None:
        msg = self.message(notification)
        error, retryable = "", True
        try:
            refused = await asyncio.to_thread(self._deliver, msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"all recipients refused ({', '.join(map(str, sorted(set(codes))))})"
            retryable = all(400 <= c < 500 for c in codes)
        except smtplib.SMTPResponseException as exc:  # auth, sender, data, connect
            reply = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            error = f"SMTP {exc.smtp_code} {reply[:200]}"
            retryable = 400 <= exc.smtp_code < 500
        except smtplib.SMTPNotSupportedError:
            error, retryable = "the server does not offer STARTTLS or AUTH as configured", False
        except ssl.SSLCertVerificationError:
            error, retryable = "the server's TLS certificate is not trusted", False
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, refused, timeouts
            error = f"connection failed ({type(exc).__name__})"
        else:
            if refused:
                log.warning(
                    "%s: %d of %d recipients refused", self.name, len(refused), len(self.cfg.to)
                )
            log.info("%s: sent %s", self.name, notification.key)
            return
        text = mask_text(scrub(f"{self.name}: {error}", self._secrets))
        raise DeliveryError(text, retryable=retryable)

    async def close(self) -> None:
        """Nothing to release: each mail opens its own SMTP connection."""
