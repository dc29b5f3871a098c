"""`ogi` — collect and normalise government information-disclosure annual reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from normalize import Provenance, normalize_bytes
from ogi.normalize_cmd import LIMIT_OPTS, archive_or_exit, summarize  # noqa: F401 (summarize: API)
from ogi.reports import filter_options, filters_from, find_document, reports_command


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  ogi demo                              # the whole pipeline offline, into data/demo
  ogi reports --data data/demo --year 2023
  ogi show ../shared/corpus/real/jiangsu_huaian_city_gov_2024.pdf
  ogi export --wide --data data/demo --out wide.csv
Each command has its own examples: ogi COMMAND -h""",
)
@click.version_option(package_name="ogi-reports", prog_name="ogi")
def main() -> None:
    """Collect, normalise and publish China's 政府信息公开工作年度报告."""


main.add_command(reports_command)


def _split_ids(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """--only a,b and --only a --only b both work."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


ONLY_OPT = click.option(
    "--only",
    multiple=True,
    callback=_split_ids,
    metavar="ID[,ID…]",
    help="crawl only these source ids (comma-separated or repeated)",
)


SOURCES_OPT = click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="source registry CSV (default: the shipped crawler/sources.csv)",
)
SET_OPT = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="override a Scrapy setting, e.g. --set DOWNLOAD_DELAY=0 (like scrapy -s)",
)
DATA_OPT = click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="data directory: raw/, manifest/, runs/, parquet/",
)


def _sources(sources_file: Path | None, only: tuple[str, ...]):
    from crawler.registry import load_sources

    try:
        sources = load_sources(sources_file)
    except ValueError as exc:  # a bad registry row: one line naming the row and column
        raise click.ClickException(str(exc)) from None
    if only:
        sources = [s for s in sources if s.id in only]
        if not sources:
            raise click.BadParameter(f"no enabled source with id {', '.join(only)}")
    return sources


def _settings(overrides: tuple[str, ...]) -> dict:
    from crawler.run import parse_overrides

    try:
        return parse_overrides(overrides)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None


def _crawl(
    sources, data_dir: Path, refresh: bool, settings: dict | None = None, refresh_days: int | None = None
):
    import datetime as dt

    from crawler.run import crawl, format_table, judge, write_report

    started = dt.datetime.now(dt.timezone.utc)
    log = data_dir / "runs" / f"{started.strftime('%Y%m%dT%H%M%SZ')}.log"
    results = crawl(sources, data_dir, settings, refresh, refresh_days, log_file=log)
    judge(results, data_dir / "runs")
    path = write_report(results, data_dir / "runs", started)
    click.echo(format_table(results))
    click.echo(f"run report: {path}\nlog: {log}")
    return results


REFRESH_OPTS = [
    click.option("--refresh", is_flag=True, help="re-check every archived document (conditional requests)"),
    click.option(
        "--refresh-days",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="re-check archived documents listed (or first seen) in the last N days",
    ),
]


def _refresh_options(f):
    for opt in reversed(REFRESH_OPTS):
        f = opt(f)
    return f


@main.command()
@SOURCES_OPT
@DATA_OPT
@ONLY_OPT
@_refresh_options
@SET_OPT
def crawl(
    sources_file: Path | None,
    data_dir: Path,
    only: tuple[str, ...],
    refresh: bool,
    refresh_days: int | None,
    overrides: tuple[str, ...],
) -> None:
    """Crawl the portals in the registry and archive what is new.

    \b
    Examples:
      ogi crawl                                  # every enabled row of crawler/sources.csv
      ogi crawl --only pingtan_zfxxgknb,luqiao_col --data /srv/ogi
      ogi crawl --refresh-days 30 --set DOWNLOAD_DELAY=2
    """
    from crawler.run import exit_code

    results = _crawl(_sources(sources_file, only), data_dir, refresh, _settings(overrides), refresh_days)
    sys.exit(exit_code(results))


@main.command()
@SOURCES_OPT
@DATA_OPT
@ONLY_OPT
@_refresh_options
@SET_OPT
def run(
    sources_file: Path | None,
    data_dir: Path,
    only: tuple[str, ...],
    refresh: bool,
    refresh_days: int | None,
    overrides: tuple[str, ...],
) -> None:
    """Crawl, archive, then normalise the whole archive into DIR/parquet.

    \b
    Examples:
      ogi run                                    # crawler/sources.csv → data/raw → data/parquet
      ogi run --sources my_portals.csv --data /srv/ogi --only my_city --refresh-days 30
    """
    from crawler.run import EXIT_INTERRUPTED, exit_code

    sources = _sources(sources_file, only)
    results = _crawl(sources, data_dir, refresh, _settings(overrides), refresh_days)
    if exit_code(results) == EXIT_INTERRUPTED:  # stopped by a signal: the archive is kept, normalise later
        click.echo("interrupted: the crawl was stopped; normalisation skipped (rerun to resume)", err=True)
        sys.exit(EXIT_INTERRUPTED)
    archive_or_exit(data_dir, data_dir / "parquet", sources)
    sys.exit(exit_code(results))


@main.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--data",
    "data_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="normalise this data directory's raw archive (the default when no PATHS are given: data/)",
)
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(path_type=Path),
    help="folder for the four Parquet datasets (default: data/parquet, or DATA/parquet)",
)
@LIMIT_OPTS
def normalize(paths: tuple[str, ...], data_dir: Path | None, out: Path | None, **limits) -> None:
    """Normalise report files (PDF, DOCX, DOC, WPS, HTML, text, images), or the raw archive, into Parquet.

    \b
    Examples:
      ogi normalize ../shared/corpus --out data/parquet   # local files and folders
      ogi normalize --data data/demo                      # re-read an archive, no network
      ogi normalize --data data --jobs 2 --timeout 300    # two workers, 5 minutes per file
    """
    from ogi.normalize_cmd import normalize_command

    normalize_command(paths, data_dir, out, **limits)


@main.command()
@click.option(
    "--data",
    "data_dir",
    default="data/demo",
    show_default=True,
    type=click.Path(path_type=Path),
    help="data directory for the demo's archive and Parquet",
)
def demo(data_dir: Path) -> None:
    """Run the whole pipeline on a bundled portal served on 127.0.0.1 (works offline).

    The portal holds real published reports (copied from the corpus) and reports of
    fictional agencies (示例…) with invented numbers, marked SYNTHETIC everywhere.

    \b
    Examples:
      ogi demo
      ogi demo --data /tmp/ogi-demo
    """
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
        httpd.server_close()
    archive_or_exit(data_dir, data_dir / "parquet", sources)
    click.echo("\n" + comparison(data_dir / "parquet"))
    if any(r.status != "ok" for r in results):
        sys.exit(1)


@main.command()
@click.option(
    "--wide", "shape", flag_value="wide", help="one row per report, one column per metric × applicant"
)
@click.option(
    "--long", "shape", flag_value="long", help="one row per printed number, with the report's place and year"
)
@DATA_OPT
@filter_options
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="output file: .parquet, .csv (UTF-8 with BOM, opens in Excel) or .xlsx",
)
def export(shape: str | None, data_dir: Path, province, city, years, statuses, agency, out: Path) -> None:
    """Export DATA/parquet as one researcher-friendly file (see `ogi dictionary`).

    \b
    Examples:
      ogi export --wide --data data/demo --out wide.parquet
      ogi export --long --data data/demo --out long.csv --province 江苏
      ogi export --wide --data data/demo --out wide.xlsx --year 2023 --status ok
    """
    from publish.wide import OUTPUT_SUFFIXES, arrow_schema, build_wide, load_tables, long_table, write_table

    if shape is None:
        raise click.UsageError("choose --wide or --long")
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.BadParameter(
            f"{out.name}: the output must end in {', '.join(OUTPUT_SUFFIXES)}", param_hint="--out"
        )
    try:
        reports, facts = load_tables(data_dir / "parquet")
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    # built on every report (carry-over needs the year before), then filtered
    table = build_wide(reports, facts) if shape == "wide" else long_table(reports, facts)
    keep = filters_from(province, city, years, statuses, agency).apply(reports)["report_id"]
    table = table[table["report_id"].isin(keep)].reset_index(drop=True)
    write_table(table, out, arrow_schema() if shape == "wide" else None)
    click.echo(f"{len(table)} rows × {len(table.columns)} columns written to {out}")


@main.command()
@click.option(
    "--out",
    "out",
    default="data/dictionary",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="folder for data_dictionary.md, columns.csv and metrics.csv",
)
def dictionary(out: Path) -> None:
    """Write the bilingual data dictionary (Markdown + CSV) of every table, column and metric.

    \b
    Examples:
      ogi dictionary                     # data/dictionary/{data_dictionary.md,columns.csv,metrics.csv}
      ogi dictionary --out /tmp/dict
    """
    from publish.dictionary import write_dictionary

    for path in write_dictionary(out):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("report")
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="where to look REPORT up when it is a report id (the demo's: data/demo)",
)
def show(report: str, data_dir: Path) -> None:
    """Print a report's tables and failed checks, to eyeball against the original.

    REPORT is a file, or a report id (at least 6 characters) from `ogi reports`.

    \b
    Examples:
      ogi show ../shared/corpus/real/jiangsu_huaian_hongze_district_gov_2023.pdf
      ogi show 3f2a9c --data data/demo
    """
    from normalize.show import render

    path = Path(report)
    if path.is_file():
        data, name, prov = path.read_bytes(), path.name, Provenance(path=str(path))
    else:
        data, name, url = find_document(data_dir, report)
        prov = Provenance(document_url=url)
    click.echo(render(normalize_bytes(data, name, prov)))


from ogi.sources import sources as _sources_group  # noqa: E402  (`ogi sources check`)

main.add_command(_sources_group)


if __name__ == "__main__":  # pragma: no cover
    main()
