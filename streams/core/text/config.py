"""Settings of the text analytics. The lead wires ``TextConfig`` into the app's Settings."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CrisisCategory = Literal["media", "regulator", "legal", "safety", "refund", "viral"]
Band = Annotated[float, Field(ge=0, lt=1)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NeutralBand(_Section):
    """A score with ``abs(score) < band`` is labelled neutral (product choices, see MODEL_CARD)."""

    # zh: the score is 2 * P(positive) - 1, so 0.2 means P(positive) between 0.4 and 0.6.
    # On the held-out sets that is 5-17% of texts, and accuracy outside it is 2-5 points higher.
    zh: Band = 0.2
    # en: VADER's compound score; +-0.05 is the threshold its authors recommend.
    en: Band = 0.05


class TextConfig(_Section):
    # Added to the default crisis lexicon, per category (English terms match whole words).
    crisis_extra: dict[CrisisCategory, list[str]] = {}
    # Default crisis terms to drop, as written in streams/core/text/terms.py.
    crisis_disabled: list[str] = []
    # More staff taboo phrases (服务禁言); " / " separates alternatives, as in domain.md.
    taboo_extra: list[str] = []
    # Default taboo alternatives to drop, e.g. "我不知道" where it fires on harmless talk.
    taboo_disabled: list[str] = []
    # Context rules (streams/core/text/rules.py has the defaults and says why each exists).
    # Traditional Chinese is converted to simplified (OpenCC t2s) before both lexicons match.
    traditional_to_simplified: bool = True
    # A crisis term negated in its clause (没看到蟑螂, "no rats") is not a hit.
    negation: bool = True
    # The default exclusions, context requirements and name rule of rules.py; off = bare terms.
    default_rules: bool = True
    # A Chinese viral hit (转发, 扩散 …) in a text the sentiment model labels positive is dropped.
    viral_needs_complaint: bool = True
    # More exclusions per category: a regular expression whose match covers a hit drops it.
    crisis_exclude: dict[CrisisCategory, list[str]] = {}
    # Regular expressions that are hits of their category, as terms are (e.g. 吃.{0,6}拉了三次).
    crisis_include: dict[CrisisCategory, list[str]] = {}
    # Crisis term -> regular expression one of whose matches must lie within 20 characters of
    # the term for it to count (added to, or replacing, the defaults of rules.NEEDS_CONTEXT).
    crisis_context: dict[str, str] = {}
    # Taboo alternative -> regular expression read right after it that makes it an apology.
    taboo_except_after: dict[str, str] = {}
    # A hit the rules keep is read again by a model trained on reports and traps
    # (crisis_reading.py): dropped where it reads the surroundings as no crisis. One model per
    # language; part of the default rules (off with them).
    crisis_second_reading: bool = True
    # Weights files written by `python -m streams.core.text.train_crisis [--lang en]`; None =
    # the shipped ones.
    crisis_reading_weights: str | None = None
    crisis_reading_weights_en: str | None = None
    # The log-odds below which a hit is dropped; None = the one in the weights (chosen by
    # cross-validation so that about 0.5% of real reports fall below it, MODEL_CARD.md).
    crisis_reading_threshold: float | None = None
    crisis_reading_threshold_en: float | None = None
    neutral_band: NeutralBand = NeutralBand()
    # A weights file written by `cxpulse sentiment train`; None = the shipped weights.
    sentiment_weights: str | None = None

    @field_validator("crisis_exclude", "crisis_include")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            for pattern in patterns:
                _compiles(pattern)
        return value

    @field_validator("crisis_context", "taboo_except_after")
    @classmethod
    def _values_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for pattern in value.values():
            _compiles(pattern)
        return value


def _compiles(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {pattern!r} ({exc})") from exc
