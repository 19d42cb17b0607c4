"""Which described topics a worker must still wait for before it joins its group, and which
existing event topics still need the broker's time stamps."""

from typing import Any

import pytest

from streams.topics import TopicError, leaderless, restamp


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


class Admin:
    """What ``restamp`` asks of kafka-python's admin client, answered from a dict."""

    def __init__(self, stamps: dict[str, str], refuse: bool = False) -> None:
        self.stamps, self.refuse = stamps, refuse
        self.altered: list[tuple[str, dict[str, str], bool]] = []

    def describe_configs(self, resources: list[Any], config_filter: str) -> dict[str, Any]:
        assert config_filter == "all"  # a broker default is not "modified": it must be seen
        return {
            "topic": {
                r.name: {"message.timestamp.type": {"value": self.stamps[r.name]}}
                for r in resources
            }
        }

    def alter_configs(self, resources: list[Any], incremental: bool) -> dict[str, Any]:
        self.altered += [(r.name, r.configs, incremental) for r in resources]
        return {"topic": {r.name: "PolicyViolation" if self.refuse else "OK" for r in resources}}


def test_only_topics_still_on_producer_stamps_are_changed_and_only_that_setting() -> None:
    admin = Admin({"p.feedback": "CreateTime", "p.review": "LogAppendTime"})
    assert restamp(admin, ["p.feedback", "p.review"]) == ["p.feedback"]
    # incremental: a whole-config alter would reset the topic's other settings
    assert admin.altered == [("p.feedback", {"message.timestamp.type": "LogAppendTime"}, True)]
    assert restamp(admin, []) == []


def test_a_refusal_names_the_topic_and_what_to_do() -> None:
    with pytest.raises(TopicError, match=r"p\.feedback.*kafka-configs\.sh"):
        restamp(Admin({"p.feedback": "CreateTime"}, refuse=True), ["p.feedback"])
