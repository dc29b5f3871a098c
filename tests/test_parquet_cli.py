"""The four datasets: explicit schemas, loadable by pandas and DuckDB, written atomically."""
from __future__ import annotations

import random

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

import synth
from conftest import CORPUS
from normalize import normalize_bytes
from normalize.write import DatasetWriter
from ogi.cli import main

TABLES = ["reports", "facts", "checks", "sections"]


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet")
    result = CliRunner().invoke(main, ["normalize", str(CORPUS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "8 reports: 4 ok, 4 partial, 0 failed; 3 checks failed" in result.output  # seed: prose 2 ≠ 4
    return out


def test_pandas_loads_every_table(corpus_out):
    for table in TABLES:
        df = pd.read_parquet(corpus_out / table)
        assert len(df) > 0, table
    reports = pd.read_parquet(corpus_out / "reports")
    assert set(reports["template"]) == {"2019", "2021"}
    import pyarrow.parquet as pq
    assert str(pq.read_schema(next((corpus_out / "reports").glob("*.parquet"))).field("year").type) == "int16"
    assert len(reports) == 8  # 7 reports + the blank official template


def test_duckdb_loads_with_hive_partitioning(corpus_out):
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{corpus_out}/facts/**/*.parquet', hive_partitioning = true)").fetchone()[0]
    assert n == len(pd.read_parquet(corpus_out / "facts"))
    total = con.execute(f"""
        select f.value from read_parquet('{corpus_out}/facts/**/*.parquet', hive_partitioning = true) f
        join read_parquet('{corpus_out}/reports/**/*.parquet', hive_partitioning = true) r using (report_id)
        where r.agency = '淮安市人民政府' and f.metric = 'requests.new' and f.applicant = 'total'""").fetchone()[0]
    assert total == 3119


def test_blank_and_slash_cells_keep_raw(tmp_path):
    spec = synth.make_spec(random.Random(1), "2021", blanks="slash")
    report = normalize_bytes(synth.render_html(spec), "r.html")
    with DatasetWriter(tmp_path) as w:
        w.add(report)
    facts = pd.read_parquet(tmp_path / "facts")
    slashes = facts[facts["raw"] == "/"]
    assert len(slashes) > 0 and slashes["value"].isna().all()


def test_crash_mid_run_leaves_previous_output(tmp_path):
    spec = synth.make_spec(random.Random(2), "2019")
    first = normalize_bytes(synth.render_seed_text(spec), "a.txt")
    with DatasetWriter(tmp_path) as w:
        w.add(first)
    before = {t: pd.read_parquet(tmp_path / t) for t in TABLES}
    with pytest.raises(RuntimeError):
        with DatasetWriter(tmp_path, batch=1) as w:
            w.add(normalize_bytes(synth.render_pipe_text(synth.make_spec(random.Random(3), "2021")), "b.txt"))
            raise RuntimeError("killed mid-run")
    for t in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / t), before[t])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_show_prints_tables_and_failed_checks():
    src = CORPUS / "real" / "jiangsu_huaian_hongze_district_gov_2023.pdf"
    result = CliRunner().invoke(main, ["show", str(src)])
    assert result.exit_code == 0
    assert "FAILED appeals.group_sum [review]" in result.output
    assert "一、本年新收政府信息公开申请数量" in result.output
