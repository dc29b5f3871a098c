"""The end-to-end pipeline: raw archive (or local files) → isolated workers → Parquet.

Reads only the archive (bytes + manifest), so re-normalising everything needs no network.
Incremental: a document whose key (its sha256) the output already holds for this
NORMALIZER_VERSION is skipped; a new normaliser version rebuilds everything (staged,
then swapped in).  Each document runs in a killable worker (ogi/workers.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from crawler.registry import Source
from normalize import Provenance
from normalize.version import NORMALIZER_VERSION
from normalize.write import Store
from ogi.workers import Limits, Task, display_path, run

MAX_LISTED = 10000  # failed documents named on the console; the reports table has them all
_DEFAULT_LIMITS = Limits()  # frozen dataclass: safe to share as the default


class PipelineError(Exception):
    """The run cannot start as asked (no archive, no files); nothing was written."""


@dataclass
class RunStats:
    statuses: Counter = field(default_factory=Counter)
    checks_failed: int = 0
    skipped: int = 0  # already normalised by this normaliser version
    failures: list[tuple[str, str]] = field(default_factory=list)  # (name, error) of failed documents
    slowest: tuple[float, str] = (0.0, "")  # seconds and name of the slowest document
    worker_peak_mb: float = 0.0  # the largest peak resident memory of a worker

    def __iter__(self):  # `statuses, failed_checks = normalize_archive(...)` keeps working
        return iter((self.statuses, self.checks_failed))


def _when(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def load_registry(data_dir: Path, fallback: Iterable[Source] = ()) -> dict[str, dict]:
    """Source rows as the crawl recorded them (DIR/manifest/sources.jsonl, last line per id wins);
    the registry given on the command line only for ids the crawl did not record."""
    rows = {s.id: {"id": s.id, "name": s.name, "region_code": s.region_code} for s in fallback}
    path = data_dir / "manifest" / "sources.jsonl"
    if path.exists():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a torn last line from a killed crawl
                if isinstance(row, dict) and row.get("id"):
                    rows[row["id"]] = row
    return rows


def _archive_index(manifest: Path) -> dict[str, int]:
    """sha256 → 2 × byte offset of its first manifest line + 1 if it is a page that links
    attachments.  One int per document, not a record or a tuple: memory stays small at a
    million documents."""
    docs: dict[str, int] = {}
    with open(manifest, "rb") as fh:
        offset = 0
        for line in fh:
            start, offset = offset, offset + len(line)
            if b'"sha256"' not in line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if (
                rec.get("kind") not in ("page", "attachment")
                or not rec.get("sha256")
                or (rec.get("status") or 0) >= 400
            ):
                continue
            sha = rec["sha256"]
            links = rec["kind"] == "page" and bool(rec.get("attachments"))
            if sha in docs:
                docs[sha] |= links
            else:
                docs[sha] = 2 * start + links
    return docs


def _archive_tasks(
    data_dir: Path, index: dict[str, int], todo: list[str], registry: dict[str, dict]
) -> Iterator[Task]:
    raw = data_dir / "raw"
    with open(data_dir / "manifest" / "fetches.jsonl", "rb") as fh:
        for sha in todo:
            offset, links = index[sha] >> 1, bool(index[sha] & 1)
            fh.seek(offset)
            rec = json.loads(fh.readline())
            source = registry.get(rec.get("source_id")) or {}
            url = rec.get("final_url") or rec["url"]
            prov = Provenance(
                source_url=rec.get("listing_url") if rec["kind"] == "page" else rec.get("page_url"),
                document_url=url,
                published=rec.get("listed_date"),
                fetched_at=_when(rec.get("fetched_at")),
                charset=rec.get("charset"),
                region_code=source.get("region_code") or None,
                source_id=rec.get("source_id"),
            )
            yield Task(sha, str(raw / sha[:2] / sha), rec["url"].rsplit("/", 1)[-1], prov, sha, links)


def _drive(
    store: Store,
    tasks: Iterable[Task],
    count: int,
    jobs: int,
    limits: Limits,
    stats: RunStats,
    allow_empty: bool,
    progress=None,
) -> RunStats:
    """Run `count` tasks through the workers into the store; commit (or keep the batches) at the end."""
    try:
        for task, result in run(tasks, min(jobs or default_jobs(), count), limits) if count else ():
            store.add(result.rows, result.done)
            if progress:
                progress()
            stats.worker_peak_mb = max(stats.worker_peak_mb, result.peak_mb)
            if result.seconds > stats.slowest[0]:
                stats.slowest = (result.seconds, task.prov.path or task.prov.document_url or task.name)
            if result.rows is None:
                continue
            stats.statuses[result.status] += 1
            stats.checks_failed += result.checks_failed
            if result.status == "failed" and len(stats.failures) < MAX_LISTED:
                shown = task.prov.path or task.prov.document_url or task.name
                stats.failures.append((shown, result.error or ""))
    except BaseException:
        store.abort()  # committed batches stay; the next run resumes after them
        raise
    store.finish(allow_empty)
    return stats


def normalize_archive(
    data_dir: Path,
    out: Path,
    sources: Iterable[Source] | None = None,
    jobs: int = 0,
    limits: Limits = _DEFAULT_LIMITS,
    allow_empty: bool = False,
    batch: int = 500,
    version: str = NORMALIZER_VERSION,
) -> RunStats:
    """Normalise the archived report pages and attachments this normaliser version has not done."""
    data_dir = Path(data_dir)
    manifest = data_dir / "manifest" / "fetches.jsonl"
    if not manifest.is_file() or not (data_dir / "raw").is_dir():
        raise PipelineError(
            f"{data_dir} holds no crawl archive (no manifest/fetches.jsonl or raw/): run "
            "`ogi crawl --data DIR` first, or name files: `ogi normalize FILES --out DIR`"
        )
    registry = load_registry(data_dir, sources or ())
    index = _archive_index(manifest)
    store = Store(out, version=version, batch=batch)
    stats = RunStats()
    try:
        keys = list(index)
        todo = [sha for sha, done in zip(keys, store.done_among(keys)) if not done]
        stats.skipped = len(index) - len(todo)
        del keys
    except BaseException:
        store.abort()
        raise
    count, tasks = len(todo), _archive_tasks(data_dir, index, todo, registry)
    del index, todo  # the task generator holds them, and lets them go when it is done, before
    # mark_versions needs its memory: the parent's peak is then the larger of the two, not the sum
    return _drive(store, tasks, count, jobs, limits, stats, allow_empty)


def iter_files(paths: Iterable[str | Path], suffixes: set[str]) -> Iterator[Path]:
    """Files named, and documents found walking folders (hidden files and other suffixes skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (
                    f.is_file()
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                    and f.suffix.lower() in suffixes
                ):
                    yield f
        elif p.exists():
            yield p
        else:
            raise PipelineError(f"no such file or folder: {display_path(str(p))}")


def _file_task(f: Path) -> Task:
    st = f.stat()
    shown = display_path(str(f))
    key = f"{shown}|{st.st_size}|{st.st_mtime_ns}"
    return Task(key, str(f), display_path(f.name), Provenance(path=shown))


def normalize_files(
    files: list[Path],
    out: Path,
    jobs: int = 0,
    limits: Limits = _DEFAULT_LIMITS,
    allow_empty: bool = False,
    batch: int = 500,
    progress=None,
) -> RunStats:
    """Normalise local files as the whole content of `out` (staged, resumable, swapped in at the end)."""
    if not files and not allow_empty:
        raise PipelineError(
            "no documents found to normalise (PATHS held no PDF, DOCX, DOC, WPS, HTML or "
            "text file); nothing was written (pass --allow-empty to write empty tables)"
        )
    store = Store(out, rebuild=True, batch=batch, source="files")
    stats = RunStats()
    try:
        tasks = list(map(_file_task, files))
        tasks = [t for t, done in zip(tasks, store.done_among([t.key for t in tasks])) if not done]
        stats.skipped = len(files) - len(tasks)
    except BaseException:
        store.abort()
        raise
    return _drive(store, tasks, len(tasks), jobs, limits, stats, allow_empty, progress)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
