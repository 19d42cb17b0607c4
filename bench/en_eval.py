"""English sentiment on written review sentences: how many score exactly 0, and the sign.

    .venv/bin/python -m bench.en_eval [--split dev|test|all] [--zeros]

Reads ``bench/data/en_sentences2.jsonl``, ``en_sentences3.jsonl`` and ``en_sentences4.jsonl``
(films, electronics and other goods bought online; labelled
``positive``/``negative``/``neutral``, split ``dev``/``test`` by a hash of the text; each
reported on its own) and the older ``bench/data/en_sentences.jsonl`` (labels 1/0). Prints one
JSON object: per set, the share of opinion sentences scored exactly 0, the sign accuracy on
those that are not 0, and the accuracy with 0 counted as negative (the model card's
convention: positive when the score is > 0). Neutral sentences are left out of every figure
and only counted, with how many of them leave the neutral band. ``--zeros`` lists the opinion
sentences scored 0 (read it for ``dev`` only: ``test`` is for the figures).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streams.core.text.config import NeutralBand
from streams.core.text.english import english

DATA = Path(__file__).resolve().parent / "data"
# The sets with a dev/test split, each reported per split under its own name.
SPLIT_SETS = ("en_sentences2", "en_sentences3", "en_sentences4")


def load(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with (DATA / name).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if isinstance(row["label"], int):
                    row["label"] = "positive" if row["label"] == 1 else "negative"
                rows.append(row)
    return rows


def figures(rows: Sequence[dict[str, Any]], zeros: bool) -> dict[str, Any]:
    scorer = english()
    opinion = [(r, scorer.score(r["text"])) for r in rows if r["label"] != "neutral"]
    nonzero = [(r, s) for r, s in opinion if s != 0.0]
    right = sum((s > 0) == (r["label"] == "positive") for r, s in nonzero)
    right_zero_neg = sum((s > 0) == (r["label"] == "positive") for r, s in opinion)
    neutral = [scorer.score(r["text"]) for r in rows if r["label"] == "neutral"]
    band = NeutralBand().en
    out: dict[str, Any] = {
        "n": len(opinion),
        "exact_zero": round(1 - len(nonzero) / max(len(opinion), 1), 4),
        "sign_accuracy_nonzero": round(right / max(len(nonzero), 1), 4),
        "accuracy_zero_as_negative": round(right_zero_neg / max(len(opinion), 1), 4),
        "neutral_n": len(neutral),
        "neutral_zero": sum(s == 0.0 for s in neutral),
        # labelled positive or negative all the same (outside the default neutral band)
        "neutral_out_of_band": sum(abs(s) >= band for s in neutral),
    }
    if zeros:
        out["zeros"] = [r["text"] for r, s in opinion if s == 0.0]
        out["wrong_sign"] = [
            [r["text"], round(s, 3)] for r, s in nonzero if (s > 0) != (r["label"] == "positive")
        ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    p.add_argument("--zeros", action="store_true", help="list the opinion sentences scored 0")
    args = p.parse_args(argv)
    report: dict[str, Any] = {}
    for name in SPLIT_SETS:
        rows = load(f"{name}.jsonl")
        for split in ("dev", "test") if args.split == "all" else (args.split,):
            report[f"{name}_{split}"] = figures(
                [r for r in rows if r["split"] == split], args.zeros
            )
    report["en_sentences"] = figures(load("en_sentences.jsonl"), args.zeros)
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
