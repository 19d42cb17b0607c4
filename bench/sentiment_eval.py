"""Chinese sentiment on held-out domains: ours vs a plain char 1-3-gram LR vs SnowNLP.

    .venv/bin/python -m bench.sentiment_eval [--data-dir ../shared/data/sentiment]
        [--domains 书籍,酒店] [--snownlp-n 400]

Needs the ``train`` extra (scikit-learn, snownlp). Prints one JSON object; progress on stderr.

Domains: leave one category out over the ten categories of ``online_shopping_10_cats.csv``,
plus ``ChnSentiCorp_htl_all.csv`` ("hotel_file"). For each held-out domain both models are
trained on the same texts: every other category of online_shopping (for the hotel file, its
hotel category 酒店 is left out too: it contains 6,875 of the file's texts), with every text
equal to a held-out one removed. Nothing of the held-out domain is seen in training, and the
decision threshold (``train.balanced_threshold``, folded into the bias) is chosen on the
training domains only.

- ours: ``train.fit`` with the shipped parameters, scored by the runtime scorer (``CharLR``);
  ``ours_threshold_0`` is the same model deciding at log-odds 0 instead of the calibrated
  threshold;
- char_lr: ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf)`` and
  ``LogisticRegression(C=1)``, scikit-learn defaults otherwise: the plain baseline;
- snownlp: SnowNLP 0.12.3 as shipped (its own corpus; positive when ``sentiments >= 0.5``),
  on a random sample of ``--snownlp-n`` texts per domain because it runs ~100 texts/s.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from streams.core.text import corpus
from streams.core.text.charlr import CharLR
from streams.core.text.config import NeutralBand
from streams.core.text.corpus import Example
from streams.core.text.train import Params, fit, params_from, rules_arg, snownlp_score

HOTEL_FILE = "hotel_file"


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def folds(shopping: list[Example], hotel: list[Example], only: Sequence[str]) -> dict[str, Any]:
    cats = sorted({e.cat for e in shopping})
    out: dict[str, tuple[list[Example], list[Example]]] = {}
    for cat in [*cats, HOTEL_FILE]:
        if only and cat not in only:
            continue
        if cat == HOTEL_FILE:
            held, pool = hotel, [e for e in shopping if e.cat != "酒店"]
        else:
            held, pool = (
                [e for e in shopping if e.cat == cat],
                [e for e in shopping if e.cat != cat],
            )
        out[cat] = (corpus.dedup(pool, [held]), held)
    return out


def accuracy(scores: Sequence[float], held: Sequence[Example], threshold: float = 0.0) -> float:
    right = sum((s > threshold) == (e.label == 1) for s, e in zip(scores, held, strict=True))
    return right / max(len(held), 1)


def char_lr(train: Sequence[Example]) -> Callable[[Sequence[str]], list[float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    x = vec.fit_transform([e.text for e in train])
    clf = LogisticRegression(C=1.0, max_iter=2000).fit(x, [e.label for e in train])

    def score(texts: Sequence[str]) -> list[float]:
        return [float(v) for v in clf.decision_function(vec.transform(texts))]

    return score


def band_stats(logits: Sequence[float], held: Sequence[Example], band: float) -> dict[str, float]:
    """What the neutral band means on this domain: the share of texts inside it, and the
    accuracy of the sign inside and outside it (inside should be near a coin toss)."""
    inside = [(z > 0) == (e.label == 1) for z, e in zip(logits, held, strict=True) if abs(z) < band]
    outside = [
        (z > 0) == (e.label == 1) for z, e in zip(logits, held, strict=True) if abs(z) >= band
    ]
    return {
        "share": round(len(inside) / max(len(held), 1), 4),
        "accuracy_inside": round(sum(inside) / max(len(inside), 1), 4),
        "accuracy_outside": round(sum(outside) / max(len(outside), 1), 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    default_dir = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sentiment"
    p.add_argument("--data-dir", type=Path, default=default_dir)
    p.add_argument("--domains", default="", help="comma-separated subset (default: all 11)")
    p.add_argument("--snownlp-n", type=int, default=400)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--c", type=float, default=Params().c, help="ours: inverse L2 strength")
    p.add_argument("--rules", type=rules_arg, default=Params().rules, help="ours: feature rules")
    p.add_argument("--nb-alpha", type=float, default=Params().nb_alpha, help="ours: NB smoothing")
    p.add_argument("--plain-c", type=float, help="ours: average in a plain LR with this C")
    p.add_argument("--order", type=int, default=Params().order, help="ours: longest n-gram")
    p.add_argument("--max-grams", type=int, default=Params().max_grams, help="ours: n-grams kept")
    p.add_argument("--band", type=float, default=NeutralBand().zh, help="neutral band (score)")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    shopping = corpus.load(str(args.data_dir / "online_shopping_10_cats.csv"))
    hotel = corpus.load(str(args.data_dir / "ChnSentiCorp_htl_all.csv"))
    only = [d for d in args.domains.split(",") if d]
    params = params_from(args)
    band_logit = 2 * math.atanh(args.band)  # score = tanh(logit / 2)
    report: dict[str, Any] = {"params": params.__dict__, "neutral_band": args.band, "domains": {}}
    for name, (train, held) in folds(shopping, hotel, only).items():
        say(f"{name}: training on {len(train)}, holding out {len(held)}")
        start = time.perf_counter()
        weights = fit(train, params, {})
        model = CharLR(weights)
        ours = [model.logit(e.text) for e in held]  # calibrated: the threshold is in the bias
        threshold = float(weights.meta["threshold_logit"])
        base = char_lr(train)([e.text for e in held])
        sample = rng.sample(range(len(held)), min(args.snownlp_n, len(held)))
        picked = [held[i] for i in sample]
        row: dict[str, Any] = {
            "texts": len(held),
            "positive_share": round(sum(e.label for e in held) / len(held), 4),
            "train_texts": len(train),
            "ours": round(accuracy(ours, held), 4),
            "ours_threshold_0": round(accuracy(ours, held, -threshold), 4),
            "char_lr": round(accuracy(base, held), 4),
            "threshold_logit": threshold,
            "neutral_band": band_stats(ours, held, band_logit),
        }
        row["ours_minus_char_lr_points"] = round(100 * (row["ours"] - row["char_lr"]), 2)
        if args.snownlp_n:
            theirs = [snownlp_score(e.text) for e in picked]
            row["snownlp_sample"] = {
                "n": len(picked),
                "snownlp": round(accuracy(theirs, picked, -1e-12), 4),
                "ours": round(accuracy([ours[i] for i in sample], picked), 4),
            }
        row["seconds"] = round(time.perf_counter() - start, 1)
        report["domains"][name] = row
        say(json.dumps({name: row}, ensure_ascii=False))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
