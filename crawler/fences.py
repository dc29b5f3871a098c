"""Recognise anti-bot challenges and WAF answers (signatures in fences.yaml, data not code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

FENCES = Path(__file__).with_name("fences.yaml")


@lru_cache(maxsize=1)
def signatures() -> list[dict]:
    return yaml.safe_load(FENCES.read_text(encoding="utf-8"))


def fence_kind(status: int, body: bytes) -> str | None:
    """The kind of challenge a response is, or None for an ordinary answer."""
    if status in (301, 302, 303, 304, 307, 308):
        return None
    for sig in signatures():
        if "status" in sig and status not in sig["status"]:
            continue
        if "contains" in sig and not any(s.encode() in body for s in sig["contains"]):
            continue
        if "max_bytes" in sig and len(body.strip()) > sig["max_bytes"]:
            continue
        return sig["kind"]
    return None
