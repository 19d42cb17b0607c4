"""Which described topics a worker must still wait for before it joins its group."""

from typing import Any

from streams.topics import leaderless


def described(name: str, leaders: list[int], error_code: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "error_code": error_code,
        "partitions": [
            {"partition_index": i, "leader_id": leader, "error_code": 0 if leader >= 0 else 5}
            for i, leader in enumerate(leaders)
        ],
    }


def test_a_topic_is_ready_when_every_partition_has_a_leader() -> None:
    assert leaderless([described("p.feedback", [1, 1])], partitions=2) == set()


def test_unknown_short_or_leaderless_topics_are_waited_for() -> None:
    answer = [
        described("p.call", [], error_code=3),  # not in the broker's metadata yet
        described("p.review", [1]),  # fewer partitions than were made
        described("p.complaint", [1, -1]),  # one partition without a leader
        described("p.feedback", [1, 1]),
    ]
    assert leaderless(answer, partitions=2) == {"p.call", "p.review", "p.complaint"}
