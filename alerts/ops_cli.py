"""``cxpulse alerts list|show|ack|resolve|silence|outbox|serve``: the duty-manager API from a
shell (``user`` and ``token``, which write the database, are ``alerts.auth.cli``).

Every command but ``serve`` is an HTTP client of the running service (``cxpulse alerts serve``),
never a second writer to the database: the service applies the lifecycle rules in one place.
Token from ``--token`` or ``$CXPULSE_ALERTS__TOKEN`` (the same variable that configures the
service's ``alerts.token``). Tables for people, ``--json`` for scripts.

Exit codes: 0 done, 1 the API refused the request (4xx/5xx), 2 no token or no service.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from alerts.auth.cli import add_auth_parsers
from alerts.settings import AlertsSettings, Loaded, LoadSettings

DEFAULT_URL = "http://127.0.0.1:9110"
TOKEN_ENV = "CXPULSE_ALERTS__TOKEN"
URL_ENV = "CXPULSE_ALERTS_URL"
_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# --- HTTP -----------------------------------------------------------------------------------


class Client:
    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        if not token:
            raise CliError(f"no API token: set {TOKEN_ENV} or pass --token", 2)
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        q = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.url}{path}" + (f"?{urlencode(q)}" if q else "")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self._token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                result: dict[str, Any] = json.load(r)
                return result
        except urllib.error.HTTPError as exc:
            message = _error_text(exc)
            if exc.code == 401:
                raise CliError(
                    f"the alerts API refused the token ({message}); check {TOKEN_ENV} or --token",
                    1,
                ) from None
            raise CliError(f"{message} (HTTP {exc.code})", 1) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CliError(
                f"cannot reach the alerts API at {self.url} ({reason}); "
                "is `cxpulse alerts serve` running? (--url to point elsewhere)",
                2,
            ) from None


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read())
        return str(data["error"])
    except (ValueError, KeyError, TypeError, OSError):
        return exc.reason if isinstance(exc.reason, str) else "error"


# --- parsing --------------------------------------------------------------------------------


def _matcher(text: str) -> dict[str, str]:
    m = _MATCHER.match(text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a matcher like store_id=S003, kind!=sla or region=~'east|north'"
        )
    value = m.group(3)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return {"name": m.group(1), "op": m.group(2), "value": value}


def _duration(text: str) -> timedelta:
    from streams.core.sla.policy import parse_duration

    try:
        seconds = float(parse_duration(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the duration must be positive")
    return timedelta(seconds=seconds)


def _when(text: str) -> datetime:
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time") from None
    if dt.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs an offset, e.g. +08:00")
    return dt


def _who(args: argparse.Namespace) -> str:
    if args.who:
        return str(args.who)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


# --- output ---------------------------------------------------------------------------------


def _local(text: str | None, tz: ZoneInfo) -> str:
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone(tz).strftime("%m-%d %H:%M")


def _table(headers: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*row)
    # Piped output keeps full rows (rich would wrap them at 80 columns).
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)
    console.print(table)


def _alert_rows(alerts: list[dict[str, Any]], tz: ZoneInfo) -> list[list[str]]:
    return [
        [
            a["fingerprint"],
            a["state"] + (" (silenced)" if a.get("silenced_by") else ""),
            a["severity"],
            a["labels"].get("store_id", ""),
            a["kind"],
            str(a["count"]),
            _local(a["last_seen"], tz),
            a["summary_zh"],
        ]
        for a in alerts
    ]


def _emit(args: argparse.Namespace, data: dict[str, Any], human: Any) -> int:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        human(data)
    return 0


# --- commands -------------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> Client:
    return Client(args.url, args.token or os.environ.get(TOKEN_ENV))


def cmd_list(args: argparse.Namespace) -> int:
    query = {
        "state": ",".join(args.state) if args.state else None,
        "store_id": args.store,
        "limit": args.limit,
        "offset": args.offset,
    }
    data = _client(args).call("GET", "/api/alerts", query=query)
    tz = ZoneInfo(args.tz)

    def human(d: dict[str, Any]) -> None:
        if not d["alerts"]:
            print("no alerts")
            return
        headers = ["FINGERPRINT", "STATE", "SEVERITY", "STORE", "KIND", "COUNT", "LAST SEEN"]
        _table([*headers, "SUMMARY"], _alert_rows(d["alerts"], tz))

    return _emit(args, data, human)


def cmd_show(args: argparse.Namespace) -> int:
    data = _client(args).call("GET", f"/api/alerts/{quote(args.fingerprint, safe='')}")
    tz = ZoneInfo(args.tz)

    def human(d: dict[str, Any]) -> None:
        a = d["alert"]
        fields = [
            ("fingerprint", a["fingerprint"]),
            ("state", a["state"]),
            ("severity", a["severity"]),
            ("rule", f"{a['rule']} ({a['kind']})"),
            ("summary", a["summary_zh"]),
            ("labels", " ".join(f"{k}={v}" for k, v in sorted(a["labels"].items()))),
            ("since", _local(a["starts_at"], tz)),
            ("last seen", f"{_local(a['last_seen'], tz)} (x{a['count']})"),
            (
                "acknowledged",
                f"{a['acked_by']} at {_local(a['acked_at'], tz)}" if a["acked_by"] else "",
            ),
            ("ack until", _local(a["ack_until"], tz)),
            (
                "resolved",
                f"{a['resolved_by']} at {_local(a['ends_at'], tz)}" if a["resolved_by"] else "",
            ),
            ("silenced by", a.get("silenced_by") or ""),
            ("inhibited by", a.get("inhibited_by") or ""),
        ]
        for k, v in fields:
            if v:
                print(f"{k + ':':<14}{v}")
        print()
        rows = [[_local(c["at"], tz), c["action"], c["actor"], c["detail"]] for c in d["history"]]
        _table(["AT", "ACTION", "BY", "DETAIL"], rows)

    return _emit(args, data, human)


def cmd_ack(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"who": _who(args)}
    if args.until is not None:
        body["until"] = args.until.isoformat()
    elif args.for_ is not None:
        body["until"] = (datetime.now(UTC) + args.for_).isoformat()
    fp = quote(args.fingerprint, safe="")
    data = _client(args).call("POST", f"/api/alerts/{fp}/ack", body)

    def human(d: dict[str, Any]) -> None:
        a = d["alert"]
        until = f" until {_local(a['ack_until'], ZoneInfo(args.tz))}" if a["ack_until"] else ""
        print(f"{a['fingerprint']} acknowledged by {a['acked_by']}{until}")

    return _emit(args, data, human)


def cmd_resolve(args: argparse.Namespace) -> int:
    fp = quote(args.fingerprint, safe="")
    data = _client(args).call("POST", f"/api/alerts/{fp}/resolve", {"who": _who(args)})
    return _emit(
        args,
        data,
        lambda d: print(f"{d['alert']['fingerprint']} resolved by {d['alert']['resolved_by']}"),
    )


def _silence_rows(silences: list[dict[str, Any]], tz: ZoneInfo) -> list[list[str]]:
    return [
        [
            s["id"],
            " ".join(f"{m['name']}{m['op']}{m['value']}" for m in s["matchers"]),
            _local(s["starts_at"], tz),
            _local(s["expired_at"] or s["ends_at"], tz),
            s["created_by"],
            s["comment"],
        ]
        for s in silences
    ]


def cmd_silence(args: argparse.Namespace) -> int:
    client = _client(args)
    tz = ZoneInfo(args.tz)
    headers = ["ID", "MATCHERS", "FROM", "UNTIL", "BY", "COMMENT"]
    action = args.silence_action or "list"
    if action == "list":
        data = client.call("GET", "/api/silences", query={"active": None if args.all else "1"})
        return _emit(
            args,
            data,
            lambda d: (
                _table(headers, _silence_rows(d["silences"], tz))
                if d["silences"]
                else print("no silences")
            ),
        )
    if action == "rm":
        data = client.call("DELETE", f"/api/silences/{quote(args.id, safe='')}")
        return _emit(args, data, lambda d: print(f"silence {d['silence']['id']} ended"))
    body: dict[str, Any] = {
        "matchers": args.match,
        "created_by": _who(args),
        "comment": args.comment,
    }
    if args.until is not None:
        body["ends_at"] = args.until.isoformat()
    else:
        body["duration_minutes"] = args.for_.total_seconds() / 60
    data = client.call("POST", "/api/silences", body)
    return _emit(args, data, lambda d: _table(headers, _silence_rows([d["silence"]], tz)))


def cmd_outbox(args: argparse.Namespace) -> int:
    data = _client(args).call(
        "GET", "/api/outbox", query={"receiver": args.receiver, "limit": args.limit}
    )
    tz = ZoneInfo(args.tz)
    rows = [
        [
            i["key"][:24],
            i["receiver"],
            i["state"],
            str(i["attempts"]),
            _local(i["created_at"], tz),
            _local(i["sent_at"], tz),
            (i["last_error"] or "")[:60],
        ]
        for i in data["outbox"]
    ]
    headers = ["KEY", "RECEIVER", "STATE", "TRIES", "QUEUED", "SENT", "LAST ERROR"]
    return _emit(args, data, lambda d: _table(headers, rows) if rows else print("empty outbox"))


def cmd_serve(args: argparse.Namespace) -> int:
    from alerts.main import serve

    load: LoadSettings = args.load_settings
    serve(load(args.config), args.host, args.port)
    return 0


# --- registration ---------------------------------------------------------------------------


def _run(func: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            code: int = func(args)
            return code
        except CliError as exc:
            print(f"cxpulse alerts: {exc}", file=sys.stderr)
            return exc.code

    return wrapped


def add_parser(subparsers: Any, load_settings: LoadSettings | None = None) -> Any:
    """Register ``alerts`` on the ``cxpulse`` subparsers; returns its own subparsers so other
    ``alerts`` commands (e.g. routing) can join. ``load_settings`` reads the configuration for
    ``serve`` (the embedding CLI knows where the whole file lives)."""
    help_ = "Alerts: list, show, acknowledge, resolve, silence (via the API); serve the API"
    ap = subparsers.add_parser("alerts", help=help_, description=help_)
    sub = ap.add_subparsers(dest="alerts_command", required=True)

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument(
        "--url",
        default=os.environ.get(URL_ENV, DEFAULT_URL),
        help=f"the alerts API (default ${URL_ENV} or {DEFAULT_URL})",
    )
    client.add_argument("--token", help=f"bearer token (default ${TOKEN_ENV})")
    client.add_argument("--json", action="store_true", help="JSON output for scripts")
    client.add_argument("--tz", default="Asia/Shanghai", help="time zone of the times shown")

    def add(name: str, help_: str, func: Any) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = sub.add_parser(
            name, help=help_, description=help_, parents=[client]
        )
        sp.set_defaults(func=_run(func))
        return sp

    sp = add("list", "List alerts, most recently seen first", cmd_list)
    sp.add_argument(
        "--state",
        action="append",
        choices=["firing", "acknowledged", "resolved"],
        help="repeat for several (default: all)",
    )
    sp.add_argument("--store", help="only this store_id")
    sp.add_argument("--limit", type=int, default=50)
    sp.add_argument("--offset", type=int, default=0)

    sp = add("show", "One alert and its history (who did what, when)", cmd_show)
    sp.add_argument("fingerprint")

    sp = add("ack", "Acknowledge an alert: stops its escalation", cmd_ack)
    sp.add_argument("fingerprint")
    sp.add_argument("--who", help="your name in the audit trail (default: your login)")
    until = sp.add_mutually_exclusive_group()
    until.add_argument("--for", dest="for_", type=_duration, help="re-arm after e.g. 30m")
    until.add_argument("--until", type=_when, help="re-arm at this ISO time")

    sp = add("resolve", "Resolve an alert by hand", cmd_resolve)
    sp.add_argument("fingerprint")
    sp.add_argument("--who", help="your name in the audit trail (default: your login)")

    sp = add("silence", "List (default), add or remove silences", cmd_silence)
    ssub = sp.add_subparsers(dest="silence_action")
    lp = ssub.add_parser("list", help="active silences", parents=[client])
    lp.add_argument("--all", action="store_true", help="expired ones too")
    ap_ = ssub.add_parser("add", help="silence alerts matching every --match", parents=[client])
    ap_.add_argument(
        "--match",
        action="append",
        type=_matcher,
        required=True,
        help="label matcher: name=value, name!=value, name=~regex, name!~regex",
    )
    dur = ap_.add_mutually_exclusive_group(required=True)
    dur.add_argument("--for", dest="for_", type=_duration, help="e.g. 2h")
    dur.add_argument("--until", type=_when, help="ISO time with offset")
    ap_.add_argument("--comment", default="", help="why (shown to the others on duty)")
    ap_.add_argument("--who", help="your name (default: your login)")
    rp = ssub.add_parser("rm", help="end a silence now", parents=[client])
    rp.add_argument("id")
    sp.set_defaults(all=False)

    sp = add("outbox", "The delivery log: what was sent where, and what failed", cmd_outbox)
    sp.add_argument("--receiver")
    sp.add_argument("--limit", type=int, default=50)

    help_ = "Serve the alerts API and deliver the outbox until Ctrl-C"
    sp = sub.add_parser("serve", help=help_, description=help_)
    sp.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
    sp.add_argument("--host", help="listen address (default: alerts.api_host)")
    sp.add_argument("--port", type=int, help="listen port (default: alerts.api_port, 9110)")
    sp.set_defaults(func=cmd_serve, load_settings=load_settings or _alerts_only)
    add_auth_parsers(sub, load_settings or _alerts_only)  # user and token: the database itself
    return sub


def _alerts_only(path: str | None) -> Loaded:
    """Without an embedding CLI: the ``alerts`` section from the environment only."""
    if path is not None:
        raise CliError("--config needs the cxpulse CLI, which reads the whole file", 2)
    return Loaded(AlertsSettings())
