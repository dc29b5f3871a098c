"""`ogi` — collect and normalise government information-disclosure annual reports."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

import click

from normalize import Provenance, normalize_bytes
from normalize.write import DatasetWriter
from normalize.extract.ocr import show_ocr_progress

DOCUMENT_SUFFIXES = {".html", ".htm", ".shtml", ".jhtml", ".xhtml", ".pdf", ".doc", ".docx", ".wps", ".txt",
                     ".png", ".jpg", ".jpeg"}  # images: scanned tables, read by OCR


def iter_files(paths: tuple[str, ...]) -> Iterator[Path]:
    """Files named, and documents found walking folders (other files are skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield f
        elif p.exists():
            yield p
        else:
            raise click.BadParameter(f"no such file or folder: {p}")


def _progress(items: list, label: str):
    if sys.stderr.isatty():
        from tqdm import tqdm
        return tqdm(items, desc=label, unit="file")
    return items


def summarize(statuses: Counter, checks_failed: int, out: Path | None = None) -> str:
    parts = [f"{statuses.get(s, 0)} {s}" for s in ("ok", "partial", "failed")]
    line = f"{sum(statuses.values())} reports: " + ", ".join(parts) + f"; {checks_failed} checks failed"
    return line + (f"\nParquet written to {out}/{{reports,facts,checks,sections}}" if out else "")


@click.group()
def main() -> None:
    """Collect, normalise and publish China's 政府信息公开工作年度报告."""


SOURCES_OPT = click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                           default=None, help="source registry CSV (default: the shipped crawler/sources.csv)")
SET_OPT = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                       help="override a Scrapy setting, e.g. --set DOWNLOAD_DELAY=0 (like scrapy -s)")
DATA_OPT = click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(path_type=Path),
                        help="data directory: raw/, manifest/, runs/, parquet/")


def _sources(sources_file: Path | None, only: tuple[str, ...]):
    from crawler.registry import load_sources

    sources = load_sources(sources_file)
    if only:
        sources = [s for s in sources if s.id in only]
        if not sources:
            raise click.BadParameter(f"no enabled source with id {', '.join(only)}")
    return sources


def _settings(overrides: tuple[str, ...]) -> dict:
    out = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"--set takes KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _crawl(sources, data_dir: Path, refresh: bool, settings: dict | None = None):
    import datetime as dt

    from crawler.run import crawl, format_table, judge, write_report

    started = dt.datetime.now(dt.timezone.utc)
    results = crawl(sources, data_dir, settings, refresh)
    judge(results, data_dir / "runs")
    path = write_report(results, data_dir / "runs", started)
    click.echo(format_table(results))
    click.echo(f"run report: {path}")
    return results


@main.command()
@SOURCES_OPT
@DATA_OPT
@click.option("--only", multiple=True, help="crawl only these source ids")
@click.option("--refresh", is_flag=True, help="re-check archived documents too (conditional requests)")
@SET_OPT
def crawl(sources_file: Path | None, data_dir: Path, only: tuple[str, ...], refresh: bool,
          overrides: tuple[str, ...]) -> None:
    """Crawl the portals in the registry and archive what is new."""
    results = _crawl(_sources(sources_file, only), data_dir, refresh, _settings(overrides))
    if any(r.status != "ok" for r in results):
        sys.exit(1)


