"""The compact form in which a worker holds each complaint's SLA state: one ``bytes`` object.

An open ``ComplaintState`` is a dozen Python objects (the object, a list of tuples of floats and
strings, two arrays, a float, the id strings): about 550 bytes for a complaint with one event.
Packed, the same state is one object of about 110 bytes. The worker keeps the packed form in its
table and unpacks a complaint only while one of its events or deadlines is handled, so the engine
always works on the open form and its outputs do not change.

The layout never leaves the process (the changelog carries the JSON form), so it may change
between versions; the leading magic byte tells it apart from anything a changelog could hold.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array

from streams.core.sla.engine import ComplaintState
from streams.core.sla.timeline import STATUS_AFTER

MAGIC = 0xC5  # not the first byte of any JSON text
_MAGIC_BYTE = bytes([MAGIC])
ACTIONS = tuple(STATUS_AFTER)
STATUSES = (None, *dict.fromkeys(STATUS_AFTER.values()))
_ACTION_CODE = {a: i for i, a in enumerate(ACTIONS)}
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
# magic, next_due (NaN: none), status, log/seen/emitted counts (32-bit: the seen ids are not
# capped), byte lengths of store_id, complaint_id, policy, tier and category (+1; 0: none).
# No padding: '=' is packed.
_HEAD = struct.Struct("=BdB3I5H")
_U32 = array("I").itemsize
# Ids are at most 128 characters and policy names are config: all fit the 16-bit lengths.


def pack(state: ComplaintState) -> bytes:
    texts = [s.encode() for s in (state.store_id, state.complaint_id, state.policy, state.tier)]
    category = b"" if state.category is None else state.category.encode()
    head = _HEAD.pack(
        MAGIC,
        math.nan if state.next_due is None else state.next_due,
        _STATUS_CODE[state.status],
        len(state.log),
        len(state.seen),
        len(state.emitted),
        *(len(t) for t in texts),
        0 if state.category is None else len(category) + 1,
    )
    return b"".join(
        (
            head,
            *texts,
            category,
            array("d", [t for t, _ in state.log]).tobytes(),
            bytes(_ACTION_CODE[a] for _, a in state.log),
            state.seen.tobytes(),
            state.emitted.tobytes(),
        )
    )


def is_packed(held: object) -> bool:
    """Whether a complaint table's value is this form (not the JSON read from a changelog)."""
    return isinstance(held, bytes) and held[:1] == _MAGIC_BYTE


def unpack(blob: bytes) -> ComplaintState:
    magic, due, status, n_log, n_seen, n_emitted, *lens = _HEAD.unpack_from(blob)
    if magic != MAGIC:
        raise ValueError("not a packed complaint state")
    pos = _HEAD.size
    texts: list[str] = []
    for n in lens[:4]:
        texts.append(blob[pos : pos + n].decode())
        pos += n
    category = None
    if lens[4]:
        category = sys.intern(blob[pos : pos + lens[4] - 1].decode())
        pos += lens[4] - 1
    times = array("d", blob[pos : pos + 8 * n_log])
    pos += 8 * n_log
    log = [(t, ACTIONS[c]) for t, c in zip(times, blob[pos : pos + n_log], strict=True)]
    pos += n_log
    seen = array("I", blob[pos : pos + _U32 * n_seen])
    pos += _U32 * n_seen
    emitted = array("I", blob[pos : pos + _U32 * n_emitted])
    store_id, complaint_id, policy, tier = texts
    return ComplaintState(
        sys.intern(store_id),
        complaint_id,
        sys.intern(policy),
        sys.intern(tier),
        category,
        log,
        seen,
        emitted,
        None if math.isnan(due) else due,
        STATUSES[status],
    )
