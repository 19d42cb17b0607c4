"""A real Apache Kafka broker for development and tests, without Docker.

The broker's jars come from Maven Central (``org.apache.kafka:kafka_2.13``) through Maven, once,
into ``$CXPULSE_HOME/kafka/libs``; the broker runs as one KRaft process (broker + controller) on
127.0.0.1. Every call is idempotent: ``start`` reuses a broker that already answers on the port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

KAFKA_VERSION = "4.1.1"
LOG4J_VERSION = "2.24.3"  # 4.x logs through log4j2 and needs the slf4j 1.x bridge
HEAP = "512m"


def home() -> Path:
    return Path(os.environ.get("CXPULSE_HOME", ".cxpulse")).resolve()


@dataclass(frozen=True)
class Broker:
    port: int = 19092
    controller_port: int = 19093
    root: Path | None = None

    @property
    def dir(self) -> Path:
        return (self.root or home()) / "kafka"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def libs(self) -> Path:
        return self.dir / "libs"

    @property
    def pidfile(self) -> Path:
        return self.dir / "broker.pid"

    @property
    def logfile(self) -> Path:
        return self.dir / "server.log"


class BrokerError(RuntimeError):
    pass


# How kafka-python reports a broker that is still starting: refused or dropped connections
# (OSError), protocol-level "not yet" answers (KafkaError: no brokers, timeouts, coordinator
# not available), a half-read answer (ValueError), and "Failed to find active controller id!"
# while the KRaft controller is being elected (RuntimeError).
STARTING: tuple[type[Exception], ...] = (OSError, ValueError, RuntimeError)


def answers(broker: Broker, timeout: float = 2.0) -> bool:
    """True when a Kafka broker serves metadata on the port (whoever started it)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    starting = (KafkaError, *STARTING)
    # A closed port answers at once; kafka-python alone would retry it for 30 s.
    if not _port_open(broker, timeout):
        return False
    limits = {"request_timeout_ms": int(timeout * 1000)}
    # kafka-python 3 keeps bootstrapping a port that accepts but does not speak Kafka yet for
    # 30 s by default, which would let one poll overrun the caller's deadline (2.x has no key).
    if "bootstrap_timeout_ms" in KafkaAdminClient.DEFAULT_CONFIG:
        limits["bootstrap_timeout_ms"] = int(timeout * 1000)
    try:
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, **limits)
    except starting:
        return False
    try:
        admin.list_topics()
        return True
    except starting:
        return False
    finally:
        admin.close()


def _port_open(broker: Broker, timeout: float = 1.0) -> bool:
    try:
        socket.create_connection(("127.0.0.1", broker.port), timeout=timeout).close()
        return True
    except OSError:
        return False


def wait_answering(broker: Broker, timeout: float, exited: Callable[[], bool]) -> None:
    """Poll until the broker serves metadata, or raise ``BrokerError`` at the deadline.

    Not answering yet (refused, no controller yet, half an answer) is normal while the JVM
    boots. Once ``exited()`` says our broker process is gone, keep polling only while something
    still accepts connections on the port: another run's broker, started a moment before ours,
    is coming up there and ours lost the race for the port.
    """
    deadline = time.monotonic() + timeout
    while True:
        if answers(broker, timeout=1.0):
            return
        if exited() and not _port_open(broker):
            reason = "the broker process exited"
            break
        if time.monotonic() >= deadline:
            reason = f"it did not serve metadata within {timeout:.0f}s"
            break
        time.sleep(0.5)  # poll interval while the JVM boots, bounded by the deadline
    tail = broker.logfile.read_text(errors="replace")[-3000:] if broker.logfile.exists() else ""
    raise BrokerError(f"Kafka on {broker.bootstrap} is not ready: {reason}. Server log:\n{tail}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def _pid(broker: Broker) -> int | None:
    try:
        pid = int(broker.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def fetch_jars(broker: Broker, log: bool = True) -> None:
    """Resolve the broker's runtime jars with Maven (cached in ~/.m2), once."""
    marker = broker.libs / f".kafka-{KAFKA_VERSION}"
    if marker.exists():
        return
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise BrokerError("Kafka needs Java 17+ and Maven on PATH (apt-get install maven)")
    broker.dir.mkdir(parents=True, exist_ok=True)
    pom = broker.dir / "pom.xml"
    template = resources.files(__package__).joinpath("pom.xml").read_text(encoding="utf-8")
    pom.write_text(
        template.replace("@KAFKA_VERSION@", KAFKA_VERSION).replace("@LOG4J@", LOG4J_VERSION)
    )
    if log:
        print(f"fetching Apache Kafka {KAFKA_VERSION} jars from Maven Central (once) ...")
    shutil.rmtree(broker.libs, ignore_errors=True)
    run = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(pom), "package", f"-Dlibs.dir={broker.libs}"],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BrokerError(f"Maven could not fetch the Kafka jars:\n{run.stdout[-3000:]}")
    marker.touch()


def _write_config(broker: Broker) -> Path:
    props = broker.dir / "server.properties"
    props.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{broker.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{broker.port},"
                f"CONTROLLER://127.0.0.1:{broker.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{broker.port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={broker.dir / 'data'}",
                # One broker: every internal topic has a single replica.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                # Topics are created by the project with their partition counts, never by a typo.
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "",
            ]
        )
    )
    return props


