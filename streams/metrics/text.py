"""The exposition text of the store export, written straight from its gauge families.

prometheus_client's ``generate_latest`` validates and escapes every label name of every sample
and formats each value through a general routine: right for any metric, and most of a
scrape's cost when one family set holds ten thousand samples. These families are ours: their
names and label names are fixed identifiers (checked once, when a family is declared), so
only label values, which come from events, need escaping. The output is the same text
``generate_latest`` writes for them (a test holds the two equal).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString


def _value(text: str) -> str:
    if "\\" in text or '"' in text or "\n" in text:
        return text.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return text


def _number(v: float) -> str:
    # repr is what floatToGoString writes for every finite value below 1e6; the rest (large
    # values, which Go writes with an exponent, infinities, NaN) take the general routine.
    if -1e6 < v < 1e6 and not math.isnan(v):
        return repr(float(v))
    return str(floatToGoString(v))  # type: ignore[no-untyped-call]  # untyped upstream


def gauge_text(families: Iterable[Metric]) -> str:
    out: list[str] = []
    add = out.append
    for f in families:
        doc = f.documentation.replace("\\", r"\\").replace("\n", r"\n")
        add(f"# HELP {f.name} {doc}\n# TYPE {f.name} {f.type}\n")
        for s in f.samples:
            if s.labels:
                pairs = ",".join(f'{k}="{_value(v)}"' for k, v in sorted(s.labels.items()))
                add(f"{s.name}{{{pairs}}} {_number(s.value)}\n")
            else:
                add(f"{s.name} {_number(s.value)}\n")
    return "".join(out)
