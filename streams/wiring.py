"""Settings → the processor's inputs, the same for the worker and the replay runner (so both
raise the same alerts from the same configuration)."""

from __future__ import annotations

from functools import lru_cache

from streams.config import StreamSettings as Settings
from streams.core.store import Signals
from streams.core.text.config import TextConfig
from streams.core.text.tools import TextAnalytics


def signals(settings: Settings) -> Signals:
    return Signals(settings.signals(), text=text_tools(settings.text.model_dump_json()))


@lru_cache(maxsize=4)
def text_tools(cfg_json: str) -> TextAnalytics:
    # Loading the weights and building the lexicon automata takes ~0.3 s; a test run or a
    # backtest that builds many Signals from one configuration pays it once.
    return TextAnalytics(TextConfig.model_validate_json(cfg_json))