def _java(broker: Broker, *args: str) -> list[str]:
    log4j = resources.files(__package__).joinpath("log4j2.properties")
    return [
        "java",
        f"-Xmx{HEAP}",
        f"-Xms{HEAP}",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{broker.libs}/*",
        *args,
    ]


def start(broker: Broker | None = None, timeout: float = 90.0, log: bool = True) -> Broker:
    """Start the broker unless one already answers; return once it serves metadata."""
    broker = broker or Broker()
    if answers(broker):
        return broker
    fetch_jars(broker, log=log)
    props = _write_config(broker)
    if not (broker.dir / "data" / "meta.properties").exists():
        fmt = subprocess.run(
            _java(
                broker,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                new_cluster_id(),
                "-c",
                str(props),
            ),
            capture_output=True,
            text=True,
        )
        if fmt.returncode != 0:
            raise BrokerError(f"formatting the Kafka log dir failed:\n{fmt.stdout}{fmt.stderr}")
    pid = _pid(broker)
    if pid is not None:  # started by an earlier call, maybe still booting

        def exited() -> bool:
            return not _alive(pid)

    else:
        with broker.logfile.open("ab") as out:
            proc = subprocess.Popen(
                _java(broker, "kafka.Kafka", str(props)),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the shell, stopped by `stop`
            )
        broker.pidfile.write_text(str(proc.pid))
        if log:
            print(f"starting Kafka on {broker.bootstrap} (pid {proc.pid}, log {broker.logfile})")

        def exited() -> bool:  # poll(), not kill(pid, 0): our dead child lingers as a zombie
            return proc.poll() is not None

    wait_answering(broker, timeout, exited)
    return broker


def new_cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A Kafka cluster id: 16 bytes, URL-safe base64 without padding.

    One id in 64 would start with "-", which the storage tool's argument
    parser reads as an option and refuses; Kafka's own generator skips those
    ids too, so we draw again.
    """
    import base64

    while True:
        cid = base64.urlsafe_b64encode(random_bytes()).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def stop(broker: Broker | None = None, timeout: float = 30.0) -> bool:
    """Stop the broker this folder started; False if none was running."""
    broker = broker or Broker()
    pid = _pid(broker)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid(broker) is not None:
        time.sleep(0.2)
    if _pid(broker) is not None:
        os.killpg(pid, signal.SIGKILL)
    broker.pidfile.unlink(missing_ok=True)
    return True


def status(broker: Broker | None = None) -> str:
    broker = broker or Broker()
    pid = _pid(broker)
    if answers(broker):
        owner = f"pid {pid}" if pid else "not started from this folder"
        return f"running on {broker.bootstrap} ({owner})"
    if pid:
        return f"starting or stuck (pid {pid}); see {broker.logfile}"
    return "stopped"
