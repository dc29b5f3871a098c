"""The raw archive: every fetched byte kept once by sha256, and a manifest of every fetch.

Layout under the data directory:
    raw/ab/abcdef…            one file per distinct sha256 (never two copies)
    manifest/fetches.jsonl    one JSON line per fetch, appended and fsync'd

Blobs are written to a temporary name and renamed, so a blob is whole or absent.  A
manifest line is written in one call and flushed to the kernel at once (what a killed
process wrote survives `kill -9`); fsync runs every `fsync_every` lines and at close,
for power loss.  At most the last line can be torn, and loading ignores (and trims) it.
So a restarted crawl loses nothing and duplicates nothing: it knows every URL whose
line was written, and a blob written without its line is simply found again under
the same hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


@dataclass
class ArchiveIndex:
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # last successful fetch per URL
    first_seen: dict[str, str | None] = field(default_factory=dict)  # first manifest time per URL
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)  # lasting failures (4xx, refused)


class RawArchive:
    def __init__(self, data_dir: str | Path, fsync_every: int = 200):
        self.fsync_every = fsync_every
        self._dirs: set[Path] = set()
        self._lock = threading.Lock()
        self._fh = None
        self._unsynced = 0
        self.root = Path(data_dir)
        self.raw = self.root / "raw"
        self.manifest_path = self.root / "manifest" / "fetches.jsonl"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        self._repair()

    # -- blobs -------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        return self.raw / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store bytes; return (sha256, newly stored)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.blob_path(sha)
        if path.exists():
            return sha, False
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        tmp = path.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"  # the pid: see remove_orphan_blobs
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return sha, True

    def get(self, sha256: str) -> bytes:
        return self.blob_path(sha256).read_bytes()

    # -- manifest ----------------------------------------------------------------------
    def _repair(self) -> None:
        """Trim a torn last line left by a killed run."""
        p = self.manifest_path
        if not p.exists() or p.stat().st_size == 0:
            return
        with open(p, "rb+") as fh:
            data = fh.read()
            if data.endswith(b"\n"):
                return
            cut = data.rfind(b"\n") + 1
            fh.truncate(cut)

    def record(self, row: dict[str, Any]) -> None:
        row = {"fetched_at": dt.datetime.now(dt.timezone.utc).isoformat(), **row}
        line = (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            self._write_line(line)

    def _write_line(self, line: bytes) -> None:
        if self._fh is None:
            self._fh = open(self.manifest_path, "ab", buffering=0)  # unbuffered: one write() per line
        self._fh.write(line)
        self._unsynced += 1
        if self._unsynced >= self.fsync_every:
            self.sync()

    def sync(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None

    def records(self) -> Iterator[dict[str, Any]]:
        if not self.manifest_path.exists():
            return
        with open(self.manifest_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn line from a killed run

    def index(self, source_id: str | None = None) -> "ArchiveIndex":
        """One pass over the manifest: last good fetch, first sighting and lasting failures per URL."""
        idx = ArchiveIndex()
        for r in self.records():
            if source_id and r.get("source_id") != source_id:
                continue
            url = r.get("url")
            if not url:
                continue
            idx.first_seen.setdefault(url, r.get("fetched_at"))
            if r.get("sha256") and r.get("status", 0) < 400:
                idx.latest[url] = r
                idx.failed.pop(url, None)
            elif r.get("permanent") or 400 <= (r.get("status") or 0) < 500:
                idx.failed[url] = r
        return idx

    def pending_attachments(self, idx: "ArchiveIndex", links_of) -> list[tuple[str, dict[str, Any]]]:
        """(attachment URL, its page's record) for attachments of archived pages never fetched.

        A killed run can archive a page and die before its attachments: they stay pending
        here until fetched (or refused for good), so the next run resumes them.  Older page
        records without `attachment_urls` are re-read from their stored bytes by `links_of`.
        """
        out, seen = [], set()
        for _url, rec in idx.latest.items():
            if rec.get("kind") != "page" or not rec.get("attachments"):
                continue
            links = rec.get("attachment_urls")
            if links is None:
                links = links_of(rec, self.get(rec["sha256"]))
            for link in links:
                if link not in idx.latest and link not in idx.failed and link not in seen:
                    seen.add(link)
                    out.append((link, rec))
        return out

    def append_source(self, row: dict[str, Any]) -> None:
        """The registry row a crawl used (manifest/sources.jsonl; the last line per id wins)."""
        row = {**row, "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat()}
        line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        with open(self.manifest_path.parent / "sources.jsonl", "ab", buffering=0) as fh:
            fh.write(line)
            os.fsync(fh.fileno())

    def latest_by_url(self, source_id: str | None = None) -> dict[str, dict[str, Any]]:
        """The last successful fetch of each URL (optionally of one source)."""
        out: dict[str, dict[str, Any]] = {}
        for r in self.records():
            if source_id and r.get("source_id") != source_id:
                continue
            if r.get("sha256") and r.get("status", 0) < 400:
                out[r["url"]] = r
        return out


def remove_orphan_blobs(data_dir: str | Path) -> int:
    """Delete blobs half-written by a process that no longer runs (kill -9 between the write and
    the rename); return how many.  The writer's pid is in the name, so a crawl running beside
    this one keeps its files; names without a pid come from before it was added.  Called once
    per crawl run (it lists every blob folder), not per source."""
    raw = Path(data_dir) / "raw"
    removed = 0
    for folder in raw.iterdir() if raw.is_dir() else ():
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if entry.name.startswith(".tmp-"):
                pid = entry.name.split("-")[1]
                if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
    return removed
