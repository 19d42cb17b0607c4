"""Personal-data masking for receivers. The rules live in ``schemas.mask``: the stream core
masks alert evidence with the same rules before it leaves the worker, and the core imports
nothing from the alerts service."""

from __future__ import annotations

from schemas.mask import NAME_KEYS, SECRET_KEYS, mask_labels, mask_name, mask_text, mask_value

__all__ = ["NAME_KEYS", "SECRET_KEYS", "mask_labels", "mask_name", "mask_text", "mask_value"]
