"""A model's weights as one gzipped JSON object with a ``format`` field, written so that the
same weights always give the same bytes (no name and mtime 0 in the gzip header)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any


def write(path: Path, body: dict[str, Any]) -> None:
    # Level 6: 1 KB bigger than 9 on the Chinese weights, five times faster.
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(path, "wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=6, mtime=0) as gz,
    ):
        gz.write(raw)


def read(path: Path, formats: Collection[str]) -> dict[str, Any]:
    """The object, refused unless its ``format`` is one of ``formats``."""
    with gzip.open(path, "rb") as fh:
        body: dict[str, Any] = json.loads(fh.read())
    if body.get("format") not in formats:
        raise ValueError(f"{path}: not a {' or '.join(formats)} weights file")
    return body
