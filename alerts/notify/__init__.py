"""Receivers: one module per platform behind ``base.Receiver``, each configured by a model in
``configs``. This package's import is light on purpose (no aiohttp, no aiokafka): the lifecycle
needs the interface and the configs only; ``registry.build`` imports the receivers and makes one
from its config."""

from __future__ import annotations

from alerts.notify.base import DeliveryError, Notification, Receiver
from alerts.notify.configs import ReceiverConfig

__all__ = ["DeliveryError", "Notification", "Receiver", "ReceiverConfig"]
