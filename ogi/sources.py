"""`ogi sources check`: read each registry row's column once and say what is there.

For every row: the family the page shows (what `auto` would choose), the listing pages
and API calls it takes, the report links found and the newest report's year.  No report
or attachment is opened.  With --write, rows that listed reports are marked verified
(the `verified` column gets today's date, the note loses its "unverified" mark), the
registry rewritten atomically.  This is how an operator with internet access turns the
shipped "unverified" rows into verified ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

import click

from crawler.registry import DEFAULT_SOURCES, Source, load_sources
from crawler.run import SourceResult, format_table


def check(sources: list[Source], settings: dict | None = None) -> list[SourceResult]:
    """Crawl each column's listing only (into a throwaway archive) and judge what it lists."""
    from crawler.run import crawl

    with tempfile.TemporaryDirectory(prefix="ogi-check-") as tmp:
        results = crawl(sources, Path(tmp), settings, listing_only=True)
    for r in results:
        if r.status == "ok" and r.reports_found == 0:
            r.status, r.reason = (
                "failed",
                "zero report links found (unreachable, changed layout or wrong URL)",
            )
    return results


def mark_verified(path: Path, ids: set[str], day: dt.date) -> int:
    """Set `verified` = day on these rows of the registry CSV; every other byte of meaning kept."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if "verified" not in fields:
        fields.append("verified")
    marked = 0
    for row in rows:
        if row.get("id") in ids:
            row["verified"] = day.isoformat()
            note = row.get("notes") or ""
            if note.startswith("unverified"):
                row["notes"] = f"verified {day.isoformat()}" + note[len("unverified") :]
            marked += 1
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
    return marked


@click.group()
def sources() -> None:
    """Inspect the source registry (crawler/sources.csv).

    \b
    Examples:
      ogi sources check --only pingtan_zfxxgknb   # needs internet: one listing fetch per row
      ogi sources check --write                   # mark rows that list reports as verified
    """


@sources.command("check")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="source registry CSV (default: the shipped crawler/sources.csv)",
)
@click.option("--only", multiple=True, help="check only these source ids")
@click.option(
    "--write", is_flag=True, help="mark rows that listed reports as verified (today) in the registry"
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="override a Scrapy setting")
def check_command(
    sources_file: Path | None, only: tuple[str, ...], write: bool, overrides: tuple[str, ...]
) -> None:
    """Fetch each row's column once: detected family, pages, report links, newest year."""
    from ogi.cli import _settings

    path = sources_file or DEFAULT_SOURCES
    rows = load_sources(path, only_enabled=not only)
    if only:
        rows = [s for s in rows if s.id in only]
        if not rows:
            raise click.BadParameter(f"no source with id {', '.join(only)}")
    results = check(rows, _settings(overrides))
    click.echo(format_table(results))
    if write:
        good = {r.source_id for r in results if r.status == "ok"}
        n = mark_verified(path, good, dt.date.today())
        click.echo(f"{n} row(s) marked verified in {path}")
    if any(r.status != "ok" for r in results):
        sys.exit(1)
