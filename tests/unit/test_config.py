from __future__ import annotations

from pathlib import Path

import pytest

from cxpulse import config


def test_defaults_name_top2_box() -> None:
    s = config.load(None)
    assert s.satisfaction.csat_low < s.satisfaction.csat_recover
    assert s.kafka.topic("feedback") == "cx.feedback"


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("kafka:\n  partitions: 8\nsatisfaction:\n  min_samples: 5\n")
    monkeypatch.setenv("CXPULSE_KAFKA__PARTITIONS", "2")
    s = config.load(f)
    assert s.kafka.partitions == 2 and s.satisfaction.min_samples == 5


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("satisfaction:\n  csat_low: 0.8\n  csat_recover: 0.7\n", "hysteresis"),
        ("kafka:\n  partitons: 3\n", "partitons"),
        ("- a list\n", "mapping"),
        ("kafka: [\n", "YAML"),
    ],
)
def test_bad_config_is_explained(tmp_path: Path, text: str, needle: str) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(text)
    with pytest.raises(config.ConfigError, match=needle):
        config.load(f)


def test_missing_file() -> None:
    with pytest.raises(config.ConfigError, match="not found"):
        config.load("/nonexistent/cxpulse.yaml")
