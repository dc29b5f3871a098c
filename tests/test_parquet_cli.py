"""The four datasets: explicit schemas, loadable by pandas and DuckDB, written atomically."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
import synth
from click.testing import CliRunner
from conftest import CORPUS

from normalize import normalize_bytes
from normalize.write import DatasetWriter
from ogi.cli import main

TABLES = ["reports", "facts", "checks", "sections"]


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet")
    # the whole corpus: 7 national-template reports, the blank official template, 20 pre-2019 reports
    folders = [str(CORPUS / d) for d in ("real", "seed", "templates", "pre2019")]
    result = CliRunner().invoke(main, ["normalize", *folders, "--out", str(out)])
    assert result.exit_code == 0, result.output
    # 8 national-template files (4 ok; the seed's prose says 2 requests, its table 4) + 20 pre-2019
    # reports (18 ok; 2 with prose/table conflicts, 3 checks)
    assert "28 reports: 22 ok, 6 partial, 0 failed; 6 checks failed" in result.output
    return out


def test_pandas_loads_every_table(corpus_out):
    for table in TABLES:
        df = pd.read_parquet(corpus_out / table)
        assert len(df) > 0, table
    reports = pd.read_parquet(corpus_out / "reports")
    assert set(reports["template"]) == {"2019", "2021", "pre2019"}
    import pyarrow.parquet as pq

    assert str(pq.read_schema(next((corpus_out / "reports").glob("*.parquet"))).field("year").type) == "int16"
    assert len(reports) == 28  # 7 reports + the blank official template + 20 pre-2019 reports


def test_duckdb_loads_the_folders(corpus_out):
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{corpus_out}/facts/**/*.parquet')").fetchone()[0]
    assert n == len(pd.read_parquet(corpus_out / "facts"))
    total = con.execute(f"""
        select f.value from read_parquet('{corpus_out}/facts/**/*.parquet') f
        join read_parquet('{corpus_out}/reports/**/*.parquet') r using (report_id)
        where r.agency = '淮安市人民政府' and f.metric = 'requests.new' and f.applicant = 'total'
    """).fetchone()[0]
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
    # what was printed first, then what the parts add up to (10 + 1 + 0 + 0)
    assert "FAILED appeals.group_sum [review]: printed 0, the rows sum to 11" in result.output
    assert "一、本年新收政府信息公开申请数量" in result.output
    # money as printed with its unit and in 元; counts whole; never scientific notation
    assert "7730.28 万元 = 77302800 元" in result.output
    assert "e+0" not in result.output and not re.search(r"\b\d+\.0\b", result.output)


def test_show_numbers_are_never_scientific_or_float_counts():
    from normalize.show import number

    assert [number(v) for v in (131.0, 2489259.0, 77302800.0, 7730.28, 0.5, 1e16)] == [
        "131",
        "2489259",
        "77302800",
        "7730.28",
        "0.5",
        "10000000000000000",
    ]


def test_show_takes_a_report_id_from_the_data(tmp_path):
    src = CORPUS / "real" / "jiangsu_huaian_hongze_district_gov_2023.pdf"
    runner = CliRunner()
    assert runner.invoke(main, ["normalize", str(src), "--out", str(tmp_path / "parquet")]).exit_code == 0
    rid = pd.read_parquet(tmp_path / "parquet/reports")["report_id"][0]
    by_id = runner.invoke(main, ["show", rid[:8], "--data", str(tmp_path)])
    assert by_id.exit_code == 0, by_id.output
    assert by_id.output == runner.invoke(main, ["show", str(src)]).output
    missing = runner.invoke(main, ["show", "0123456789", "--data", str(tmp_path)])
    assert missing.exit_code == 2 and "neither a file nor a report id" in missing.output


def test_cli_basics_version_short_help_and_examples():
    runner = CliRunner()
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("ogi, version ")
    assert runner.invoke(main, ["-h"]).output == runner.invoke(main, ["--help"]).output
    for name in main.commands:
        out = runner.invoke(main, [name, "-h"])
        assert out.exit_code == 0 and "Examples:" in out.output and f"ogi {name}" in out.output, name


def test_only_takes_comma_separated_ids(tmp_path, monkeypatch):
    import ogi.cli as cli

    reg = tmp_path / "sources.csv"
    reg.write_text(
        "id,name,region_code,url,platform\n"
        + "".join(f"s{i},n{i},,http://127.0.0.1:9/{i}/,trs\n" for i in range(3)),
        encoding="utf-8",
    )
    assert [s.id for s in cli._sources(reg, cli._split_ids(None, None, ("s0,s2",)))] == ["s0", "s2"]
    assert [s.id for s in cli._sources(reg, cli._split_ids(None, None, ("s1", "s2")))] == ["s1", "s2"]


def test_a_bad_registry_row_is_one_clear_line(tmp_path):
    reg = tmp_path / "sources.csv"
    reg.write_text(
        "id,name,region_code,url,platform\nok,n,,http://127.0.0.1:9/a/,trs\n"
        "bad,n,,http://127.0.0.1:9/b/,joomla\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "ogi.cli", "crawl", "--sources", str(reg), "--data", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{reg}:3" in lines[0] and "platform" in lines[0], out.stderr
