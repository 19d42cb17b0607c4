"""Fixtures that start the receivers' far ends on 127.0.0.1 and stop them afterwards.

Test modules load them with ``pytest_plugins = ["tests.integration.notify_fixtures"]``.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from aiosmtpd.controller import Controller

from tests.integration.notify_fakes import (
    Alertmanager,
    FakeRobots,
    Mailbox,
    authenticator,
    ensure_alertmanager,
    self_signed,
)
from tests.waiting import NotReady, free_port, wait_ready


@pytest.fixture
def robots() -> Iterator[FakeRobots]:
    server = FakeRobots()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_plain() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())
    ctl = Controller(box, hostname=box.host, port=box.port)
    ctl.start()
    try:
        yield box
    finally:
        ctl.stop()


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[Mailbox]:
    """STARTTLS required, then AUTH LOGIN/PLAIN as duty / SMTP_PASSWORD."""
    cert, key = self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = Mailbox("127.0.0.1", free_port(), ca_file=str(cert))
    ctl = Controller(
        box,
        hostname=box.host,
        port=box.port,
        tls_context=ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    ctl.start()
    try:
        yield box
    finally:
        ctl.stop()


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alertmanager]:
    binary = ensure_alertmanager()
    tmp = tmp_path_factory.mktemp("alertmanager")
    (tmp / "alertmanager.yml").write_text(
        'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n'
    )
    port = free_port()
    log = (tmp / "alertmanager.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp / 'alertmanager.yml'}",
            f"--storage.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip port: nothing else to bind or clash with
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"alertmanager exited: {(tmp / 'alertmanager.log').read_text()[-2000:]}")
        # 503 until its configuration is loaded (urlopen raises it): poll again.
        with urlopen(f"{url}/-/ready", timeout=1) as r:
            if r.status != 200:
                raise NotReady(f"/-/ready answered {r.status}")
            return True

    try:
        wait_ready(ready, 30, f"Alertmanager at {url} (/-/ready)")
        yield Alertmanager(url)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
