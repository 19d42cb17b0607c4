"""Text analytics throughput on one core: sentiment (zh, en), the lexicons, and SnowNLP.

    .venv/bin/python -m bench.text [--n 20000] [--data-dir ../shared/data/sentiment]

Prints one JSON object (progress on stderr). The process is pinned to one CPU, and every figure
is the best of ``--repeat`` passes over the same texts, timed in the process's own CPU time
(``time.process_time``): on a shared machine wall time also counts the moments other
processes held the core, which moved figures by up to 2x between runs of the same code.

Also the time to score one English text of 20k, 40k and 1M characters (``sentiment_en_long_text_s``:
it must not grow with the square of the length).

Texts: Chinese reviews sampled at run time from the labelled corpora in ``--data-dir`` (they are
never copied into the repository); without them, the simulator's Chinese text banks. English:
reviews of 1-4 sentences composed from the phrases below (no English review corpus is at hand).
The SnowNLP baseline scores a sample of the same Chinese texts in the same run (it needs
``pip install snownlp``; without it the baseline is reported as missing).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from streams.core.text.lexicon import crisis_lexicon, taboo_lexicon
from streams.core.text.sentiment import SentimentModel
from streams.core.text.tools import TextAnalytics

EN_SENTENCES = (
    "The food was great and the staff were friendly.",
    "We waited forty minutes for our order and nobody apologised.",
    "The noodles were cold and the soup was far too salty.",
    "Lovely atmosphere, good value for money, will come back.",
    "The waiter was rude when we asked for the bill.",
    "Portions are small for the price, but the taste is decent.",
    "Clean tables, quick service, and the dumplings were delicious.",
    "I found a hair in my rice and the manager did not care.",
    "Not bad, not great, just an average lunch.",
    "My kids loved the desserts and the staff brought extra napkins.",
    "The delivery arrived late and one dish was missing.",
    "Honestly the best hotpot in town, highly recommended!",
    "After eating here my whole family got sick, I am calling a lawyer.",
    "There is an issue with the online booking system.",
    "Parking is difficult on weekends.",
    "Service was slow but the chef came out to apologise, which was nice.",
)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def zh_texts(data_dir: Path, n: int, rng: random.Random) -> tuple[list[str], str]:
    texts: list[str] = []
    for name in ("online_shopping_10_cats.csv", "ChnSentiCorp_htl_all.csv"):
        path = data_dir / name
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as fh:
                texts += [r["review"].strip() for r in csv.DictReader(fh) if r["review"].strip()]
    if texts:
        return rng.sample(texts, min(n, len(texts))), f"sampled from {data_dir}"
    from streams.simulate import texts as banks

    pool = [
        t
        for name in dir(banks)
        if name.startswith(("FEEDBACK_", "REVIEW_"))
        for t in getattr(banks, name)
        if isinstance(t, str)
    ]
    return [rng.choice(pool) for _ in range(n)], "the simulator's text banks (no corpus found)"


def en_texts(n: int, rng: random.Random) -> list[str]:
    return [" ".join(rng.sample(EN_SENTENCES, rng.randint(1, 4))) for _ in range(n)]


def rate(fn: Callable[[str], object], texts: Sequence[str], repeat: int) -> dict[str, Any]:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    chars = sum(map(len, texts))
    return {
        "texts_per_s": round(len(texts) / best),
        "texts": len(texts),
        "mean_chars": round(chars / max(len(texts), 1), 1),
        "us_per_text": round(best / max(len(texts), 1) * 1e6, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=20_000, help="texts per language")
    p.add_argument("--baseline-n", type=int, default=1000, help="texts for SnowNLP (slow; 0: none)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    default_dir = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sentiment"
    p.add_argument("--data-dir", type=Path, default=default_dir)
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(args.seed)
    zh, zh_source = zh_texts(args.data_dir, args.n, rng)
    en = en_texts(args.n, rng)
    mixed = zh + en
    rng.shuffle(mixed)

    model = SentimentModel()
    start = time.perf_counter()
    model.zh, model.en  # noqa: B018  (load both models before timing)
    load_s = time.perf_counter() - start
    crisis, taboo = crisis_lexicon(), taboo_lexicon()
    tools = TextAnalytics()
    tools.model = model

    def everything(text: str) -> None:
        tools.analyse(text)
        tools.crisis(text)
        tools.taboo(text)

    out: dict[str, Any] = {
        "texts": {"zh": zh_source, "en": "composed from bench/text.py's sentences"},
        "model_load_s": round(load_s, 3),
        "zh_weights_bytes": model.weights.stat().st_size,
    }
    say("sentiment zh")
    out["sentiment_zh"] = rate(lambda t: model.score(t, "zh"), zh, args.repeat)
    by_len: dict[str, Any] = {}
    for lo, hi in ((0, 20), (21, 60), (61, 150), (151, 10**9)):
        bucket = [t for t in zh if lo <= len(t) <= hi]
        if bucket:
            by_len[f"{lo}-{hi if hi < 10**9 else ''}"] = rate(
                lambda t: model.score(t, "zh"), bucket, args.repeat
            )
    out["sentiment_zh_by_length"] = by_len
    say("sentiment en")
    out["sentiment_en"] = rate(lambda t: model.score(t, "en"), en, args.repeat)
    out["sentiment_en_long_text_s"] = long_texts(lambda t: model.score(t, "en"))
    say("lexicons")
    out["crisis_lexicon_zh"] = rate(crisis.find, zh, args.repeat)
    out["crisis_lexicon_en"] = rate(crisis.find, en, args.repeat)
    out["taboo_lexicon_zh"] = rate(taboo.find, zh, args.repeat)
    # what the stream runs: the same lexicons read in context (script, negation, rules)
    out["crisis_detector_zh"] = rate(tools.crisis, zh, args.repeat)
    out["crisis_detector_en"] = rate(tools.crisis, en, args.repeat)
    out["taboo_detector_zh"] = rate(tools.taboo, zh, args.repeat)
    say("all together")
    # analyse() guesses the language, then sentiment, crisis and taboo: what the stream does.
    # The product's traffic is Chinese; the half-English mix shows the English share's cost.
    out["all_together_zh"] = rate(everything, zh, args.repeat)
    out["all_together_en"] = rate(everything, en, args.repeat)
    out["all_together_half_en"] = rate(everything, mixed, args.repeat)
    if args.baseline_n > 0:  # 0: leave the slow baseline out
        out["snownlp_baseline"] = snownlp_baseline(zh[: args.baseline_n], model, args.repeat)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def long_texts(score: Callable[[str], object]) -> dict[str, float]:
    """Seconds to score one English text of 20k, 40k and 1M characters: growth with length."""
    sentence = "The food was great but the service was slow. "
    out: dict[str, float] = {}
    for chars in (20_000, 40_000, 1_000_000):
        text = (sentence * (chars // len(sentence) + 1))[:chars]
        start = time.perf_counter()
        score(text)
        out[f"{chars}_chars"] = round(time.perf_counter() - start, 4)
    return out


def snownlp_baseline(texts: Sequence[str], model: SentimentModel, repeat: int) -> dict[str, Any]:
    """SnowNLP and our model on the same texts (the first of the Chinese sample)."""
    try:
        from snownlp import SnowNLP
    except ImportError:
        return {"missing": "pip install snownlp"}
    say(f"SnowNLP on {len(texts)} texts (slow)")
    SnowNLP("预热").sentiments  # noqa: B018  (its models load on first use; not timed)
    theirs = rate(lambda t: SnowNLP(t).sentiments, texts, 1)
    ours = rate(lambda t: model.score(t, "zh"), texts, repeat)
    return {
        "snownlp": theirs,
        "ours": ours,
        "ours_over_snownlp": round(ours["texts_per_s"] / theirs["texts_per_s"]),
    }


if __name__ == "__main__":
    sys.exit(main())
