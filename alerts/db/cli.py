"""``cxpulse alerts db upgrade [--url URL]``: bring the alerts database to the latest schema."""

from __future__ import annotations

import argparse
from typing import Any

from alerts.db.engine import DEFAULT_URL


def add_db_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``db`` on the ``cxpulse alerts`` subparsers (``argparse._SubParsersAction``)."""
    help_ = "Manage the alerts database (SQLite by default, PostgreSQL in production)"
    dp: argparse.ArgumentParser = sub.add_parser("db", help=help_, description=help_)
    dsub = dp.add_subparsers(dest="db_command", required=True)
    help_ = "Apply the schema migrations up to the latest (idempotent)"
    up = dsub.add_parser("upgrade", help=help_, description=help_)
    up.add_argument(
        "--url",
        default=None,
        help=f"SQLAlchemy URL, e.g. postgresql://user@host/db (default: {DEFAULT_URL})",
    )
    up.add_argument("--revision", default="head", help=argparse.SUPPRESS)
    up.set_defaults(func=cmd_upgrade)
    return dp


def cmd_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from alerts.db.migrate import upgrade

    url = args.url or DEFAULT_URL
    rev = upgrade(url, args.revision)
    # Never print a password that the URL may carry.
    print(f"alerts database {make_url(url).render_as_string(hide_password=True)} at {rev}")
    return 0
