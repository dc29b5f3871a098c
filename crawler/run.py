"""Run a crawl over registry rows and write the run report (DIR/runs/<time>.json).

Each source ends `ok`, `blocked (<kind>)`, `unreachable (<kind>)` (DNS failure, connection
refused, timeout, TLS, robots.txt unreadable), `timed out`, `interrupted` (a signal), or
`failed` (zero report links, or fewer than its last successful run).  Anything but `ok`
makes the exit status non-zero (after everything was saved); `interrupted` exits 3.
"""

from __future__ import annotations

import datetime as dt
import difflib
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
    not_modified: int = 0
    attachments_resumed: int = 0
    problems: dict[str, Any] = field(default_factory=dict)
    error_list: list[dict[str, Any]] = field(default_factory=list)
    detected_platform: str | None = None  # the family whose parser read the column (what `auto` chose)
    newest_year: int | None = None  # the latest year among the report links listed


EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 3


def exit_code(results: list[SourceResult]) -> int:
    """What a scheduler sees: 0 all ok, 1 a source failed/blocked/unreachable, 3 interrupted."""
    if any(r.status == "interrupted" for r in results):
        return EXIT_INTERRUPTED
    return EXIT_OK if all(r.status == "ok" for r in results) else EXIT_SOURCE_FAILED


def known_settings() -> dict[str, Any]:
    """Every setting `--set` may change, with its default (Scrapy's and ours)."""
    from scrapy.settings import default_settings

    import crawler.settings as ours

    out = {k: getattr(default_settings, k) for k in dir(default_settings) if k.isupper()}
    out.update({k: getattr(ours, k) for k in dir(ours) if k.isupper()})
    return out


def _convert(key: str, value: str, default: Any) -> Any:
    if isinstance(default, bool):
        low = value.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"--set {key}: expected true or false, got {value!r}")
    if isinstance(default, (int, float)):
        for number in (int, float):
            try:
                return number(value)
            except ValueError:
                pass
        raise ValueError(f"--set {key}: expected a number, got {value!r}")
    if isinstance(default, (dict, list)):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            if isinstance(default, list):
                return [v.strip() for v in value.split(",") if v.strip()]
            raise ValueError(f'--set {key}: expected JSON like {{"a": 1}}, got {value!r}') from None
        if not isinstance(parsed, type(default)):
            raise ValueError(f"--set {key}: expected a JSON {type(default).__name__}, got {value!r}")
        return parsed
    return value


