"""Small helpers the notebook uses, kept here so they are tested: paths, labels, year-over-year.

Why: a notebook cell cannot be unit-tested, and each of these once printed something
misleading (a +204% "year-over-year" change across a missing year, `2019.0` on an axis,
an invented report under a real name, a relative OGI_DATA read from notebooks/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

SYNTHETIC_MARK = " [合成 synthetic]"


def repo_root(start: Path | None = None) -> Path:
    """The checkout holding pyproject.toml, searching upwards from `start` (default: cwd)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def resolve(value: str | None, default: str, start: Path | None = None) -> Path:
    """A path from the environment: absolute as given; relative ones from the current folder
    when they exist there, else from the repository root (a kernel runs in notebooks/)."""
    path = Path(value or default).expanduser()
    if path.is_absolute():
        return path
    cwd = Path(start or Path.cwd())
    return cwd / path if (cwd / path).exists() else repo_root(cwd) / path


def data_and_figures(start: Path | None = None) -> tuple[Path, Path]:
    """OGI_DATA/parquet (default data/demo) and OGI_FIGURES (default figures/, git-ignored)."""
    data = resolve(os.environ.get("OGI_DATA"), "data/demo", start) / "parquet"
    figures = resolve(os.environ.get("OGI_FIGURES"), "figures", start)
    return data, figures


def agency_labels(frame: pd.DataFrame) -> pd.Series:
    """One label per row: the agency's most recent printed name (by agency_key), marked when
    the report is synthetic (the demo's fictional 示例 agencies)."""
    latest = frame.sort_values("year").groupby("agency_key")["agency"].last()
    label = frame["agency_key"].map(latest).fillna(frame["agency"]).fillna("(agency?)")
    synthetic = frame["synthetic"].fillna(False).astype(bool) if "synthetic" in frame else False
    return label.where(~synthetic, label + SYNTHETIC_MARK)


def year_label(year) -> str:
    """2019, never 2019.0; a report without a year says so."""
    return "year?" if pd.isna(year) else str(int(year))


def year_over_year(panel: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Percent change from the year before, for consecutive years only.

    `panel`: index = year, one column per agency.  A missing year leaves the next one
    empty (2021 is not compared with 2019).  Returns the changes (agencies with at least
    one) and one line per gap saying which comparison it left out."""
    panel = panel[panel.index.notna()]
    panel.index = panel.index.astype(int)
    years = range(int(panel.index.min()), int(panel.index.max()) + 1) if len(panel) else []
    full = panel.reindex(years)
    change = full.pct_change(fill_method=None) * 100
    change = change.loc[:, change.notna().any()]
    gaps = []
    for agency in full.columns:
        have = full[agency].dropna().index
        for a, b in zip(have[:-1], have[1:]):
            if b - a > 1:
                gaps.append(
                    f"{agency}: no report for {', '.join(map(str, range(a + 1, b)))}, "
                    f"so {b} is not compared with {a}"
                )
    return change, gaps
