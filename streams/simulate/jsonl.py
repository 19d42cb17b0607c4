"""Writing a simulated interval as JSON Lines."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import TextIO

from .generator import Simulator
from .rhythm import SLOT_SECONDS, require_aware


def write_jsonl(sim: Simulator, start: datetime, end: datetime, out: TextIO) -> int:
    """Write every event in [start, end) to ``out``, one JSON object per line; return the count.

    Works hour by hour (aligned to hour boundaries) so memory stays flat for long intervals;
    the simulator's split invariance makes the result identical to one big call.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    count = 0
    cursor = start
    while cursor < end:
        next_hour = (math.floor(cursor.timestamp() / SLOT_SECONDS) + 1) * SLOT_SECONDS
        chunk_end = min(datetime.fromtimestamp(next_hour, cursor.tzinfo), end)
        for event in sim.events_between(cursor, chunk_end):
            # ensure_ascii=False keeps the Chinese text readable in the file.
            out.write(json.dumps(event, ensure_ascii=False))
            out.write("\n")
            count += 1
        cursor = chunk_end
    return count
