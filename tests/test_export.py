"""`ogi export` (wide / long) and `ogi dictionary`, on synthetic reports with known values."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
import synth
from conftest import ROOT

from normalize import normalize_bytes
from normalize.templates import METRICS, TABLES
from normalize.write import SCHEMAS, write_reports
from publish import wide as wide_mod
from publish.wide import build_wide, long_table, metric_column, wide_columns

APPS = synth.APPLICANTS[:-1]


def _carried(spec) -> dict[str, int]:
    return {a: int(spec.values[("requests.carried_forward", a)]) for a in APPS}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Four years of one district printed under two names, one 2019-template year, one
    revised carry-over, one report with blank zeros, and an unrelated agency."""
    rng = random.Random(7)
    specs = []
    s19 = synth.make_spec(rng, "2019", year=2020, agency="洪泽区人民政府", realistic=True)
    s21 = synth.make_spec(
        rng, "2021", year=2021, agency="淮安市洪泽区人民政府", carried_over=_carried(s19), realistic=True
    )
    bad = _carried(s21)
    bad["natural_person"] += 2
    s22 = synth.make_spec(
        rng, "2021", year=2022, agency="淮安市洪泽区人民政府", carried_over=bad, realistic=True
    )
    blank = synth.make_spec(rng, "2021", year=2023, agency="淄博市应急管理局", blanks="blank", realistic=True)
    specs = [s19, s21, s22, blank]
    reports = [normalize_bytes(synth.render_html(s), f"r{i}.html") for i, s in enumerate(specs)]
    assert [r.status for r in reports] == ["ok"] * 4
    out = tmp_path_factory.mktemp("export") / "parquet"
    write_reports(reports, out)
    r, f = pd.read_parquet(out / "reports"), pd.read_parquet(out / "facts")
    w = build_wide(r, f).set_index("year", drop=False)
    return {"specs": specs, "reports": reports, "parquet": out, "wide": w, "r": r, "f": f}


def test_one_row_per_report_with_every_column(dataset):
    w = dataset["wide"]
    assert len(w) == 4 and list(w.columns) == [c.name for c in wide_columns()]
    assert w["report_id"].is_unique
    names = [c.name for c in wide_columns()]
    assert len(names) == len(set(names))
    # every metric × applicant of metrics.csv has its column
    for metric, row in METRICS.items():
        for a in synth.APPLICANTS if row["by_applicant"] == "yes" else [None]:
            assert metric_column(metric, a) in names


def test_values_as_printed_in_both_templates(dataset):
    w = dataset["wide"]
    for spec in dataset["specs"]:
        row = (
            w.loc[spec.year]
            if spec.agency != "淄博市应急管理局"
            else w[w["agency"] == "淄博市应急管理局"].iloc[0]
        )
        for (metric, a), value in spec.values.items():
            raw = spec.raws[(metric, a)]
            got = row[metric_column(metric, a)]
            if raw == "":
                assert pd.isna(got), (metric, a)  # printed blank stays null in the wide table
            elif metric != "requests.other":
                assert got == pytest.approx(value), (metric, a)


def test_template_specific_columns_are_kept_apart(dataset):
    w = dataset["wide"]
    y19, y21 = w.loc[2020], w.loc[2021]
    assert pd.notna(y19["t2019_active_rules_published_total"]) and pd.isna(y19["t2021_active_rules_in_force"])
    assert pd.notna(y21["t2021_active_rules_in_force"]) and pd.isna(y21["t2019_active_rules_published_total"])
    # the rough bridge: 2019 本年新制作数量 or 2021 本年制发件数
    assert y19["active_rules_made_2019_or_issued_2021"] == y19["t2019_active_rules_made"]
    assert y21["active_rules_made_2019_or_issued_2021"] == y21["t2021_active_rules_issued"]
    # a comparable metric has one plain column filled in both
    assert pd.notna(y19["requests_granted__total"]) and pd.notna(y21["requests_granted__total"])
    comparability = {c.name: c.comparability for c in wide_columns()}
    assert "not comparable" in comparability["t2019_active_rules_published_total"]
    assert "comparable across" in comparability["requests_granted__total"]


def test_harmonised_other_is_the_sum_of_2021_sub_rows(dataset):
    spec = dataset["specs"][1]
    parts = ["requests.other.overdue_correction", "requests.other.unpaid_fee", "requests.other.other"]
    for a in synth.APPLICANTS:
        assert dataset["wide"].loc[2021][metric_column("requests.other", a)] == sum(
            spec.values[(p, a)] for p in parts
        )


