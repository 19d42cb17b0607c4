"""Which partition's fetched records stopped on an error: found on aiokafka's own record
readers, fed two partitions' batches of which one is corrupt (its checksum is wrong)."""

from __future__ import annotations

from typing import Any

from aiokafka.consumer.fetcher import READ_UNCOMMITTED, PartitionRecords
from aiokafka.errors import CorruptRecordException
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.record.memory_records import MemoryRecords
from aiokafka.structs import TopicPartition

from streams.fetched import broken_partition

GOOD, BAD = TopicPartition("cx.feedback", 0), TopicPartition("cx.feedback", 1)


def batch(first: int, count: int, corrupt: bool = False) -> bytes:
    builder = DefaultRecordBatchBuilder(2, 0, 0, -1, -1, -1, 1 << 20)
    for i in range(count):
        builder.append(i, timestamp=1_700_000_000_000, key=b"S1", value=b"{}", headers=[])
    raw = bytearray(builder.build())
    raw[0:8] = first.to_bytes(8, "big")  # the batch's base offset
    if corrupt:
        raw[-1] ^= 0xFF  # a record's byte: the batch's CRC no longer matches
    return bytes(raw)


class Pending:
    """What the fetcher keeps per partition: a result holding its record reader."""

    def __init__(self, tp: TopicPartition, data: bytes, offset: int) -> None:
        self._partition_records = PartitionRecords(
            tp, MemoryRecords(data), [], offset, None, None, True, READ_UNCOMMITTED
        )


def take(pending: Pending, n: int) -> list[Any]:
    reader = pending._partition_records
    return [next(reader) for _ in range(n)]


def test_the_partition_whose_reader_raised_is_found_with_the_offset_it_stopped_at() -> None:
    good = Pending(GOOD, batch(0, 5), 0)
    bad = Pending(BAD, batch(0, 3) + batch(3, 4, corrupt=True), 0)
    pending = {GOOD: good, BAD: bad}
    assert [r.offset for r in take(good, 2)] == [0, 1]  # part-read, still going
    assert broken_partition(pending) is None
    assert [r.offset for r in take(bad, 3)] == [0, 1, 2]
    try:
        take(bad, 1)
    except CorruptRecordException:
        pass
    else:
        raise AssertionError("the corrupt batch was read")
    assert broken_partition(pending) == (BAD, 3)


def test_a_reader_read_to_its_end_is_not_broken() -> None:
    done = Pending(GOOD, batch(0, 2), 0)
    assert [r.offset for r in list(done._partition_records)] == [0, 1]
    assert broken_partition({GOOD: done}) is None
