"""How sure a rate is: the Wilson score interval of a share seen in ``n`` trials.

A rule on a rate (CSAT, abandonment, service level) pages only when the whole plausible range
of the true rate is on the wrong side of its threshold, so a handful of unlucky events at a
small store is not a page, while a large store's clear problem still is. The Wilson interval
stays inside [0, 1] and behaves at small ``n`` and at rates near 0 or 1, where the plain
normal interval does not (Brown, Cai & DasGupta 2001, "Interval estimation for a binomial
proportion").
"""

from __future__ import annotations

import math
from functools import cache
from statistics import NormalDist


def _wilson(p: float, n: int, z: float, sign: float) -> float:
    if z == 0 or n <= 0:
        return p
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + sign * spread) / denom


def wilson_upper(p: float, n: int, z: float) -> float:
    """How high the true rate could plausibly be, given ``p`` seen in ``n`` trials (``z``
    standard errors; 1.64 is 95 % one-sided). ``z`` 0 is the rate itself."""
    return _wilson(p, n, z, 1.0)


def wilson_lower(p: float, n: int, z: float) -> float:
    """How low the true rate could plausibly be, given ``p`` seen in ``n`` trials."""
    return _wilson(p, n, z, -1.0)


@cache
def window_z(z: float, window: float, longest: float) -> float:
    """The ``z`` a window ``longest / window`` times shorter than the longest is judged at.

    A rule that reads several windows of one store pages when any of them is clearly bad, and
    it reads them continuously: a one-hour window passes through 24 independent hours a day
    where the day window passes through one, so at one ``z`` for all it would be wrong 24
    times as often. Bonferroni over those looks: the window's one-sided tail is ``z``'s tail
    shared by the looks, so every window adds about as many false pages as the longest one
    (``z`` 1.64 on the day: 2.86 on the hour, 2.50 on 3 h, 2.24 on 6 h)."""
    if z == 0 or window >= longest:
        return z
    tail = NormalDist().cdf(-z) * window / longest
    return -NormalDist().inv_cdf(tail)
