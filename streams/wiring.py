"""Settings → the processor's inputs, the same for the worker and the replay runner (so both
raise the same alerts from the same configuration)."""

from __future__ import annotations

from cxpulse.config import Settings
from streams.core.store import Signals


def signals(settings: Settings) -> Signals:
    return Signals(settings.signals(), text=None)
