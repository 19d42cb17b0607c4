"""``cxpulse sentiment``: score texts from stdin; ``cxpulse sentiment train``: new weights."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the command on the ``cxpulse`` subparsers (``argparse._SubParsersAction``)."""
    help_ = "Score texts, one per line on stdin, as JSON lines (label, score, lang, crisis)"
    sp = subparsers.add_parser("sentiment", help=help_, description=help_)
    sp.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
    sp.add_argument("--weights", help="Chinese weights file (default: the shipped one)")
    sp.set_defaults(func=run)
    sub = sp.add_subparsers(dest="sentiment_command")
    help_ = "Train Chinese sentiment weights from labelled CSV/JSONL and print held-out accuracy"
    tp = sub.add_parser("train", help=help_, description=help_)
    from streams.core.text.train import add_arguments

    add_arguments(tp)
    tp.set_defaults(func=train)


def _text_config(args: argparse.Namespace) -> Any:
    from cxpulse import config

    cfg = config.load(args.config).text
    if args.weights:
        cfg = cfg.model_copy(update={"sentiment_weights": args.weights})
    return cfg


def run(args: argparse.Namespace) -> int:
    from streams.core.text.tools import TextAnalytics

    tools = TextAnalytics(_text_config(args))
    out = sys.stdout
    # Bytes, decoded line by line: one line that is not UTF-8 gets an error row of its own
    # instead of ending the run and losing every line after it.
    source = getattr(sys.stdin, "buffer", None)
    lines: Iterable[bytes | str] = source if source is not None else sys.stdin
    for number, line in enumerate(lines, start=1):
        try:
            text = (line.decode("utf-8") if isinstance(line, bytes) else line).rstrip("\r\n")
            text.encode("utf-8")  # a str stream may carry lone surrogates (surrogateescape)
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            error = {"line": number, "error": f"not UTF-8: {exc.reason} at byte {exc.start}"}
            out.write(json.dumps(error) + "\n")
            continue
        result = tools.analyse(text)
        row = {
            "label": result.label,
            "score": round(result.score, 4),
            "lang": result.lang,
            "crisis": [h._asdict() for h in tools.crisis_hits(text)],
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def train(args: argparse.Namespace) -> int:
    from streams.core.text.train import run as run_training

    try:
        return run_training(args)
    except ImportError as exc:  # scikit-learn is an optional extra, not a runtime dependency
        print(f"cxpulse: {exc.name or exc}: pip install -e '.[train]'", file=sys.stderr)
    except (ValueError, OSError) as exc:  # a bad file or label: say which, no traceback
        print(f"cxpulse: {exc}", file=sys.stderr)
    return 2