def parse_overrides(items: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` pairs → settings; an unknown key or a malformed value is a clear error."""
    known = known_settings()
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ValueError(f"--set takes KEY=VALUE, got {item!r}")
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"--set {key}: not a known setting{hint}")
        out[key] = _convert(key, value, known[key])
    return out


def outcome(stats: dict[str, Any]) -> tuple[str, str | None]:
    """A source's status from how its crawl ended (before judging the links it found)."""
    fence = stats.get("ogi/fence")
    if fence:
        return fence["status"], fence["reason"]
    finish = stats.get("finish_reason")
    if finish in (None, "shutdown"):
        return "interrupted", "stopped by a signal (SIGTERM/Ctrl-C) before the source was done"
    if finish == "closespider_timeout":
        return "timed out", "stopped at the per-source deadline (CLOSESPIDER_TIMEOUT); rerun to continue"
    robots = stats.get("ogi/robots_failure")
    if robots and not stats.get("ogi/listing_pages"):
        return robots["status"], robots["reason"]
    return "ok", None


def _process_class():
    from scrapy.crawler import CrawlerProcess

    class SignalAwareProcess(CrawlerProcess):
        """Remembers that a stop signal came, so the run report can say `interrupted`."""

        signalled: int | None = None

        def _signal_shutdown(self, signum, frame):  # noqa: D401 - Scrapy's hook
            self.signalled = signum
            super()._signal_shutdown(signum, frame)

    return SignalAwareProcess


def crawl(
    sources: list[Source],
    data_dir: Path,
    settings: dict[str, Any] | None = None,
    refresh: bool = False,
    refresh_days: int | None = None,
    log_file: Path | None = None,
    listing_only: bool = False,
) -> list[SourceResult]:
    import os
    from urllib.parse import urlsplit

    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    base = get_project_settings()
    base.setmodule("crawler.settings", priority="project")
    if log_file is not None:  # tracebacks go to the log file, the console gets the table
        log_file.parent.mkdir(parents=True, exist_ok=True)
        base.set("LOG_FILE", str(log_file), priority="project")
    if settings:
        base.setdict(settings, priority="cmdline")
    base.set(
        "OGI_PRIVATE_OK_HOSTS",
        sorted({(urlsplit(s.url).hostname or "").lower() for s in sources}),
        priority="cmdline",
    )
    process = _process_class()(base)
    from crawler.archive import remove_orphan_blobs
    from crawler.spiders import spider_class

    remove_orphan_blobs(data_dir)  # left by a crawl killed mid-write; once per run, not per source

    crawlers = []
    for src in sources:
        if not src.obey_robots:
            logging.getLogger("ogi").warning("source %s: robots.txt NOT obeyed (registry override)", src.id)
        crawler = process.create_crawler(spider_class(src))
        process.crawl(
            crawler,
            source=src,
            data_dir=str(data_dir),
            refresh=refresh,
            refresh_days=refresh_days,
            listing_only=listing_only,
        )
        crawlers.append((src, crawler))
    process.start()
    results = []
    for src, crawler in crawlers:
        s = crawler.stats.get_stats()
        status, reason = outcome(s)
        results.append(
            SourceResult(
                source_id=src.id,
                url=src.url,
                platform=src.platform,
                detected_platform=s.get("ogi/platform"),
                newest_year=s.get("ogi/newest_year"),
                pages_fetched=s.get("ogi/listing_pages", 0),
                reports_found=s.get("ogi/reports_found", 0),
                new_documents=s.get("ogi/new_documents", 0),
                errors=s.get("ogi/errors", 0),
                requests=s.get("downloader/request_count", 0),
                robots_obeyed=src.obey_robots,
                status=status,
                reason=reason,
                not_modified=s.get("ogi/not_modified", 0),
                attachments_resumed=s.get("ogi/attachments_resumed", 0),
                problems=s.get("ogi/problems", {}),
                error_list=s.get("ogi/error_list", []),
            )
        )
    return results


def judge(results: list[SourceResult], runs_dir: Path) -> None:
    """Mark sources that found nothing, or fewer report links than their last good run."""
    last = last_success(runs_dir)
    for r in results:
        if r.status != "ok":  # blocked, unreachable, interrupted: said already, never "zero links"
            continue
        if r.reports_found == 0:
            r.status, r.reason = (
                "failed",
                "zero report links found (listing unreachable, changed layout or wrong URL)",
            )
        elif r.source_id in last and r.reports_found < last[r.source_id]:
            r.status = "failed"
            r.reason = (
                f"found {r.reports_found} report links, "
                f"fewer than the {last[r.source_id]} of the last successful run"
            )


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
    code = exit_code(results)
    payload = {
        "started": started.isoformat(),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(),
        "status": {0: "ok", 1: "failed", 3: "interrupted"}[code],
        "interrupted": code == EXIT_INTERRUPTED,
        "exit_code": code,
        "sources": [asdict(r) for r in results],
    }
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def format_table(results: list[SourceResult]) -> str:
    head = (
        f"{'source':<28} {'platform':<11} {'pages':>5} {'reports':>7} {'newest':>6} {'new':>5} "
        f"{'errors':>6}  status"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.source_id[:28]:<28} {r.detected_platform or r.platform:<11} {r.pages_fetched:>5} "
            f"{r.reports_found:>7} {r.newest_year or '-':>6} {r.new_documents:>5} {r.errors:>6}  "
            f"{r.status}{': ' + r.reason if r.reason else ''}"
        )
        for kind, p in r.problems.items():
            example = p["examples"][0] if p["examples"] else ""
            lines.append(f"{'':<28}   {p['count']:>4} × {kind}: {example}"[:200])
    return "\n".join(lines)
