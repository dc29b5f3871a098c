"""The end-to-end pipeline: raw archive → normalize → Parquet, with crawl provenance.

Reads only the archive (bytes + manifest), so re-normalising everything needs no network.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from crawler.archive import RawArchive
from crawler.registry import Source
from normalize import Provenance, normalize_bytes
from normalize.write import DatasetWriter

NO_TABLES = "no national template table"


def _when(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def normalize_archive(data_dir: Path, out: Path, sources: list[Source] | None = None) -> tuple[Counter, int]:
    """Normalise every archived report page and attachment (each distinct version once)."""
    archive = RawArchive(data_dir)
    regions = {s.id: s.region_code for s in sources or []}
    docs: dict[tuple[str, str], dict] = {}
    for rec in archive.records():
        if rec.get("kind") in ("page", "attachment") and rec.get("sha256") and rec.get("status", 0) < 400:
            docs[(rec["url"], rec["sha256"])] = rec
    statuses: Counter = Counter()
    failed_checks = 0
    with DatasetWriter(out) as writer:
        for rec in docs.values():
            prov = Provenance(
                source_url=rec.get("listing_url") if rec["kind"] == "page" else rec.get("page_url"),
                document_url=rec.get("final_url") or rec["url"], published=rec.get("listed_date"),
                fetched_at=_when(rec.get("fetched_at")), charset=rec.get("charset"),
                region_code=regions.get(rec.get("source_id")), source_id=rec.get("source_id"))
            report = normalize_bytes(archive.get(rec["sha256"]), rec["url"].rsplit("/", 1)[-1], prov)
            if rec["kind"] == "page" and rec.get("attachments") and report.status == "failed" \
                    and NO_TABLES in (report.meta["error"] or ""):
                continue  # a short page that only links its report: the attachment is the report
            writer.add(report)
            statuses[report.status] += 1
            failed_checks += report.meta["checks_failed"]
    return statuses, failed_checks