def test_derived_ratios_match_their_definitions(dataset):
    for spec in dataset["specs"][:3]:
        row, v = dataset["wide"].loc[spec.year], spec.values
        total = v[("requests.total", "total")]
        assert row["share_granted"] == pytest.approx(v[("requests.granted", "total")] / total)
        withheld = sum(x for (m, a), x in v.items() if m.startswith("requests.withheld.") and a == "total")
        assert row["share_withheld"] == pytest.approx(withheld / total)
        shares = [
            "share_granted",
            "share_partially_granted",
            "share_withheld",
            "share_unable",
            "share_not_processed",
            "share_other",
        ]
        assert sum(row[s] for s in shares) == pytest.approx(1.0)  # the outcome rows partition (七)
        concluded = sum(v[(f"appeals.review.{c}", None)] for c in ("upheld", "corrected", "other"))
        expected = v[("appeals.review.corrected", None)] / concluded if concluded else None
        assert (
            pd.isna(row["review_correction_rate"])
            if expected is None
            else row["review_correction_rate"] == pytest.approx(expected)
        )


def test_blank_counts_as_zero_in_ratios_and_unreadable_makes_them_null(dataset):
    row = dataset["wide"][dataset["wide"]["agency"] == "淄博市应急管理局"].iloc[0]
    assert pd.notna(row["share_granted"])  # blank zeros did not poison the shares
    f = dataset["f"].copy()
    rid = row["report_id"]
    hit = (f["report_id"] == rid) & (f["metric"] == "requests.granted") & (f["applicant"] == "total")
    f.loc[hit, ["value", "note"]] = [None, "run-together digits: more than one split"]
    again = build_wide(dataset["r"], f)
    assert pd.isna(again.set_index("report_id").loc[rid, "share_granted"])


def test_carry_over_checked_across_years_and_printed_names(dataset):
    w = dataset["wide"]
    y20, y21, y22 = w.loc[2020], w.loc[2021], w.loc[2022]
    assert y21["agency"] != y20["agency"] and y21["agency_key"] == y20["agency_key"]
    assert y21["prev_report_id"] == y20["report_id"] and bool(y21["carry_over_consistent"]) is True
    assert y21["carry_over_difference"] == 0
    assert bool(y22["carry_over_consistent"]) is False and y22["carry_over_difference"] == 2
    assert "natural_person" in y22["carry_over_mismatch"]
    assert pd.isna(y20["carry_over_consistent"]) and pd.isna(y20["prev_report_id"])


def test_cli_writes_parquet_and_csv_that_load_everywhere(dataset, tmp_path):
    data = dataset["parquet"].parent
    for name in ("wide.parquet", "wide.csv", "long.csv"):
        shape = "--long" if name.startswith("long") else "--wide"
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "ogi.cli",
                "export",
                shape,
                "--data",
                str(data),
                "--out",
                str(tmp_path / name),
            ],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
    pq_wide = pd.read_parquet(tmp_path / "wide.parquet")
    assert pq.read_schema(tmp_path / "wide.parquet").field("year").type == "int16"
    csv_wide = pd.read_csv(tmp_path / "wide.csv")
    assert list(csv_wide.columns) == list(pq_wide.columns) and len(csv_wide) == 4
    assert csv_wide["share_granted"].tolist() == pytest.approx(pq_wide["share_granted"].tolist())
    assert pl.read_parquet(tmp_path / "wide.parquet").height == 4
    assert duckdb.connect().execute(f"select count(*) from '{tmp_path / 'wide.csv'}'").fetchall()[0][0] == 4
    assert (
        duckdb.connect()
        .execute(f"select sum(requests_new__total) from '{tmp_path / 'wide.parquet'}'")
        .fetchall()[0][0]
        > 0
    )
    long = pd.read_csv(tmp_path / "long.csv")
    assert len(long) == len(dataset["f"]) and {"agency", "province", "metric", "value"} <= set(long.columns)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "ogi.cli",
            "export",
            "--wide",
            "--data",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "x.parquet"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "run `ogi run`" in bad.stderr


def test_export_is_atomic(dataset, tmp_path, monkeypatch):
    out = tmp_path / "wide.parquet"
    wide_mod.write_table(dataset["wide"].reset_index(drop=True), out, wide_mod.arrow_schema())
    before = out.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(wide_mod.pq, "write_table", boom)
    with pytest.raises(OSError):
        wide_mod.write_table(dataset["wide"].reset_index(drop=True).head(1), out, wide_mod.arrow_schema())
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["wide.parquet"]


def test_long_table_carries_place_and_year(dataset):
    long = long_table(dataset["r"], dataset["f"])
    assert len(long) == len(dataset["f"])
    assert set(long["city"].dropna()) == {"淮安市", "淄博市"}


