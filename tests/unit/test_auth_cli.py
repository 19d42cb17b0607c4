"""``cxpulse alerts user ...`` and ``cxpulse alerts token ...`` on a SQLite file, through the
real ``cxpulse`` parser."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from alerts.auth.accounts import Accounts
from alerts.db import SqlStore
from cxpulse.cli import main
from tests.auth_helpers import CHEAP

PW = "correct horse battery"


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # The production parameters take 19 MiB and tens of ms a hash; the commands are the same.
    monkeypatch.setattr("alerts.auth.accounts.production_hasher", lambda: CHEAP)
    return f"sqlite:///{tmp_path / 'alerts.db'}"


def cli(url: str, *argv: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["alerts", *argv, "--db-url", url])


def test_user_add_list_disable(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("user", "add", "Wang.Li", "--role", "duty", "--display", "王丽", "--password-stdin")
    assert cli(url, *args, stdin=PW + "\n", monkeypatch=monkeypatch) == 0
    assert "added wang.li (duty)" in capsys.readouterr().out
    accounts = Accounts(SqlStore(url).engine)
    assert accounts.authenticate("wang.li", PW) is not None

    assert cli(url, "user", "list", "--json", monkeypatch=monkeypatch) == 0
    [row] = json.loads(capsys.readouterr().out)["users"]
    assert (row["name"], row["role"], row["display"], row["disabled"]) == (
        "wang.li",
        "duty",
        "王丽",
        False,
    )
    assert cli(url, "user", "disable", "wang.li", monkeypatch=monkeypatch) == 0
    assert cli(url, "user", "list", monkeypatch=monkeypatch) == 0
    assert "disabled" in capsys.readouterr().out.splitlines()[-1]
    assert accounts.authenticate("wang.li", PW) is None


def test_user_add_refuses_a_short_password_and_a_second_add(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("user", "add", "li", "--role", "viewer", "--password-stdin")
    assert cli(url, *args, stdin="short\n", monkeypatch=monkeypatch) == 1
    assert "at least 10" in capsys.readouterr().err
    assert cli(url, *args, stdin=PW + "\n", monkeypatch=monkeypatch) == 0
    assert cli(url, *args, stdin=PW + "\n", monkeypatch=monkeypatch) == 1
    assert "exists" in capsys.readouterr().err
    assert cli(url, "user", "disable", "ghost", monkeypatch=monkeypatch) == 1
    bad = ("user", "add", "x", "--role", "root", "--password-stdin")
    assert cli(url, *bad, stdin=PW + "\n", monkeypatch=monkeypatch) == 1
    assert "viewer, duty, admin" in capsys.readouterr().err


def test_password_from_the_prompt_must_be_typed_twice_alike(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PW, PW + "x", PW, PW])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    args = ("user", "add", "li", "--role", "admin")
    assert cli(url, *args, monkeypatch=monkeypatch) == 1
    assert cli(url, *args, monkeypatch=monkeypatch) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a new long password")
    assert cli(url, "user", "passwd", "li", monkeypatch=monkeypatch) == 0
    assert Accounts(SqlStore(url).engine).authenticate("li", "a new long password") is not None


def test_token_add_prints_it_once_list_never_does_and_revoke_ends_it(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(url, "token", "add", "grafana", monkeypatch=monkeypatch) == 0
    token = capsys.readouterr().out.strip()
    accounts = Accounts(SqlStore(url).engine)
    assert accounts.token_client(token) == "grafana"
    assert cli(url, "token", "list", monkeypatch=monkeypatch) == 0
    listed = capsys.readouterr().out
    assert "grafana" in listed and "live" in listed and token not in listed
    assert cli(url, "token", "revoke", "grafana", monkeypatch=monkeypatch) == 0
    assert accounts.token_client(token) is None
    assert cli(url, "token", "revoke", "grafana", monkeypatch=monkeypatch) == 1


def test_serving_needs_a_token_from_the_config_or_the_database(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pydantic import SecretStr

    from alerts.main import compose
    from alerts.settings import AlertsSettings, Loaded

    cfg = AlertsSettings(db_url=url, link_secret=SecretStr("0123456789abcdef0123"))
    with pytest.raises(SystemExit, match="cxpulse alerts token add"):
        compose(Loaded(cfg), port=0, source=False)
    assert cli(url, "token", "add", "ticketing", monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert compose(Loaded(cfg), port=0, source=False).tokens == {}  # the database's token
    assert cli(url, "token", "revoke", "ticketing", monkeypatch=monkeypatch) == 0
    with pytest.raises(SystemExit, match="no token"):
        compose(Loaded(cfg), port=0, source=False)
