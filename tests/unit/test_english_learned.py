"""The learned words behind the English lexicon: what they read, when they are asked, and what
they may not do (overrule the lexicon, judge a text they know nothing of)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from streams.core.text.english import EnglishScorer, english, tokens
from streams.core.text.english_learned import LearnedWords, features

TOY = LearnedWords(
    bias=0.1,
    scale=0.5,
    weights={"walls": -1.0, "thin": -2.0, "walls thin": -1.0, "!once": 1.5, "ordering": 2.0},
    meta={},
)


def test_features_mark_the_three_words_after_a_negator_and_pair_neighbours_in_a_sentence() -> None:
    got = features(tokens("Not once wrong in a year. Walls thin!"))
    assert got == [
        "not", "!once", "not !once", "!wrong", "!once !wrong", "!in", "!wrong !in", "a",
        "!in a", "year", "a year", "walls", "thin", "walls thin",
    ]  # fmt: skip
    got = features(tokens("it wasn't cold"))
    assert got == ["it", "wasn't", "it wasn't", "!cold", "wasn't !cold"]


def test_the_learned_words_speak_only_where_the_lexicon_finds_nothing() -> None:
    bare, learned = EnglishScorer(), EnglishScorer(TOY)
    # no lexicon word: the model's scaled log-odds, through the lexicon's normalisation
    t = (0.1 - 1.0 - 2.0 - 1.0) * 0.5
    assert learned.score("walls thin") == t / math.sqrt(t * t + 15)
    assert bare.score("walls thin") == 0.0
    # a lexicon word decides alone, whatever the model says of the rest
    text = "the walls were thin but the staff were lovely"
    assert learned.score(text) == bare.score(text) > 0
    # nothing the model knows: still 0 (the bias alone is no judgement)
    assert learned.score("we arrived on a tuesday") == 0.0


def test_weights_survive_a_dump_and_load(tmp_path: Path) -> None:
    path = tmp_path / "w.json.gz"
    TOY.dump(path)
    back = LearnedWords.load(path)
    assert (back.bias, back.scale, dict(back.weights)) == (0.1, 0.5, dict(TOY.weights))
    elsewhere = tmp_path / "other-name.json.gz"
    TOY.dump(elsewhere)
    assert elsewhere.read_bytes() == path.read_bytes()  # the same weights, the same bytes


def test_the_shipped_scorer_leans_on_a_complaint_in_facts_and_leaves_a_fact_neutral() -> None:
    # Neither sentence is in the training data; neither has a word the lexicon scores.
    scorer = english()
    assert scorer.learned is not None
    complaint = "Third time this month the parcel went to a neighbour."
    fact = "Opening hours are nine to five on weekdays."
    assert EnglishScorer().score(complaint) == EnglishScorer().score(fact) == 0.0
    assert scorer.score(complaint) <= -0.05  # labelled negative
    assert 0 < abs(scorer.score(fact)) < 0.05  # a lean, inside the neutral band


def test_the_trainer_learns_facts_from_a_toy_set_and_measures_only_the_lexicon_zeros() -> None:
    pytest.importorskip("sklearn.linear_model")
    from streams.core.text.train_en import fit, measure

    rows = [
        *({"text": f"the box sat outside in the rain {i}", "label": "negative"} for i in range(6)),
        *({"text": f"my son wears them every day {i}", "label": "positive"} for i in range(6)),
        *({"text": f"the shop opens at nine {i}", "label": "neutral"} for i in range(4)),
        {"text": "The food was lovely.", "label": "positive"},  # the lexicon decides this one
    ]
    model = fit(rows, c=1.0, min_df=2, scale=0.15)
    assert model.total(tokens("the box sat outside")) < 0 < model.total(tokens("my son wears"))
    got = measure(model, rows)
    assert (got["opinion"], got["lexicon_zero"], got["still_zero"]) == (13, 12, 0)
    assert got["right"] == 12 and got["neutral"] == 4
