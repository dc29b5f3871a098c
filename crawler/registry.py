"""The source registry: one row per portal column that lists annual reports (data, not code)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOURCES = Path(__file__).with_name("sources.csv")
PLATFORMS = (
    "trs",
    "trs_list2",
    "hanweb",
    "jpaas",
    "hanweb_xxgk",
    "gkmlpt",
    "igs",
    "jsonlist",
    "static",
    "auto",
)
REQUIRED = ("id", "name", "region_code", "url", "platform")


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    region_code: str | None
    url: str
    platform: str
    enabled: bool = True
    obey_robots: bool = True
    notes: str = ""
    verified: str | None = None  # date a live `ogi sources check --write` found reports there


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "y")


def load_sources(path: str | Path | None = None, only_enabled: bool = True) -> list[Source]:
    """Read a registry CSV; a malformed row is an error naming the row, not a silent skip."""
    path = Path(path or DEFAULT_SOURCES)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}")
        sources, seen = [], set()
        for n, row in enumerate(reader, start=2):
            platform = (row["platform"] or "auto").strip().lower()
            if platform not in PLATFORMS:
                raise ValueError(f"{path}:{n}: platform {platform!r} is not one of {PLATFORMS}")
            if not row["id"] or not row["url"].startswith(("http://", "https://")):
                raise ValueError(f"{path}:{n}: each source needs an id and an http(s) url")
            if row["id"] in seen:
                raise ValueError(f"{path}:{n}: duplicate id {row['id']!r}")
            seen.add(row["id"])
            src = Source(
                id=row["id"].strip(),
                name=row["name"].strip(),
                region_code=(row["region_code"] or "").strip() or None,
                url=row["url"].strip(),
                platform=platform,
                enabled=_flag(row.get("enabled"), True),
                obey_robots=_flag(row.get("obey_robots"), True),
                notes=(row.get("notes") or "").strip(),
                verified=(row.get("verified") or "").strip() or None,
            )
            if src.enabled or not only_enabled:
                sources.append(src)
    return sources
