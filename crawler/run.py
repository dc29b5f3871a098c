"""Run a crawl over registry rows and write the run report (DIR/runs/<time>.json).

A source that yields zero report links, or fewer than its last successful run, is a
failure: it is reported and makes the exit status non-zero (after everything was saved).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crawler.registry import Source


@dataclass
class SourceResult:
    source_id: str
    url: str
    platform: str  # what the registry row says (may be `auto`)
    pages_fetched: int = 0
    reports_found: int = 0
    new_documents: int = 0
    errors: int = 0
    requests: int = 0
    status: str = "ok"
    reason: str | None = None
    robots_obeyed: bool = True
    error_list: list[dict[str, Any]] = field(default_factory=list)
    detected_platform: str | None = None  # the family whose parser read the column (what `auto` chose)
    newest_year: int | None = None  # the latest year among the report links listed


def crawl(sources: list[Source], data_dir: Path, settings: dict[str, Any] | None = None, refresh: bool = False,
          listing_only: bool = False) -> list[SourceResult]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    import os
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    base = get_project_settings()
    base.setmodule("crawler.settings", priority="project")
    if settings:
        base.setdict(settings, priority="cmdline")
    process = CrawlerProcess(base)
    from crawler.spiders import spider_class

    crawlers = []
    for src in sources:
        if not src.obey_robots:
            logging.getLogger("ogi").warning("source %s: robots.txt NOT obeyed (registry override)", src.id)
        crawler = process.create_crawler(spider_class(src))
        process.crawl(crawler, source=src, data_dir=str(data_dir), refresh=refresh, listing_only=listing_only)
        crawlers.append((src, crawler))
    process.start()
    results = []
    for src, crawler in crawlers:
        s = crawler.stats.get_stats()
        results.append(SourceResult(
            source_id=src.id, url=src.url, platform=src.platform, detected_platform=s.get("ogi/platform"),
            newest_year=s.get("ogi/newest_year"),
            pages_fetched=s.get("ogi/listing_pages", 0), reports_found=s.get("ogi/reports_found", 0),
            new_documents=s.get("ogi/new_documents", 0), errors=s.get("ogi/errors", 0),
            requests=s.get("downloader/request_count", 0), robots_obeyed=src.obey_robots,
            error_list=s.get("ogi/error_list", [])))
    return results


def judge(results: list[SourceResult], runs_dir: Path) -> None:
    """Mark sources that found nothing, or fewer report links than their last good run."""
    last = last_success(runs_dir)
    for r in results:
        if r.reports_found == 0:
            r.status, r.reason = "failed", "zero report links found (listing unreachable, changed layout or wrong URL)"
        elif r.source_id in last and r.reports_found < last[r.source_id]:
            r.status = "failed"
            r.reason = f"found {r.reports_found} report links, fewer than the {last[r.source_id]} of the last successful run"


def last_success(runs_dir: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(runs_dir.glob("*.json")):
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        for r in run.get("sources", []):
            if r.get("status") == "ok":
                found[r["source_id"]] = r["reports_found"]
    return found


def write_report(results: list[SourceResult], runs_dir: Path, started: dt.datetime) -> Path:
    runs_dir.mkdir(parents=True, exist_ok=True)
    path = runs_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    tmp = path.with_suffix(".tmp")
    payload = {"started": started.isoformat(), "finished": dt.datetime.now(dt.timezone.utc).isoformat(),
               "sources": [asdict(r) for r in results]}
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def format_table(results: list[SourceResult]) -> str:
    head = (f"{'source':<28} {'platform':<11} {'pages':>5} {'reports':>7} {'newest':>6} {'new':>5} {'errors':>6}"
            "  status")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r.source_id[:28]:<28} {r.detected_platform or r.platform:<11} {r.pages_fetched:>5} "
                     f"{r.reports_found:>7} {r.newest_year or '-':>6} {r.new_documents:>5} {r.errors:>6}  "
                     f"{r.status}{': ' + r.reason if r.reason else ''}")
    return "\n".join(lines)
