"""The exposition text of the store export, written line by line.

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

from prometheus_client.utils import floatToGoString


def escaped(text: str) -> str:
    """A label value as the format writes it between its quotes."""
    if "\\" in text or '"' in text or "\n" in text:
        return text.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return text


def number(v: float) -> str:
    # repr is what floatToGoString writes for every finite value below 1e6; the rest (large
    # values, which Go writes with an exponent, infinities, NaN) take the general routine.
    if -1e6 < v < 1e6 and not math.isnan(v):
        return repr(float(v))
    return str(floatToGoString(v))  # type: ignore[no-untyped-call]  # untyped upstream


def header(name: str, doc: str, kind: str = "gauge") -> str:
    doc = doc.replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {name} {doc}\n# TYPE {name} {kind}\n"


def labelled(name: str, labels: Iterable[tuple[str, str]]) -> str:
    """A sample line up to its value, labels sorted by name as ``generate_latest`` writes
    them: what stays the same while the value changes, so it can be kept."""
    pairs = ",".join(f'{k}="{escaped(v)}"' for k, v in sorted(labels))
    return f"{name}{{{pairs}}} " if pairs else f"{name} "


def sample(name: str, labels: Iterable[tuple[str, str]], value: float) -> str:
    return f"{labelled(name, labels)}{number(value)}\n"
