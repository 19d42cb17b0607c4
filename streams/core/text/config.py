"""Settings of the text analytics. The lead wires ``TextConfig`` into the app's Settings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    neutral_band: NeutralBand = NeutralBand()
    # A weights file written by `cxpulse sentiment train`; None = the shipped weights.
    sentiment_weights: str | None = None
