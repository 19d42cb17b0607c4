"""A private PostgreSQL server for the tests (Debian's, installed with apt if missing).

``ensure_postgres()`` is idempotent across processes: it initialises a cluster once, starts it on
a free 127.0.0.1 port, and reuses it while it runs (another pytest run, the benchmark). The
server runs as a non-root user (``postgres`` refuses root); its directory is under /tmp (one per
user running the tests), not in the repo, which that user may not be able to enter (/root).
``$CXPULSE_PG_DIR`` moves it; ``$CXPULSE_TEST_PG_URL`` (a superuser URL) uses an existing server
instead.

Fixtures: ``postgres`` (the server, session-wide) and ``pg_url`` (a fresh empty database per
test, dropped afterwards).
"""

from __future__ import annotations

import fcntl
import functools
import glob
import os
import pwd
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.integration.debian import install
from tests.waiting import NotReady, free_port, wait_ready

SUPERUSER = "cxpulse"
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str = SUPERUSER
    password: str | None = None

    def url(self, database: str = "postgres") -> str:
        auth = f"{self.user}:{self.password}" if self.password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,  # CREATE/DROP DATABASE cannot run in a transaction
        ) as conn:
            conn.execute(sql.encode())  # our own identifiers only

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        name = name or f"cxpt_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).resolve().parent
    raise FileNotFoundError("initdb")


def _install() -> Path:
    try:
        return _bindir()
    except FileNotFoundError:
        pass
    install("postgresql")
    return _bindir()


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for ourselves; when we are root, Debian's ``postgres`` user
    (created by the package), or a system user of our own if it is missing."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "cxpulse-pg"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", "cxpulse-pg"], check=True
    )
    return pwd.getpwnam("cxpulse-pg")


def _running_port(data: Path) -> int | None:
    """The port of the server running on ``data``, from postmaster.pid (line 4), if its
    process is alive."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by the server user
    return port


def _ready(pg: Postgres, timeout: float) -> None:
    """Return once the server runs a query. While it starts it refuses connections, or accepts
    them and answers "the database system is starting up" (both OperationalError): poll again."""
    import psycopg

    def answers() -> bool:
        try:
            with psycopg.connect(
                host=pg.host,
                port=pg.port,
                user=pg.user,
                password=pg.password,
                dbname="postgres",
                connect_timeout=2,
            ) as conn:
                conn.execute("SELECT 1")
                return True
        except psycopg.OperationalError as exc:
            raise NotReady(str(exc).strip()) from exc

    wait_ready(answers, timeout, f"PostgreSQL on {pg.host}:{pg.port} to answer SELECT 1")


def _start_local(root: Path) -> Postgres:
    bindir = _install()
    user = _server_user()
    run_as: dict[str, Any] = (
        {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    )
    data = root / "data"
    log = root / "postgres.log"
    root.mkdir(parents=True, exist_ok=True)
    if user:
        os.chown(root, user.pw_uid, user.pw_gid)
    root.chmod(0o700)
    if not (root / "initialised").exists():
        shutil.rmtree(data, ignore_errors=True)  # an initdb that was interrupted
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, cwd=root, stdout=subprocess.DEVNULL, **run_as,
        )  # fmt: skip
        (root / "initialised").touch()
    port = _running_port(data)
    if port is None:
        port = free_port()
        opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts,
             "-w", "-t", str(int(READY_TIMEOUT)), "start"],
            check=True, cwd=root, stdout=subprocess.DEVNULL, **run_as,
        )  # fmt: skip
    pg = Postgres("127.0.0.1", port)
    _ready(pg, READY_TIMEOUT)
    return pg


@functools.cache
def ensure_postgres() -> Postgres:
    external = os.environ.get("CXPULSE_TEST_PG_URL")
    if external:
        u = make_url(external)
        pg = Postgres(u.host or "127.0.0.1", u.port or 5432, u.username or "postgres", u.password)
        _ready(pg, READY_TIMEOUT)
        return pg
    # Per user: a cluster made by another user's run would not be ours to start.
    default = f"/tmp/cxpulse-postgres-{pwd.getpwuid(os.geteuid()).pw_name}"
    root = Path(os.environ.get("CXPULSE_PG_DIR", default))
    # One starter at a time across processes (two pytest runs, or the benchmark beside them).
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _start_local(root)


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    return ensure_postgres()


@pytest.fixture
def pg_url(postgres: Postgres) -> Iterator[str]:
    url = postgres.create_database()
    try:
        yield url
    finally:
        postgres.drop_database(make_url(url).database or "")
