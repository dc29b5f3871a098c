"""`ogi` — collect and normalise government information-disclosure annual reports."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from normalize import Provenance, normalize_bytes
from ogi.normalize_cmd import LIMIT_OPTS, archive_or_exit, summarize  # noqa: F401 (summarize: API)


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
    sources = _sources(sources_file, only)
    results = _crawl(sources, data_dir, False, _settings(overrides))
    archive_or_exit(data_dir, data_dir / "parquet", sources)
    if any(r.status != "ok" for r in results):
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--data", "data_dir", default=None, type=click.Path(path_type=Path),
              help="normalise this data directory's raw archive (the default when no PATHS are given: data/)")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="folder for the four Parquet datasets (default: data/parquet, or DATA/parquet)")
@LIMIT_OPTS
def normalize(paths: tuple[str, ...], data_dir: Path | None, out: Path | None, **limits) -> None:
    """Normalise report files (PDF, DOCX, DOC, WPS, HTML, text), or the raw archive, into Parquet."""
    from ogi.normalize_cmd import normalize_command

    normalize_command(paths, data_dir, out, **limits)


@main.command()
@click.option("--data", "data_dir", default="data/demo", show_default=True, type=click.Path(path_type=Path),
              help="data directory for the demo's archive and Parquet")
def demo(data_dir: Path) -> None:
    """Run the whole pipeline on a bundled portal served on 127.0.0.1 (works offline)."""
    from crawler.registry import load_sources
    from ogi.demo import FAST, comparison, serve, sources_csv

    httpd, base = serve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        click.echo(f"serving the bundled portal at {base}/zwgk/zfxxgknb/")
        sources = load_sources(sources_csv(base, data_dir / "demo_sources.csv"))
        results = _crawl(sources, data_dir, False, FAST)
    finally:
        httpd.shutdown()
    archive_or_exit(data_dir, data_dir / "parquet", sources)
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
