"""Back onto Kafka: each notification as one JSON message (the webhook's ``cxpulse`` shape,
masked the same way) on a topic, keyed by its idempotency key, for a ticketing system or a data
warehouse to follow. The producer waits for the broker's acknowledgement, so the outbox marks a
notification sent only once Kafka has it."""

from __future__ import annotations

import json

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from alerts.notify.base import DeliveryError, Notification
from alerts.notify.configs import KafkaReceiverConfig
from alerts.notify.webhook import cxpulse_payload


class KafkaReceiver:
    def __init__(self, cfg: KafkaReceiverConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._producer: AIOKafkaProducer | None = None

    def __repr__(self) -> str:
        return f"KafkaReceiver(name={self.name!r}, topic={self.cfg.topic!r})"

    async def send(self, notification: Notification) -> None:
        body = json.dumps(cxpulse_payload(notification, self.cfg.timezone), ensure_ascii=False)
        try:
            if self._producer is None:
                producer = AIOKafkaProducer(bootstrap_servers=self.cfg.bootstrap, acks="all")
                try:
                    await producer.start()
                except BaseException:  # failed or cancelled by the outbox's timeout: no leak
                    await producer.stop()
                    raise
                self._producer = producer
            await self._producer.send_and_wait(
                self.cfg.topic, key=notification.key.encode(), value=body.encode()
            )
        except KafkaError as exc:
            await self.close()  # a fresh connection on the retry
            raise DeliveryError(f"kafka {self.cfg.topic}: {type(exc).__name__}") from exc

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
