"""Build small crawl archives (DIR/raw + DIR/manifest) in tests, as the crawler writes them."""

from __future__ import annotations

from pathlib import Path

from crawler.archive import RawArchive


def add_doc(
    data_dir: Path, url: str, data: bytes, kind: str = "page", source_id: str = "src", **extra
) -> str:
    """Archive `data` as fetched from `url`; returns its sha256."""
    archive = RawArchive(data_dir)
    try:
        sha, _ = archive.put(data)
        charset = "text/html; charset=utf-8" if kind == "page" else None
        archive.record(
            {
                "source_id": source_id,
                "kind": kind,
                "url": url,
                "final_url": url,
                "status": 200,
                "charset": charset,
                "sha256": sha,
                **extra,
            }
        )
    finally:
        archive.close()
    return sha
