"""reports + facts → one row per report, one column per metric × applicant, plus derived measures.

Why: most researchers want a spreadsheet-shaped table.  Column names say which template a
number belongs to, so a 2019 对外公开总数量 is never read as a 2021 现行有效件数: metrics the
two templates share keep a plain name (requests_granted__total); template-specific ones
are prefixed (t2019_active_rules_published_total, t2021_active_rules_in_force); pairs that
are only roughly comparable get an explicit bridge column (active_rules_made_2019_or_issued_2021).
Every name, label and definition comes from metrics.csv, tables.yaml and derived.yaml.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from normalize.templates import APPLICANTS, METRICS, TABLES
from normalize.write import _TYPES

DERIVED = yaml.safe_load((Path(__file__).parent / "derived.yaml").read_text(encoding="utf-8"))
STATUS_RANK = {"ok": 0, "partial": 1, "failed": 2}
ID_COLUMNS = [
    "report_id",
    "agency",
    "agency_key",
    "region_code",
    "province",
    "city",
    "county",
    "township",
    "admin_level",
    "year",
    "template",
    "status",
    "synthetic",
    "checks_failed",
    "cells_expected",
    "cells_found",
    "format",
    "published",
    "source_url",
    "document_url",
]


@dataclass
class Column:
    """One column of the wide table, with what the data dictionary says about it."""

    name: str
    type: str
    zh: str
    en: str
    unit: str = ""
    templates: str = ""
    comparability: str = ""
    metric: str = ""
    applicant: str = ""
    kind: str = "metric"  # id, metric, bridge, ratio, carry_over
    sources: list[str] = field(default_factory=list)


def _snake(metric: str) -> str:
    return metric.replace(".", "_")


def metric_column(metric: str, applicant: str | None) -> str:
    """Name of a metric × applicant column: plain if both templates print it, else prefixed.

    pre2019.* metrics already carry their prefix: pre2019_requests_received.
    """
    row = METRICS[metric]
    templates = row["templates"].split(";")
    if len(templates) > 1 and row["comparable_2019_2021"] == "yes" or templates == ["pre2019"]:
        base = _snake(metric)
    else:
        base = f"t{templates[0]}_{_snake(metric)}"
    return f"{base}__{applicant}" if applicant else base


def _bridge_name(a: str, b: str) -> str:
    """active.rules.made (2019) ~ active.rules.issued (2021) → active_rules_made_2019_or_issued_2021."""
    pa_, pb = a.split("."), b.split(".")
    k = 0
    while k < min(len(pa_), len(pb)) - 1 and pa_[k] == pb[k]:
        k += 1
    return "_".join(pa_[:k] + pa_[k:]) + "_2019_or_" + "_".join(pb[k:]) + "_2021"


def _pre2019_bridges() -> list[tuple[str, str]]:
    """(pre-2019 metric, 2019+ metric) pairs from metrics.csv's "~metric", less derived.yaml's not_bridged."""
    skip = set(DERIVED["pre2019"]["not_bridged"])
    return [
        (m, row["comparable_2019_2021"][1:])
        for m, row in METRICS.items()
        if row["templates"] == "pre2019" and row["comparable_2019_2021"].startswith("~") and m not in skip
    ]


def _pre2019_bridge_name(pre: str, later: str) -> str:
    """pre2019.requests.received ~ requests.new → requests_received_2008_2018_or_new_2019on__total."""
    a, b = pre.removeprefix("pre2019.").split("."), later.split(".")
    k = 0
    while k < min(len(a), len(b)) - 1 and a[k] == b[k]:
        k += 1
    name = "_".join(a) + "_2008_2018_or_" + "_".join(b[k:]) + "_2019on"
    return name + ("__total" if METRICS[later]["by_applicant"] == "yes" else "")


def _pre2019_comparability(metric: str) -> str:
    caveat = DERIVED["pre2019"]["caveats"][metric]
    later = METRICS[metric]["comparable_2019_2021"]
    if later.startswith("~") and metric not in DERIVED["pre2019"]["not_bridged"]:
        bridge = _pre2019_bridge_name(metric, later[1:])
        return (
            f"pre-2019 reports (2008–2018) only; roughly comparable with {later[1:]} "
            f"(bridge {bridge}): {caveat}"
        )
    return f"pre-2019 reports (2008–2018) only: {caveat}"


def _applicants(metric: str) -> list[str | None]:
    return list(APPLICANTS) if METRICS[metric]["by_applicant"] == "yes" else [None]


@lru_cache(maxsize=1)
def wide_columns() -> tuple[Column, ...]:
    """Every column of the wide table, in order."""
    report_cols = {c["name"]: c for c in TABLES["reports"]["columns"]}
    cols = [
        Column(c, report_cols[c]["type"], report_cols[c]["zh"], report_cols[c]["en"], kind="id")
        for c in ID_COLUMNS
    ]
    app = TABLES["applicants"]
    for metric, row in METRICS.items():
        zh_label = " ".join(x for x in (row["zh_row"], row["zh_column"]) if x)
        comp = row["comparable_2019_2021"]
        comp_text = {
            "yes": "comparable across the 2019 and 2021 templates",
            "no": f"{row['templates']} template only: not comparable",
        }.get(
            comp,
            f"{row['templates']} template only; roughly comparable with {comp.lstrip('~')} "
            "(see the bridge column)",
        )
        if row["templates"] == "pre2019":
            comp_text = _pre2019_comparability(metric)
        for a in _applicants(metric):
            fill = DERIVED["fill"].get(metric)
            cols.append(
                Column(
                    metric_column(metric, a),
                    "float64",
                    zh_label + (f"（{app[a]['zh']}）" if a else ""),
                    row["en"]
                    + (f" ({app[a]['en']})" if a else "")
                    + (
                        f"; in the 2021 template the sum of {', '.join(fill)} when only those are printed"
                        if fill
                        else ""
                    ),
                    row["unit"],
                    row["templates"],
                    comp_text,
                    metric,
                    a or "",
                )
            )
    for metric, row in METRICS.items():
        comp = row["comparable_2019_2021"]
        if comp.startswith("~") and row["templates"] == "2019":
            other = comp[1:]
            cols.append(
                Column(
                    _bridge_name(metric, other),
                    "float64",
                    f"{row['zh_row']} {row['zh_column']}（2019）/ {METRICS[other]['zh_column']}（2021）",
                    f"{row['en']} (2019 template) or {METRICS[other]['en']} (2021 template): "
                    "roughly comparable only",
                    row["unit"],
                    "2019;2021",
                    "roughly comparable: the two templates define it differently",
                    kind="bridge",
                    sources=[metric, other],
                )
            )
    for pre, later in _pre2019_bridges():
        cols.append(
            Column(
                _pre2019_bridge_name(pre, later),
                "float64",
                f"{METRICS[pre]['zh_row']}（2008–2018）/ {METRICS[later]['zh_row']}（2019 起）",
                f"{METRICS[pre]['en']} (pre-2019 reports) or {METRICS[later]['en']} (2019+, total): "
                "roughly comparable only",
                METRICS[later]["unit"],
                "pre2019;2019;2021",
                "roughly comparable: " + DERIVED["pre2019"]["caveats"][pre],
                kind="bridge",
                sources=[pre, later],
            )
        )
    for r in DERIVED["ratios"]:
        cols.append(
            Column(
                r["name"],
                "float64",
                r["zh"],
                r["en"] + f" = ({' + '.join(r['numerator'])}) / ({' + '.join(r['denominator'])})",
                "ratio",
                "2019;2021",
                "comparable across the 2019 and 2021 templates",
                kind="ratio",
            )
        )
    co = DERIVED["carry_over"]
    cols += [
        Column(
            "prev_report_id",
            "string",
            "上年报告编号",
            "report_id of the same agency's report for the year before",
            kind="carry_over",
        ),
        Column(
            "prev_carried_forward__total",
            "float64",
            "上年报告 四、结转下年度继续办理（总计）",
            f"{co['previous']} (total) printed in the same agency's report for the year before",
            "件",
            kind="carry_over",
        ),
        Column(
            "carry_over_difference",
            "float64",
            "上年结转差额",
            f"this report's {co['current']} (total) minus prev_carried_forward__total",
            "件",
            kind="carry_over",
        ),
        Column(
            "carry_over_consistent",
            "bool",
            "结转是否一致",
            f"whether this report's {co['current']} equals last year's {co['previous']} "
            "in every applicant column; "
            "null when there is no report for the year before",
            kind="carry_over",
        ),
        Column(
            "carry_over_mismatch",
            "string",
            "结转不一致明细",
            "the applicant columns that differ, as 'applicant: this year vs last year'",
            kind="carry_over",
        ),
    ]
    return tuple(cols)


def arrow_schema() -> pa.Schema:
    return pa.schema([(c.name, _TYPES[c.type]) for c in wide_columns()])


def _expand(term: str) -> list[list[str]]:
    """'a | b.*' → alternatives, each a list of metrics."""
    out = []
    for alt in term.split("|"):
        alt = alt.strip()
        out.append([m for m in METRICS if m.startswith(alt[:-1])] if alt.endswith(".*") else [alt])
    return out


def _total_column(metric: str) -> str:
    """A metric's column for all applicants (its only column if it has no applicants)."""
    return metric_column(metric, "total" if METRICS[metric]["by_applicant"] == "yes" else None)


