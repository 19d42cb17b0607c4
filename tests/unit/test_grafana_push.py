"""`cxpulse grafana push` against a local HTTP server that plays Grafana and checks each request."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from grafana import generate
from grafana.cli import add_parser
from grafana.kit import DS_UID
from grafana.push import FOLDER_UID, PushError, Target, push

TOKEN = "glsa_test-token"


@dataclass
class FakeGrafana:
    """The endpoints push uses, with Grafana's status codes; 401 without the right token."""

    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # requests Grafana would have refused

    def handle(self, method: str, path: str, body: Any, auth: str | None) -> tuple[int, Any]:
        self.requests.append((method, path))
        if auth != f"Bearer {TOKEN}":
            return 401, {"message": "invalid API key"}
        if method == "GET" and path.startswith("/api/folders/"):
            uid = path.rsplit("/", 1)[1]
            return (
                (200, self.folders[uid]) if uid in self.folders else (404, {"message": "not found"})
            )
        if method == "POST" and path == "/api/folders":
            if body.get("uid") in self.folders:
                return 409, {"message": "folder exists"}
            self.folders[body["uid"]] = body
            return 200, body
        if method == "PUT" and path.startswith("/api/folders/"):
            self.folders[path.rsplit("/", 1)[1]].update(title=body["title"])
            return 200, body
        if method == "GET" and path.startswith("/api/datasources/uid/"):
            uid = path.rsplit("/", 1)[1]
            found = self.datasources.get(uid)
            return (200, found) if found else (404, {"message": "Data source not found"})
        if method == "POST" and path == "/api/datasources":
            self.datasources[body["uid"]] = body
            return 200, {"datasource": body}
        if method == "PUT" and path.startswith("/api/datasources/uid/"):
            self.datasources[path.rsplit("/", 1)[1]] = body
            return 200, {"datasource": body}
        if method == "POST" and path == "/api/dashboards/db":
            dash = body["dashboard"]
            if body.get("folderUid") not in self.folders:
                self.bad.append(f"dashboard {dash.get('uid')} into a missing folder")
            if dash["uid"] in self.dashboards and not body.get("overwrite"):
                return 412, {"message": "version-mismatch"}
            if "id" in dash:
                self.bad.append(f"dashboard {dash['uid']} sent with a numeric id")
            self.dashboards[dash["uid"]] = body
            return 200, {"status": "success", "uid": dash["uid"]}
        return 404, {"message": f"no route {method} {path}"}


@pytest.fixture
def grafana() -> Iterator[tuple[FakeGrafana, str]]:
    fake = FakeGrafana()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(n)) if n else None
            status, out = fake.handle(
                self.command, self.path, body, self.headers.get("Authorization")
            )
            data = json.dumps(out).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_push_creates_folder_datasource_and_every_dashboard(
    grafana: tuple[FakeGrafana, str],
) -> None:
    fake, url = grafana
    report = push(Target(url, TOKEN, prometheus_url="http://prom:9090"))
    assert (report.folder, report.datasource) == ("created", "created")
    assert fake.folders[FOLDER_UID]["title"] == "cxpulse"
    ds = fake.datasources[DS_UID]
    assert (ds["type"], ds["url"], ds["access"]) == ("prometheus", "http://prom:9090", "proxy")
    want = {d["uid"] for d in generate.load_all().values()}
    assert set(fake.dashboards) == want and len(want) == 6
    for saved in fake.dashboards.values():
        assert saved["folderUid"] == FOLDER_UID and saved["overwrite"] is True
    assert fake.bad == []
    # the folder exists before any dashboard is saved into it
    order = [r for r in fake.requests if r[0] == "POST"]
    assert order[0] == ("POST", "/api/folders")


def test_a_second_push_overwrites_by_uid(grafana: tuple[FakeGrafana, str]) -> None:
    fake, url = grafana
    push(Target(url, TOKEN))
    wall = json.loads(json.dumps(generate.load_all()["cx-wall"]))
    wall["title"] = "CX wall (edited)"
    report = push(Target(url, TOKEN), {"cx-wall": wall})
    assert (report.folder, report.datasource) == ("updated", "updated")
    assert len(fake.dashboards) == 6
    assert fake.dashboards["cxpulse-wall"]["dashboard"]["title"] == "CX wall (edited)"
    assert fake.bad == []


def test_a_wrong_token_is_named(grafana: tuple[FakeGrafana, str]) -> None:
    fake, url = grafana
    with pytest.raises(PushError, match=r"refused the token \(401\).*GRAFANA_TOKEN"):
        push(Target(url, "wrong"))
    assert fake.dashboards == {} and len(fake.requests) == 1  # stops at the first refusal


def test_grafana_down_is_named() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PushError, match=f"cannot reach Grafana at http://127.0.0.1:{port}"):
        push(Target(f"http://127.0.0.1:{port}", TOKEN, timeout=2))


def run_cli(*argv: str) -> int:
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["grafana", *argv])
    return int(args.func(args))


def test_cli_push_reads_url_and_token_from_the_environment(
    grafana: tuple[FakeGrafana, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = grafana
    monkeypatch.setenv("GRAFANA_URL", url)
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    assert run_cli("push", "--folder", "CX") == 0
    assert fake.folders[FOLDER_UID]["title"] == "CX"
    assert "cxpulse-wall" in fake.dashboards
    monkeypatch.setenv("GRAFANA_TOKEN", "expired")
    assert run_cli("push") == 1
    err = capsys.readouterr().err
    assert "refused the token" in err and "Traceback" not in err
