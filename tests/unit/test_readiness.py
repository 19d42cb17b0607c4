"""Readiness polls treat a server that is still starting as "poll again" and fail clearly at
their deadline. The servers here are tiny stand-ins on 127.0.0.1 that answer the way a starting
Prometheus, PostgreSQL or Kafka does."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cxpulse import localkafka
from tests.integration.pg_fixture import Postgres, _ready
from tests.integration.prom_fixture import Prometheus, wait_scraping
from tests.waiting import free_port, get_json, wait_ready

UP = json.dumps(
    {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"job": "cx"}}]}}
).encode()
STARTING = (503, b"Service Unavailable")  # Prometheus while its TSDB opens


@dataclass
class Scripted:
    """An HTTP server's script: the (status, body) answers in turn, then ``last`` forever."""

    script: list[tuple[int, bytes]]
    last: tuple[int, bytes]
    paths: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str) -> tuple[int, bytes]:
        self.paths.append(path)
        return self.script.pop(0) if self.script else self.last


Serve = Callable[[list[tuple[int, bytes]], tuple[int, bytes]], Scripted]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start a scripted HTTP server on 127.0.0.1; all are stopped after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(script: list[tuple[int, bytes]], last: tuple[int, bytes]) -> Scripted:
        me = Scripted(script, last)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = me.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        me.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return me

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def alive() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for the server's own (it stays up while the test polls)."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_json_poll_waits_through_503_empty_and_invalid_bodies(serve: Serve) -> None:
    server = serve([STARTING, STARTING, (200, b""), (200, b'{"status": "succ')], (200, UP))
    body = wait_ready(lambda: get_json(f"{server.url}/x"), 10, "the stand-in")
    assert body["status"] == "success" and len(server.paths) == 5


def test_prometheus_readiness_polls_through_503_until_the_target_is_up(
    serve: Serve, alive: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    nobody_yet = json.dumps({"status": "success", "data": {"result": []}}).encode()
    server = serve([STARTING, STARTING, STARTING, (200, b""), (200, nobody_yet)], (200, UP))
    prom = Prometheus(server.url, alive, tmp_path / "prometheus.log")
    wait_scraping(prom, ["cx"], 10)
    assert len(server.paths) == 6
    assert all(p.startswith("/api/v1/query?query=up") for p in server.paths)


def test_prometheus_that_never_gets_ready_fails_with_the_reason(
    serve: Serve, alive: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    server = serve([], STARTING)
    prom = Prometheus(server.url, alive, tmp_path / "prometheus.log")
    with pytest.raises(AssertionError) as failed:
        wait_scraping(prom, ["cx"], 0.5)
    message = str(failed.value)
    assert f"timed out after 0.5s waiting for Prometheus at {server.url} to scrape cx" in message
    assert "HTTP Error 503: Service Unavailable" in message


def test_a_refused_port_fails_at_the_deadline_with_the_reason() -> None:
    url = f"http://127.0.0.1:{free_port()}/-/ready"
    with pytest.raises(AssertionError, match=r"waiting for nothing here; last: URLError.*refused"):
        wait_ready(lambda: get_json(url), 0.3, "nothing here")


def test_other_errors_are_not_taken_for_not_ready() -> None:
    def broken() -> bool:
        raise KeyError("a bug in the check")

    with pytest.raises(KeyError):
        wait_ready(broken, 10, "a broken check")


@pytest.fixture
def hangs_up() -> Iterator[int]:
    """A port that accepts connections and closes them unanswered, as a server that is still
    starting behind a bound socket does."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.05)  # so the loop sees `stop` soon after the test
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    stop.set()
    thread.join(5)
    sock.close()


@pytest.mark.parametrize("listening", [True, False])
def test_postgres_that_never_answers_fails_with_the_reason(hangs_up: int, listening: bool) -> None:
    port = hangs_up if listening else free_port()
    with pytest.raises(AssertionError) as failed:
        _ready(Postgres("127.0.0.1", port), 0.5)
    message = str(failed.value)
    assert f"waiting for PostgreSQL on 127.0.0.1:{port} to answer SELECT 1; last: NotReady" in (
        message
    )


def test_kafka_start_polls_until_the_broker_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([False, False, True])
    monkeypatch.setattr(localkafka, "answers", lambda broker, timeout: next(answers))
    localkafka.wait_answering(localkafka.Broker(port=free_port()), 30, lambda: False)
    assert next(answers, "all used") == "all used"


def test_kafka_port_that_never_speaks_kafka_fails_at_the_deadline(
    hangs_up: int, tmp_path: Path
) -> None:
    broker = localkafka.Broker(port=hangs_up, controller_port=free_port(), root=tmp_path)
    assert not localkafka.answers(broker, timeout=1.0)  # no exception, and within its timeout
    with pytest.raises(localkafka.BrokerError, match="did not serve metadata within 2s"):
        localkafka.wait_answering(broker, 2, lambda: False)


def test_kafka_whose_process_exited_fails_at_once(tmp_path: Path) -> None:
    broker = localkafka.Broker(port=free_port(), controller_port=free_port(), root=tmp_path)
    with pytest.raises(localkafka.BrokerError, match="the broker process exited"):
        localkafka.wait_answering(broker, 600, lambda: True)


def test_a_cluster_id_never_starts_with_a_dash() -> None:
    # 0xfb... encodes to "-" first in URL-safe base64; the storage tool would read it as an option
    draws = iter([b"\xfb" + bytes(15), b"\x00" * 16])
    cid = localkafka.new_cluster_id(lambda: next(draws))
    assert cid == "AAAAAAAAAAAAAAAAAAAAAA"
    assert len(localkafka.new_cluster_id()) == 22
