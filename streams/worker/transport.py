"""Faust's aiokafka transport with the worker's commit rule and a producer that does not spin
while the broker is away (see ``offsets`` and ``quiet``)."""

from __future__ import annotations

from faust.transport.drivers import aiokafka as driver

from streams.worker import offsets, quiet


class Transport(driver.Transport):
    """Installed with ``app.transport = Transport(app.conf.broker_consumer, app)``."""

    Consumer = offsets.Consumer
    Producer = quiet.Producer
