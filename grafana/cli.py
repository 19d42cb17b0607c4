"""``cxpulse grafana generate|check|push``. Registered by cxpulse/cli.py through ``add_parser``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the command on the ``cxpulse`` subparsers (``argparse._SubParsersAction``)."""
    help_ = "Dashboards as code: write the JSON, check it is current, push it to a Grafana"
    sp = subparsers.add_parser("grafana", help=help_, description=help_)
    sp.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
    sub = sp.add_subparsers(dest="grafana_command", required=True)

    sub.add_parser("generate", help="Rewrite grafana/dashboards/*.json from the code").set_defaults(
        func=generate
    )
    sub.add_parser(
        "check", help="Exit 1 when grafana/dashboards/*.json differs from the code"
    ).set_defaults(func=check)

    help_ = "Create the folder, the Prometheus data source and every dashboard in a Grafana"
    pp = sub.add_parser("push", help=help_, description=help_)
    pp.add_argument("--url", help="Grafana URL (default: $GRAFANA_URL, else http://127.0.0.1:3000)")
    pp.add_argument("--token", help="service-account token (default: $GRAFANA_TOKEN)")
    pp.add_argument("--folder", default="cxpulse", help="folder title (uid: cxpulse)")
    pp.add_argument(
        "--prometheus-url",
        default="http://prometheus:9090",
        help="the Prometheus URL as Grafana's server reaches it",
    )
    pp.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request")
    pp.set_defaults(func=push)


def generate(args: argparse.Namespace) -> int:
    from grafana import generate as gen

    for path in gen.write():
        print(path)
    return 0


def check(args: argparse.Namespace) -> int:
    from grafana import generate as gen

    stale = gen.stale()
    if stale:
        print(
            "stale dashboards: " + ", ".join(stale) + " (run `cxpulse grafana generate`)",
            file=sys.stderr,
        )
        return 1
    print("dashboards are current")
    return 0


def push(args: argparse.Namespace) -> int:
    from grafana.push import PushError, Target
    from grafana.push import push as run

    target = Target.from_env(
        args.url,
        args.token,
        folder=args.folder,
        prometheus_url=args.prometheus_url,
        timeout=args.timeout,
    )
    try:
        report = run(target)
    except PushError as exc:
        print(f"cxpulse: {exc}", file=sys.stderr)
        return 1
    print(f"folder {args.folder!r}: {report.folder}; data source: {report.datasource}")
    print(f"dashboards: {', '.join(report.dashboards)} -> {target.url}")
    return 0