@main.command()
@SOURCES_OPT
@DATA_OPT
@click.option("--only", multiple=True, help="crawl only these source ids")
@SET_OPT
def run(sources_file: Path | None, data_dir: Path, only: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Crawl, archive, then normalise the whole archive into DIR/parquet."""
    from ogi.pipeline import normalize_archive

    sources = _sources(sources_file, only)
    results = _crawl(sources, data_dir, False, _settings(overrides))
    statuses, failed_checks = normalize_archive(data_dir, data_dir / "parquet", sources)
    click.echo(summarize(statuses, failed_checks, data_dir / "parquet"))
    if any(r.status != "ok" for r in results):
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--data", "data_dir", default=None, type=click.Path(path_type=Path),
              help="normalise this data directory's raw archive (the default when no PATHS are given: data/)")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="folder for the four Parquet datasets (default: data/parquet, or DATA/parquet)")
def normalize(paths: tuple[str, ...], data_dir: Path | None, out: Path | None) -> None:
    """Normalise report files (PDF, DOCX, DOC, WPS, HTML, text, images), or the raw archive, into Parquet."""
    show_ocr_progress()  # "OCR page 3/12" on stderr: scans take seconds per page
    if not paths:
        from ogi.pipeline import normalize_archive

        data_dir = data_dir or Path("data")
        out = out or data_dir / "parquet"
        statuses, failed_checks = normalize_archive(data_dir, out, _sources(None, ()))
        click.echo(summarize(statuses, failed_checks, out))
        return
    out = out or Path("data/parquet")
    files = list(iter_files(paths))
    statuses: Counter = Counter()
    failed_checks = 0
    with DatasetWriter(out) as writer:
        for f in _progress(files, "normalize"):
            try:
                data = f.read_bytes()
            except OSError as exc:
                click.echo(f"cannot read {f}: {exc}", err=True)
                statuses["failed"] += 1
                continue
            report = normalize_bytes(data, f.name, Provenance(path=str(f)))
            writer.add(report)
            statuses[report.status] += 1
            failed_checks += report.meta["checks_failed"]
            if report.status == "failed":
                click.echo(f"failed: {f}: {report.meta['error']}", err=True)
    click.echo(summarize(statuses, failed_checks, out))


@main.command()
@click.option("--data", "data_dir", default="data/demo", show_default=True, type=click.Path(path_type=Path),
              help="data directory for the demo's archive and Parquet")
def demo(data_dir: Path) -> None:
    """Run the whole pipeline on a bundled portal served on 127.0.0.1 (works offline)."""
    from crawler.registry import load_sources
    from ogi.demo import FAST, comparison, serve, sources_csv
    from ogi.pipeline import normalize_archive

    httpd, base = serve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        click.echo(f"serving the bundled portal at {base}/zwgk/zfxxgknb/")
        sources = load_sources(sources_csv(base, data_dir / "demo_sources.csv"))
        results = _crawl(sources, data_dir, False, FAST)
    finally:
        httpd.shutdown()
    statuses, failed_checks = normalize_archive(data_dir, data_dir / "parquet", sources)
    click.echo(summarize(statuses, failed_checks, data_dir / "parquet"))
    click.echo("\n" + comparison(data_dir / "parquet"))
    if any(r.status != "ok" for r in results):
        sys.exit(1)


@main.command()
@click.option("--wide", "shape", flag_value="wide", help="one row per report, one column per metric × applicant")
@click.option("--long", "shape", flag_value="long", help="one row per printed number, with the report's place and year")
@DATA_OPT
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="output file: Parquet, or CSV when it ends in .csv")
def export(shape: str | None, data_dir: Path, out: Path) -> None:
    """Export DATA/parquet as one researcher-friendly file (see `ogi dictionary`)."""
    from publish.wide import arrow_schema, build_wide, load_tables, long_table, write_table

    if shape is None:
        raise click.UsageError("choose --wide or --long")
    try:
        reports, facts = load_tables(data_dir / "parquet")
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    if shape == "wide":
        table = build_wide(reports, facts)
        write_table(table, out, arrow_schema())
    else:
        table = long_table(reports, facts)
        write_table(table, out)
    click.echo(f"{len(table)} rows × {len(table.columns)} columns written to {out}")


@main.command()
@click.option("--out", "out", default="data/dictionary", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder for data_dictionary.md, columns.csv and metrics.csv")
def dictionary(out: Path) -> None:
    """Write the bilingual data dictionary (Markdown + CSV) of every table, column and metric."""
    from publish.dictionary import write_dictionary

    for path in write_dictionary(out):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show(file: Path) -> None:
    """Print a report's tables and failed checks, to eyeball against the original."""
    from normalize.show import render

    report = normalize_bytes(file.read_bytes(), file.name, Provenance(path=str(file)))
    click.echo(render(report))


if __name__ == "__main__":  # pragma: no cover
    main()
