"""`ogi reports` and the filters `ogi reports` and `ogi export` share; `ogi show <id>` look-up.

Why a module of its own: the CLI stays a thin list of commands (interfaces.md §5), and
the filter semantics live in one place for every command that selects reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

SHOWN = [
    "report_id",
    "agency",
    "province",
    "city",
    "year",
    "template",
    "format",
    "status",
    "checks_failed",
    "synthetic",
]


@dataclass(frozen=True)
class Filters:
    """Which reports to keep: every given filter must match (substring for the agency)."""

    province: str | None = None
    city: str | None = None
    year: tuple[int, ...] = ()
    status: tuple[str, ...] = ()
    agency: str | None = None

    def apply(self, reports: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        keep = pd.Series(True, index=reports.index)
        for col, want in (("province", self.province), ("city", self.city)):
            if want:
                keep &= reports[col].fillna("").str.contains(want, regex=False)
        if self.year:
            keep &= reports["year"].isin(self.year)
        if self.status:
            keep &= reports["status"].isin(self.status)
        if self.agency:
            keep &= reports["agency"].fillna("").str.contains(self.agency, regex=False)
        return reports[keep]


def filter_options(f):
    """The same filter options on every command that selects reports."""
    opts = [
        click.option("--province", help="province name or part of it, e.g. 江苏"),
        click.option("--city", help="prefecture-level city, or part of its name, e.g. 淮安"),
        click.option("--year", "years", multiple=True, type=int, help="report year; repeat for several"),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=click.Choice(["ok", "partial", "failed"]),
            help="ok, partial or failed; repeat for several",
        ),
        click.option("--agency", help="part of the agency's name, e.g. 洪泽"),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def filters_from(province, city, years, statuses, agency) -> Filters:
    return Filters(province, city, tuple(years), tuple(statuses), agency)


def load_reports(data_dir: Path) -> pd.DataFrame:
    path = Path(data_dir) / "parquet" / "reports"
    if not path.exists():
        raise click.ClickException(f"{path} not found: run `ogi demo`, `ogi run` or `ogi normalize` first")
    import pandas as pd  # here, not at the top: commands that never read Parquet start faster

    return pd.read_parquet(path)


def render_reports(reports: pd.DataFrame, fmt: str) -> str:
    from publish.wide import whole_numbers

    rows = whole_numbers(reports.reindex(columns=SHOWN).sort_values(["agency", "year"], na_position="last"))
    if fmt == "json":
        records = json.loads(rows.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1)
    if fmt == "csv":
        return rows.to_csv(index=False).rstrip("\n")
    if rows.empty:
        return "no reports match"
    rows["synthetic"] = rows["synthetic"].map({True: "SYNTHETIC", False: ""})
    return rows.to_string(index=False, na_rep="–") + f"\n{len(rows)} reports"


@click.command("reports")
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(path_type=Path),
    help="data directory holding parquet/ (the demo's: data/demo)",
)
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def reports_command(data_dir: Path, province, city, years, statuses, agency, fmt: str) -> None:
    """List the reports in the data: id, agency, place, year, status, synthetic.

    \b
    Examples:
      ogi reports --data data/demo
      ogi reports --data data/demo --province 江苏 --year 2023 --year 2024
      ogi reports --data data/demo --agency 平潭 --status partial --format csv
    """
    chosen = filters_from(province, city, years, statuses, agency).apply(load_reports(data_dir))
    click.echo(render_reports(chosen, fmt))


def find_document(data_dir: Path, ref: str) -> tuple[bytes, str, str | None]:
    """Bytes, file name and document URL of the report whose id starts with `ref`."""
    reports = load_reports(data_dir)
    hits = reports[reports["report_id"].str.startswith(ref.lower())]
    if len(ref) < 6 or hits.empty:
        raise click.BadParameter(
            f"{ref!r} is neither a file nor a report id in {data_dir}/parquet "
            "(see `ogi reports`; give at least 6 characters of the id)"
        )
    if len(hits) > 1:
        raise click.BadParameter(f"{ref!r} matches {len(hits)} reports: give more of the id")
    row = hits.iloc[0]
    url = row.get("document_url")
    name = str(url or row["report_id"]).rsplit("/", 1)[-1]
    blob = Path(data_dir) / "raw" / row["sha256"][:2] / row["sha256"]  # crawler/archive.py's layout
    if blob.exists():
        return blob.read_bytes(), name, url
    if isinstance(row.get("path"), str) and Path(row["path"]).exists():
        return Path(row["path"]).read_bytes(), name, url
    raise click.ClickException(
        f"report {row['report_id']}: its bytes are neither in {data_dir}/raw nor at "
        f"{row.get('path') or '(no local path)'}"
    )
