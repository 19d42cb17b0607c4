"""The trainer's ensemble option: NB-LR and a plain LR averaged into one weights table."""

from __future__ import annotations

from functools import partial

import pytest

from streams.core.text.charlr import CharLR, features, normalise
from streams.core.text.corpus import Example
from streams.core.text.train import Params, fit

GOOD = ["好吃", "很好吃", "服务好", "推荐", "满意", "干净", "热情", "新鲜", "不难吃"]
BAD = ["难吃", "很难吃", "服务差", "太慢", "不满意", "很脏", "冷淡", "不新鲜", "一般"]
EXAMPLES = [
    Example(f"{text}{'!' * i}", label, "", "test")
    for i in range(3)
    for text, label in [*((g, 1) for g in GOOD), *((b, 0) for b in BAD)]
]


def logit_before_threshold(model: CharLR, text: str) -> float:
    return model.logit(text) + float(model.meta["threshold_logit"])


def test_plain_lr_is_averaged_into_the_nb_lr_weights() -> None:
    np = pytest.importorskip("numpy")
    sp = pytest.importorskip("scipy.sparse")
    text_features = pytest.importorskip("sklearn.feature_extraction.text")
    linear = pytest.importorskip("sklearn.linear_model")
    nb_alone = CharLR(fit(EXAMPLES, Params(min_df=1), {}))
    both = CharLR(fit(EXAMPLES, Params(min_df=1, plain_c=1.0), {}))
    # the plain model, fitted here the obvious way on the same features and length scaling
    texts = [normalise(e.text) for e in EXAMPLES]
    vec = text_features.CountVectorizer(
        analyzer=partial(features, order=2, rules=("negation",)), dtype=np.float64
    )
    scale = sp.diags(np.array([len(t) for t in texts], dtype=np.float64) ** -0.4)
    x = scale @ vec.fit_transform(texts)
    plain = linear.LogisticRegression(C=1.0, max_iter=5000).fit(x, [e.label for e in EXAMPLES])
    expected = (
        plain.decision_function(x) + [logit_before_threshold(nb_alone, t) for t in texts]
    ) / 2
    got = [logit_before_threshold(both, t) for t in texts]
    # threshold_logit is stored to 4 decimals
    assert got == pytest.approx(list(expected), abs=2e-4)
    assert both.meta["params"]["plain_c"] == 1.0
    assert all((both.logit(t) > 0) == (e.label == 1) for t, e in zip(texts, EXAMPLES, strict=True))


def test_an_option_that_is_off_is_not_written_into_the_weights() -> None:
    pytest.importorskip("sklearn")
    weights = fit(EXAMPLES, Params(min_df=1), {})
    assert "plain_c" not in weights.meta["params"]
