"""``cxpulse alerts user add|list|disable|passwd`` and ``cxpulse alerts token add|list|revoke``.

Unlike the other ``alerts`` commands these are not clients of the running service: they write
the alerts database directly (``alerts.db_url`` from the configuration, or ``--db-url``), so the
first admin can be made before anyone can sign in. Passwords come from a prompt (never the
command line, which other users of the host can read) or, for scripts, from stdin.

Exit codes: 0 done, 1 refused (an existing name, a short password, an unknown user), 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

from alerts.settings import LoadSettings

if TYPE_CHECKING:
    from alerts.auth.accounts import Accounts

# The accounts module (argon2, SQLAlchemy, aiohttp's web) is imported only when one of these
# commands runs: every other `cxpulse` command registers them, and must not pay for that. The
# role is therefore checked by ``Accounts.add_user``, not by argparse choices.


def add_auth_parsers(sub: Any, load_settings: LoadSettings) -> None:
    """Register ``user`` and ``token`` on the ``cxpulse alerts`` subparsers."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
    db.add_argument("--db-url", help="SQLAlchemy URL of the alerts database (default: config)")
    db.set_defaults(load_settings=load_settings)

    help_ = "People who sign in to the console: add, list, disable, set a password"
    up = sub.add_parser("user", help=help_, description=help_)
    usub = up.add_subparsers(dest="user_command", required=True)
    p = usub.add_parser("add", help="add a user (asks for the password)", parents=[db])
    p.add_argument("name", help="the login (lower-case letters, digits, . _ @ -)")
    p.add_argument("--role", required=True, help="viewer (looks), duty (acts) or admin")
    p.add_argument("--display", default="", help="name shown in the console, e.g. 王丽")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=_run(cmd_user_add))
    p = usub.add_parser("list", help="every user, with role and state", parents=[db])
    p.add_argument("--json", action="store_true", help="JSON output for scripts")
    p.set_defaults(func=_run(cmd_user_list))
    p = usub.add_parser(
        "disable", help="refuse the user's logins; ends their sessions", parents=[db]
    )
    p.add_argument("name")
    p.set_defaults(func=_run(cmd_user_disable))
    p = usub.add_parser("passwd", help="set a new password; ends the user's sessions", parents=[db])
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=_run(cmd_user_passwd))

    help_ = "Bearer tokens of machine clients of the API: add (shown once), list, revoke"
    tp = sub.add_parser("token", help=help_, description=help_)
    tsub = tp.add_subparsers(dest="token_command", required=True)
    p = tsub.add_parser("add", help="make a token for a client and print it once", parents=[db])
    p.add_argument("name", help="the client, e.g. grafana; the actor of its changes")
    p.set_defaults(func=_run(cmd_token_add))
    p = tsub.add_parser("list", help="clients with tokens (never the tokens)", parents=[db])
    p.add_argument("--json", action="store_true", help="JSON output for scripts")
    p.set_defaults(func=_run(cmd_token_list))
    p = tsub.add_parser("revoke", help="refuse the client's token from now on", parents=[db])
    p.add_argument("name")
    p.set_defaults(func=_run(cmd_token_revoke))


def _accounts(args: argparse.Namespace) -> Accounts:
    from alerts.auth.accounts import Accounts
    from alerts.db import SqlStore

    url = args.db_url
    if url is None:
        load: LoadSettings = args.load_settings
        url = load(args.config).alerts.db_url
    store = SqlStore(url) if url else SqlStore()  # brings the schema up to date first
    return Accounts(store.engine)


def _password(args: argparse.Namespace) -> str:
    from alerts.auth.accounts import MIN_PASSWORD, AccountError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password (at least {MIN_PASSWORD} characters): ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from alerts.auth.accounts import AccountError
    from alerts.auth.identity import ROLES

    if args.role not in ROLES:  # before asking for a password
        raise AccountError(f"--role must be one of {', '.join(ROLES)}")
    password = _password(args)
    account = _accounts(args).add_user(args.name, password, args.role, args.display)
    print(f"added {account.name} ({account.role})")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    users = _accounts(args).users()
    if args.json:
        rows = [
            {
                "name": u.name,
                "display": u.display,
                "role": u.role,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(),
            }
            for u in users
        ]
        print(json.dumps({"users": rows}, ensure_ascii=False))
        return 0
    if not users:
        print("no users: add one with `cxpulse alerts user add NAME --role admin`")
    for u in users:
        state = "disabled" if u.disabled else "active"
        print(f"{u.name:<24} {u.role:<7} {state:<9} {u.display}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    _accounts(args).disable(args.name)
    print(f"disabled {args.name.strip().lower()}; their sessions have ended")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    password = _password(args)
    _accounts(args).set_password(args.name, password)
    print(f"new password for {args.name.strip().lower()}; their sessions have ended")
    return 0


def cmd_token_add(args: argparse.Namespace) -> int:
    token = _accounts(args).add_token(args.name)
    print("the token is shown this once; only its hash is kept:", file=sys.stderr)
    print(token)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    tokens = _accounts(args).tokens()
    if args.json:
        rows = [
            {
                "name": t.name,
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in tokens
        ]
        print(json.dumps({"tokens": rows}))
        return 0
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
        print(f"{t.name:<24} made {t.created_at:%Y-%m-%d %H:%M} UTC  {state}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    _accounts(args).revoke_token(args.name)
    print(f"revoked the token of {args.name.strip().lower()}")
    return 0


def _run(func: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        from alerts.auth.accounts import AccountError

        try:
            code: int = func(args)
            return code
        except AccountError as exc:
            print(f"cxpulse alerts: {exc}", file=sys.stderr)
            return 1

    return wrapped
