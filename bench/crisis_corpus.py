"""Precision of the crisis detector over every hit it makes on the two corpus files.

    .venv/bin/python -m bench.crisis_corpus [--data-dir ../shared/data/sentiment]

The corpus files (ChineseNlpCorpus, outside the repository) are read whole; each (review,
category) the detector hits is looked up in ``bench/data/crisis_eval.jsonl`` by its file, line
and category, and counted by that record's hand label. Over the rounds the set came to hold a
label for every hit of the current detector (``fresh10`` labelled the last ones), so this is
the detector's precision on everything those 70,000 reviews make it say, not on a sample.
Prints one JSON object: hits, labelled, real, not real, unlabelled (hits the set has no label
for: new ones after a change of rules, to be labelled before the figure means anything),
precision with its 95% Wilson interval, per category.

Caveat: a record's text is an excerpt of at most 80 characters around the word that selected
it; the label is the excerpt's, and the detector reads the whole review.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.crisis_eval import DATA, wilson
from streams.core.text.corpus import labelled_rows
from streams.core.text.tools import TextAnalytics

FILES = ("online_shopping_10_cats.csv", "ChnSentiCorp_htl_all.csv")
_SOURCE = re.compile(r"(\S+\.csv) line (\d+)")


def labels(path: Path) -> dict[tuple[str, int, str], bool]:
    """(file, line, category) -> the label of the last record that names them."""
    out: dict[tuple[str, int, str], bool] = {}
    for row in labelled_rows([path]):
        if m := _SOURCE.match(row["provenance"]):
            out[(m.group(1), int(m.group(2)), row["category"])] = bool(row["crisis"])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", type=Path, default=Path("../shared/data/sentiment"))
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args(argv)
    known = labels(args.data)
    tools = TextAnalytics()
    counts: dict[str, Counter[str]] = {}
    for name in FILES:
        path = args.data_dir / name
        if not path.exists():
            print(f"{path}: not found (the corpus lives outside the repository)", file=sys.stderr)
            return 2
        with path.open(encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):  # line 1 is the header
                for category in {h.category for h in tools.crisis_hits(row.get("review") or "")}:
                    label = known.get((name, n, category))
                    key = "unlabelled" if label is None else "real" if label else "not_real"
                    counts.setdefault(category, Counter())[key] += 1
    total: Counter[str] = sum(counts.values(), Counter())
    report = {"all": _rates(total), **{c: _rates(k) for c, k in sorted(counts.items())}}
    print(json.dumps(report, indent=1))
    return 0


def _rates(c: Counter[str]) -> dict[str, object]:
    labelled = c["real"] + c["not_real"]
    return {
        "hits": labelled + c["unlabelled"],
        "labelled": labelled,
        "real": c["real"],
        "not_real": c["not_real"],
        "unlabelled": c["unlabelled"],
        "precision": round(c["real"] / labelled, 4) if labelled else None,
        "precision_95": wilson(c["real"], labelled),
    }


if __name__ == "__main__":
    sys.exit(main())