def _known_sum(eff: pd.DataFrame, cols: list[str]) -> pd.Series:
    """Row sums that are null unless every column is known (missing columns count as unknown)."""
    return eff.reindex(columns=cols).sum(axis=1, min_count=len(cols))


def _sum_terms(eff: pd.DataFrame, terms: list[str]) -> pd.Series:
    total = pd.Series(0.0, index=eff.index)
    for term in terms:
        chosen = pd.Series(np.nan, index=eff.index)
        for metrics in _expand(term):
            chosen = chosen.fillna(_known_sum(eff, [_total_column(m) for m in metrics]))
        total = total + chosen
    return total


def build_wide(reports: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The wide table as a DataFrame with exactly `wide_columns()`."""
    facts = facts.drop_duplicates(["report_id", "metric", "applicant"]).copy()
    facts = facts[facts["metric"].isin(METRICS.keys())]
    facts["column"] = [
        metric_column(m, a if isinstance(a, str) else None)
        for m, a in zip(facts["metric"], facts["applicant"])
    ]
    # as printed: blank stays null; for derived measures: blank = 0, unreadable = unknown
    printed = facts.pivot(index="report_id", columns="column", values="value")
    eff_values = facts["value"].where(facts["value"].notna() | facts["note"].notna(), 0.0)
    eff = facts.assign(value=eff_values).pivot(index="report_id", columns="column", values="value")
    reports = reports.drop_duplicates("report_id").set_index("report_id", drop=False).rename_axis(None)
    printed = printed.reindex(reports.index)
    eff = eff.reindex(reports.index)
    cols = wide_columns()
    out = pd.DataFrame(index=reports.index)
    for c in cols:
        if c.kind == "id":
            out[c.name] = reports[c.name] if c.name in reports else None
    metric_cols = [c.name for c in cols if c.kind == "metric"]
    out = pd.concat([out, printed.reindex(columns=metric_cols).astype("float64")], axis=1)
    for metric, parts in DERIVED["fill"].items():  # only where the metric itself was not printed
        for a in _applicants(metric):
            target = metric_column(metric, a)
            summed = _known_sum(eff, [metric_column(p, a) for p in parts])
            fill = eff.reindex(columns=[target])[target].isna() & summed.notna()
            out.loc[fill, target] = summed[fill]
            eff.loc[fill, target] = summed[fill]
    for c in cols:
        if c.kind == "bridge":
            a, b = (_total_column(m) for m in c.sources)
            out[c.name] = out[a].where(out[a].notna(), out[b])
    for r in DERIVED["ratios"]:
        num, den = _sum_terms(eff, r["numerator"]), _sum_terms(eff, r["denominator"])
        out[r["name"]] = (num / den.where(den != 0)).astype("float64")
    _carry_over(out, eff)
    return out[[c.name for c in cols]].reset_index(drop=True)


def _carry_over(out: pd.DataFrame, eff: pd.DataFrame) -> None:
    """Compare each report's 上年结转 with the same agency's 结转下年度 the year before."""
    co = DERIVED["carry_over"]
    prev_cols = [metric_column(co["previous"], a) for a in APPLICANTS]
    cur_cols = [metric_column(co["current"], a) for a in APPLICANTS]
    ranked = out.assign(_rank=out["status"].map(STATUS_RANK).fillna(3), _cells=-out["cells_found"].fillna(0))
    ranked = ranked[ranked["agency_key"].notna() & ranked["year"].notna()]
    best = ranked.sort_values(["_rank", "_cells", "report_id"]).drop_duplicates(["agency_key", "year"])
    by_key = {(k, int(y)): rid for k, y, rid in zip(best["agency_key"], best["year"], best["report_id"])}
    prev_ids = [
        by_key.get((k, int(y) - 1)) if isinstance(k, str) and pd.notna(y) else None
        for k, y in zip(out["agency_key"], out["year"])
    ]
    out["prev_report_id"] = prev_ids
    prev = eff.reindex(pd.Index(prev_ids))[prev_cols].to_numpy()
    cur = eff.reindex(out.index)[cur_cols].to_numpy()
    out["prev_carried_forward__total"] = prev[:, -1]
    out["carry_over_difference"] = cur[:, -1] - prev[:, -1]
    consistent, mismatch = [], []
    for i, pid in enumerate(prev_ids):
        if pid is None:
            consistent.append(None)
            mismatch.append(None)
            continue
        both = ~np.isnan(cur[i]) & ~np.isnan(prev[i])
        diffs = [
            f"{a}: {cur[i][j]:g} vs {prev[i][j]:g}"
            for j, a in enumerate(APPLICANTS)
            if both[j] and cur[i][j] != prev[i][j]
        ]
        consistent.append(None if not both.any() else not diffs)
        mismatch.append("; ".join(diffs) or None)
    out["carry_over_consistent"] = pd.array(consistent, dtype="boolean")
    out["carry_over_mismatch"] = mismatch


def long_table(reports: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """facts with the report's agency, place and template beside each number."""
    keep = [c for c in ID_COLUMNS[:13] if c in reports and c not in ("year",)]  # … status, synthetic
    return facts.merge(reports[keep].drop_duplicates("report_id"), on="report_id", how="left")


def load_tables(parquet: Path, current_only: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """reports and facts of a `ogi run`/`ogi normalize` output folder.

    By default only the current version of each report (`is_current`): an edited or
    re-posted report is one row, as a researcher expects; `current_only=False` gives every version.
    """
    from normalize.write import settle

    for table in ("reports", "facts"):
        if not (parquet / table).exists():
            raise FileNotFoundError(f"{parquet / table} not found: run `ogi run` or `ogi normalize` first")
    settle(parquet)
    reports, facts = pd.read_parquet(parquet / "reports"), pd.read_parquet(parquet / "facts")
    if current_only and "is_current" in reports:
        reports = reports[reports["is_current"].fillna(True).astype(bool)].reset_index(drop=True)
        facts = facts[facts["report_id"].isin(reports["report_id"])].reset_index(drop=True)
    return reports, facts


OUTPUT_SUFFIXES = (".parquet", ".csv", ".xlsx")


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole numbers (counts, years) as integers: 212, not 212.0; 7730.28 stays as it is.

    A column of whole numbers becomes Int64; a mixed one (long `value`: counts beside
    money) holds each whole number as an int and the rest as floats."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        whole = out[col].dropna() % 1 == 0
        if whole.all():
            out[col] = out[col].astype("Int64")
        elif whole.any():
            out[col] = pd.Series(
                [None if pd.isna(v) else int(v) if v % 1 == 0 else float(v) for v in out[col]],
                index=out.index,
                dtype=object,
            )
    return out


def write_table(frame: pd.DataFrame, out: Path, schema: pa.Schema | None = None) -> Path:
    """Parquet, CSV (UTF-8 with BOM, so Excel reads the Chinese) or Excel by the suffix of `out`.

    Written beside the target, then renamed; any other suffix is refused (never a Parquet
    file named .xlsx)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"{out}: unknown output type {suffix!r}; use one of {', '.join(OUTPUT_SUFFIXES)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if suffix == ".csv":
            whole_numbers(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            sheet = whole_numbers(frame)
            for col in sheet.select_dtypes(include=["datetimetz"]).columns:  # Excel has no time zones
                sheet[col] = sheet[col].dt.tz_convert("UTC").dt.tz_localize(None)
            sheet.to_excel(tmp, index=False, engine="openpyxl")
        else:
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