def test_dictionary_documents_every_column_metric_and_rule(dataset, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "ogi.cli", "dictionary", "--out", str(tmp_path / "dict")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    with open(tmp_path / "dict" / "columns.csv", encoding="utf-8") as fh:
        cols = list(csv.DictReader(fh))
    documented = {(c["table"], c["column"]): c for c in cols}
    parquet = dataset["parquet"]
    for table in SCHEMAS:  # the columns actually written, not just the ones declared
        for name in pq.read_schema(next((parquet / table).glob("*.parquet"))).names:
            c = documented[(table, name)]
            assert c["zh"] and c["en"] and c["type"]
    for name in dataset["wide"].columns:
        c = documented[("wide", name)]
        assert c["zh"] and c["en"]
    with open(tmp_path / "dict" / "metrics.csv", encoding="utf-8") as fh:
        metrics = {m["metric"]: m for m in csv.DictReader(fh)}
    assert set(metrics) == set(METRICS)
    assert metrics["active.rules.published_total"]["wide_columns"] == "t2019_active_rules_published_total"
    md = (tmp_path / "dict" / "data_dictionary.md").read_text(encoding="utf-8")
    rules = {c.rule for r in dataset["reports"] for c in r.checks}
    assert rules <= set(TABLES["rules"]) and all(f"| {rule} |" in md for rule in rules)
    for r in wide_mod.DERIVED["ratios"]:
        assert f"| {r['name']} |" in md
    assert "对外公开总数量" in md and "现行有效件数" in md


def test_readme_shows_loading_in_five_lines():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Loading the data", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert len(lines) <= 5
    assert all(tool in block for tool in ("pd.read_parquet", "pl.read_parquet", "duckdb"))


def test_committed_dictionary_is_current(tmp_path):
    """data/dictionary/ is committed for readers browsing the repository: it must match the code."""
    from publish.dictionary import write_dictionary

    for fresh in write_dictionary(tmp_path):
        committed = ROOT / "data" / "dictionary" / fresh.name
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"{committed} is stale: run `ogi dictionary`"
        )


def _ogi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ogi.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_csv_opens_in_excel_and_counts_are_whole(dataset, tmp_path):
    data = str(dataset["parquet"].parent)
    assert _ogi("export", "--long", "--data", data, "--out", str(tmp_path / "long.csv")).returncode == 0
    raw = (tmp_path / "long.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    counts = [r["value"] for r in rows if r["metric"].startswith("requests.") and r["value"]]
    assert counts and all(v.isdigit() for v in counts)  # 212, never 212.0
    fees = [r for r in rows if r["metric"] == "active.fees.amount" and r["value"]]
    assert fees and all(float(r["value"]) == pytest.approx(float(r["raw"]) * 10000) for r in fees)
    assert not any("e+" in r["value"] for r in rows)


def test_xlsx_is_a_real_workbook_and_unknown_suffixes_are_refused(dataset, tmp_path):
    import openpyxl

    data = str(dataset["parquet"].parent)
    out = _ogi("export", "--wide", "--data", data, "--out", str(tmp_path / "wide.xlsx"))
    assert out.returncode == 0, out.stderr
    sheet = openpyxl.load_workbook(tmp_path / "wide.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.name for c in wide_columns()] and len(rows) == 5
    for name in ("wide.xls", "wide.txt", "wide"):
        bad = _ogi("export", "--wide", "--data", data, "--out", str(tmp_path / name))
        assert bad.returncode == 2 and "must end in .parquet, .csv, .xlsx" in bad.stderr
        assert not (tmp_path / name).exists()


def test_reports_and_export_share_the_filters(dataset, tmp_path):
    data = str(dataset["parquet"].parent)
    listed = _ogi(
        "reports", "--data", data, "--agency", "洪泽", "--year", "2021", "--year", "2022", "--format", "json"
    )
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(r["year"] for r in rows) == [2021, 2022] and all("洪泽" in r["agency"] for r in rows)
    assert all(r["synthetic"] is False and isinstance(r["checks_failed"], int) for r in rows)
    table = _ogi("reports", "--data", data, "--province", "江苏", "--status", "ok")
    assert table.returncode == 0 and table.stdout.strip().endswith("3 reports")
    as_csv = _ogi("reports", "--data", data, "--agency", "淄博", "--format", "csv")
    assert (
        as_csv.stdout.splitlines()[0].startswith("report_id,agency") and len(as_csv.stdout.splitlines()) == 2
    )
    out = _ogi(
        "export",
        "--wide",
        "--data",
        data,
        "--agency",
        "洪泽",
        "--year",
        "2022",
        "--out",
        str(tmp_path / "w.csv"),
    )
    assert out.returncode == 0, out.stderr
    wide = pd.read_csv(tmp_path / "w.csv")
    assert (
        wide["year"].tolist() == [2022] and wide["carry_over_consistent"].notna().all()
    )  # year before still used
