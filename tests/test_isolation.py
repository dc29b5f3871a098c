"""One file never loses a run: killable workers, batch commits, atomic journalled tables, --jobs."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import synth
from archives import add_doc
from click.testing import CliRunner
from conftest import CORPUS, ROOT

from normalize import write
from ogi.cli import main

TABLES = ["reports", "facts", "checks", "sections"]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy Word header
# A legacy Word header over 2 MB of noise: LibreOffice works on it for a minute (an empty body
# fails in about a second, too close to a 1 s limit to prove the kill).
SLOW_DOC = OLE + random.Random(0).randbytes(2_000_000)


def _good(folder: Path, n: int, seed: int = 0) -> list[synth.Spec]:
    specs = []
    for i in range(n):
        spec = synth.make_spec(random.Random(seed + i), "2021" if i % 2 else "2019")
        (folder / f"good{i}.html").write_bytes(synth.render_html(spec))
        specs.append(spec)
    return specs


def _soffice_pids() -> set[int]:
    out = subprocess.run(["pgrep", "-f", "ogi-lo-"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def test_gbk_file_name_is_read_and_shown(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    spec = synth.make_spec(random.Random(9), "2021")
    name = os.fsdecode(str(docs).encode() + b"/" + "淮安市报告.html".encode("gbk"))
    Path(name).write_bytes(synth.render_html(spec))
    result = CliRunner().invoke(main, ["normalize", str(docs), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(tmp_path / "out" / "reports")
    assert reports["path"].tolist() == [f"{docs}/淮安市报告.html"]
    assert reports["status"].tolist() == ["ok"]


def test_a_file_over_the_time_limit_is_killed_with_its_libreoffice(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 2)
    (docs / "slow.doc").write_bytes(SLOW_DOC)
    before = _soffice_pids()
    t0 = time.monotonic()
    result = CliRunner().invoke(
        main, ["normalize", str(docs), "--out", str(tmp_path / "out"), "--jobs", "2", "--timeout", "1"]
    )
    assert result.exit_code == 0, result.output
    assert time.monotonic() - t0 < 30
    reports = pd.read_parquet(tmp_path / "out" / "reports").set_index("path")
    slow = reports.loc[str(docs / "slow.doc")]
    assert slow["status"] == "failed" and slow["error"].startswith("timeout: reading took longer than")
    assert (reports.drop(str(docs / "slow.doc"))["status"] == "ok").all()
    time.sleep(0.5)
    assert _soffice_pids() <= before  # the whole LibreOffice process group is gone
    assert not list(Path("/tmp").glob("ogi-worker-*/ogi-lo-*"))  # and its profile folder


def test_a_file_over_the_memory_limit_fails_and_the_next_one_is_read(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 2)
    with open(docs / "huge.pdf", "wb") as fh:  # 90 MB (under --max-bytes): reading it needs more than 64 MB
        fh.write(b"%PDF-1.4\n")
        fh.truncate(90 * 1024**2)
    result = CliRunner().invoke(
        main, ["normalize", str(docs), "--out", str(tmp_path / "out"), "--jobs", "1", "--max-memory", "64"]
    )
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(tmp_path / "out" / "reports").set_index("path")
    huge = reports.loc[str(docs / "huge.pdf")]
    assert huge["status"] == "failed"
    assert huge["error"] == (
        "too_large: reading this file needed more than the per-file memory limit of 64 MB (--max-memory)"
    )
    assert (reports.drop(str(docs / "huge.pdf"))["status"] == "ok").sum() == 2


def test_file_size_is_checked_before_reading(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    with open(docs / "sparse.pdf", "wb") as fh:  # 3 GiB on paper, no disk used: a read would blow up
        fh.truncate(3 * 1024**3)
    _good(docs, 1)
    t0 = time.monotonic()
    result = CliRunner().invoke(
        main,
        [
            "normalize",
            str(docs),
            "--out",
            str(tmp_path / "out"),
            "--jobs",
            "1",
            "--max-memory",
            "300",
            "--max-bytes",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(tmp_path / "out" / "reports").set_index("path")
    error = reports.loc[str(docs / "sparse.pdf"), "error"]
    assert error.startswith("too_large: the file is 3,221,225,472 bytes")
    assert time.monotonic() - t0 < 60


def test_jobs_2_output_equals_jobs_1(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 5, seed=20)
    for f in (CORPUS / "real").glob("*.p*"):
        (docs / f.name).write_bytes(f.read_bytes())
    (docs / "garbage.pdf").write_bytes(random.Random(1).randbytes(5000))
    frames = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        frames[jobs] = {t: pd.read_parquet(out / t) for t in TABLES}
    for t in TABLES:
        pd.testing.assert_frame_equal(frames["1"][t], frames["2"][t])
    assert len(frames["1"]["reports"]) == 12


def _kill_run(data: Path, out: Path, after_parts: int) -> None:
    """Start an archive normalise in batches of 2 and kill -9 it once `after_parts` batches are committed."""
    code = (
        "import sys; from ogi.pipeline import normalize_archive; "
        "normalize_archive(sys.argv[1], sys.argv[2], jobs=1, batch=2)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(data), str(out)], cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "reports").glob("*.parquet"))) < after_parts:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_kill_9_keeps_committed_batches_and_a_rerun_completes(tmp_path):
    data, out = tmp_path / "data", tmp_path / "data" / "parquet"
    specs = [synth.make_spec(random.Random(40 + i), "2021") for i in range(8)]
    for i, spec in enumerate(specs):
        add_doc(
            data,
            f"http://x.gov.cn/nb/t{i}.html",
            synth.render_html(spec),
            fetched_at=f"2025-01-0{i + 1}T00:00:00",
        )
    # last: seconds of LibreOffice, so the kill lands while it runs
    add_doc(data, "http://x.gov.cn/nb/slow.doc", SLOW_DOC, kind="attachment")
    _kill_run(data, out, after_parts=2)
    kept = pd.read_parquet(out / "reports")
    assert 4 <= len(kept) < 9  # committed batches are visible and loadable after kill -9
    facts = pd.read_parquet(out / "facts")
    assert set(facts["report_id"]) == set(kept.loc[kept["status"] != "failed", "report_id"])
    result = CliRunner().invoke(main, ["normalize", "--data", str(data), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert f"{len(kept)} documents already normalised" in result.output
    reports = pd.read_parquet(out / "reports")
    assert len(reports) == 9 and reports["report_id"].is_unique
    assert sorted(reports["agency"].dropna()) == sorted(s.agency for s in specs)
    assert not [p for p in out.iterdir() if p.name.startswith((".tmp", ".gen", ".old"))]
    dead = [
        p
        for p in Path(tempfile.gettempdir()).glob("ogi-worker-*-*")
        if not Path(f"/proc/{p.name.split('-')[2]}").exists()
    ]
    assert not dead  # the killed run's worker scratch folders were removed by the rerun


def test_a_commit_interrupted_between_tables_is_completed_on_next_open(tmp_path, monkeypatch):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 3)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out), "--jobs", "1"]).exit_code == 0
    before = {t: pd.read_parquet(out / t) for t in TABLES}
    store = write.Store(out, batch=100, source="files")  # appends to what `ogi normalize FILES` wrote
    spec = synth.make_spec(random.Random(77), "2021")
    from normalize import normalize_bytes

    report = normalize_bytes(synth.render_html(spec), "new.html")
    store.add(write.report_columns(report), write.done_row("k-new", report))
    real_replace, calls = os.replace, []

    def crash_after_two(src, dst):  # the process dies after moving two of the batch's files
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        calls.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        store.flush()
    monkeypatch.setattr(write.os, "replace", real_replace)
    store.close()
    write.settle(out)  # what any reader (export) or the next run does first
    after = {t: pd.read_parquet(out / t) for t in TABLES}
    assert len(after["reports"]) == len(before["reports"]) + 1
    assert len(after["facts"]) == len(before["facts"]) + len(report.facts)
    assert len(after["checks"]) == len(before["checks"]) + len(report.checks)


def test_stale_temporary_folders_are_removed(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 1)
    out = tmp_path / "out"
    (out / ".tmp-deadbeef" / "facts").mkdir(parents=True)
    (out / ".tmp-deadbeef" / "facts" / "part-0.parquet").write_bytes(b"half")
    assert CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out)]).exit_code == 0
    assert not list(out.glob(".tmp-*"))


def test_data_dir_without_archive_is_refused_and_output_kept(tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 1)
    out = tmp_path / "data" / "parquet"
    assert CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out)]).exit_code == 0
    before = pd.read_parquet(out / "reports")
    result = CliRunner().invoke(main, ["normalize", "--data", str(tmp_path / "data")])
    assert result.exit_code != 0
    assert "holds no crawl archive" in result.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "reports"), before)
    assert not (tmp_path / "data" / "raw").exists()  # and nothing was created there


def test_empty_input_never_replaces_output_unless_asked(tmp_path):
    docs, empty = tmp_path / "in", tmp_path / "empty"
    docs.mkdir()
    empty.mkdir()
    _good(docs, 1)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out)]).exit_code == 0
    result = CliRunner().invoke(main, ["normalize", str(empty), "--out", str(out)])
    assert result.exit_code != 0 and "no documents found" in result.output
    assert len(pd.read_parquet(out / "reports")) == 1
    result = CliRunner().invoke(main, ["normalize", str(empty), "--out", str(out), "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "reports")) == 0


def test_year_is_a_plain_int16_column_for_every_reader(tmp_path):
    import duckdb
    import polars as pl

    docs = tmp_path / "in"
    docs.mkdir()
    _good(docs, 2)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out)]).exit_code == 0
    assert str(pd.read_parquet(out / "facts")["year"].dtype) == "int16"
    assert pl.read_parquet(f"{out}/facts/**/*.parquet")["year"].dtype == pl.Int16
    kind = (
        duckdb.connect()
        .execute(
            f"select typeof(year) from read_parquet('{out}/facts/**/*.parquet', "
            "hive_partitioning = true) limit 1"
        )
        .fetchone()[0]
    )
    assert kind == "SMALLINT"
    parts = list((out / "reports").glob("*.parquet"))
    assert parts and all(str(pq.read_schema(p).field("year").type) == "int16" for p in parts)


def _tasks(folder: Path, names: list[str]):
    from ogi.workers import Task

    return [Task(key=n, path=str(folder / n), name=n) for n in names]


def test_documents_waiting_behind_a_killed_one_are_read_by_the_next_worker(tmp_path):
    """A worker holds more than one document (DEPTH): when it is killed for the time limit, the
    ones waiting in its pipe are not lost and not blamed; results keep input order."""
    from ogi.workers import Limits, run

    _good(tmp_path, 4)
    (tmp_path / "slow.doc").write_bytes(SLOW_DOC)
    names = ["good0.html", "slow.doc", "good1.html", "good2.html", "good3.html"]
    out = list(run(_tasks(tmp_path, names), jobs=1, limits=Limits(seconds=1.0), depth=4))
    assert [t.name for t, _ in out] == names
    statuses = {t.name: (r.status, r.error) for t, r in out}
    assert statuses["slow.doc"][0] == "failed" and statuses["slow.doc"][1].startswith("timeout:")
    assert all(statuses[n] == ("ok", None) for n in names if n != "slow.doc")


def test_documents_waiting_behind_one_over_the_memory_limit_are_read(tmp_path):
    from ogi.workers import Limits, run

    _good(tmp_path, 3)
    with open(tmp_path / "huge.pdf", "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(90 * 1024**2)
    names = ["huge.pdf", "good0.html", "good1.html", "good2.html"]
    out = list(run(_tasks(tmp_path, names), jobs=1, limits=Limits(memory_mb=64), depth=4))
    assert [t.name for t, _ in out] == names
    assert out[0][1].status == "failed" and out[0][1].error.startswith("too_large:")
    assert [r.status for _, r in out[1:]] == ["ok"] * 3


def test_time_limit_counts_from_when_a_document_starts_not_when_it_was_queued(tmp_path):
    """Three documents queued in one worker, each taking 0.6 s under a 1 s limit: none is timed
    out for the time it waited behind the others.  The documents are FIFOs that this test feeds,
    so how long each one takes does not depend on the machine's speed."""
    import threading

    from ogi.workers import Limits, run

    names = [f"slow{i}.txt" for i in range(3)]
    for n in names:
        os.mkfifo(tmp_path / n)

    def feed() -> None:
        for n in names:
            with open(tmp_path / n, "wb") as fh:  # blocks until the worker opens it
                time.sleep(0.6)
                fh.write(b"x")

    threading.Thread(target=feed, daemon=True).start()
    out = list(run(_tasks(tmp_path, names), jobs=1, limits=Limits(seconds=1.0), depth=3))
    assert [t.name for t, _ in out] == names
    assert [r.error for _, r in out if (r.error or "").startswith("timeout")] == []
    assert all(r.seconds >= 0.5 for _, r in out)
