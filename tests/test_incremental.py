"""Incremental normalise: only documents this normaliser version has not done; a new version
rebuilds everything (staged, resumable) and swaps it in; history files are never rewritten."""

from __future__ import annotations

import random
import shutil

import pandas as pd
import synth
from archives import add_doc

from normalize import normalize_bytes, write
from normalize.version import NORMALIZER_VERSION, normalizer_version
from ogi.pipeline import normalize_archive

ROOT_NORMALIZE = write.Path(write.__file__).parent


def _archive(data, start: int, n: int) -> None:
    for i in range(start, start + n):
        spec = synth.make_spec(random.Random(100 + i), "2021" if i % 2 else "2019")
        add_doc(data, f"http://www.x.gov.cn/nb/t{i}.html", synth.render_html(spec))


def _files(out) -> dict[str, float]:
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for t in write.TABLE_NAMES
        for p in (out / t).glob("*.parquet")
    }


def test_rerun_skips_everything_and_new_documents_are_appended(tmp_path):
    data, out = tmp_path / "data", tmp_path / "data" / "parquet"
    _archive(data, 0, 6)
    first = normalize_archive(data, out, jobs=1)
    assert sum(first.statuses.values()) == 6 and first.skipped == 0
    before = _files(out)
    again = normalize_archive(data, out, jobs=1)
    assert sum(again.statuses.values()) == 0 and again.skipped == 6
    assert _files(out) == before  # nothing rewritten
    _archive(data, 6, 2)
    more = normalize_archive(data, out, jobs=1)
    assert sum(more.statuses.values()) == 2 and more.skipped == 6
    after = _files(out)
    assert all(after.get(name) == mtime for name, mtime in before.items())  # history untouched, only appended
    assert len(after) > len(before)
    reports = pd.read_parquet(out / "reports")
    assert len(reports) == 8 and reports["report_id"].is_unique


def test_a_new_normaliser_version_rebuilds_and_a_killed_rebuild_resumes(tmp_path):
    data, out = tmp_path / "data", tmp_path / "data" / "parquet"
    _archive(data, 0, 5)
    normalize_archive(data, out, jobs=1)
    live = pd.read_parquet(out / "reports")
    # a rebuild under a new version is killed after its first staged batch: live output is untouched
    store = write.Store(out, version="next", batch=1)
    assert store.staging
    done = next((out / "_ogi" / "done").glob("*.parquet"))
    sha = write.pq.read_table(done).column("key")[0].as_py()
    report = normalize_bytes((data / "raw" / sha[:2] / sha).read_bytes(), "t.html")
    store.add(write.report_columns(report), write.done_row(sha, report))
    store.abort()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "reports"), live)
    assert write.state(out)["normalizer"] == NORMALIZER_VERSION
    rebuilt = normalize_archive(data, out, jobs=1, version="next")
    assert rebuilt.skipped == 1 and sum(rebuilt.statuses.values()) == 4  # resumed from the staged batch
    assert write.state(out)["normalizer"] == "next"
    reports = pd.read_parquet(out / "reports")
    assert sorted(reports["report_id"]) == sorted(live["report_id"])
    assert not list(out.glob(".gen-*")) and not list(out.glob(".old-*"))


def test_normaliser_version_changes_with_any_mapping_file(tmp_path):
    copy = tmp_path / "normalize"
    shutil.copytree(ROOT_NORMALIZE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert normalizer_version(copy) == NORMALIZER_VERSION
    yaml = copy / "templates" / "template.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "\n# one more alias\n", encoding="utf-8")
    assert normalizer_version(copy) != NORMALIZER_VERSION


def test_archive_output_never_mixes_with_local_files_output(tmp_path):
    data, out = tmp_path / "data", tmp_path / "data" / "parquet"
    _archive(data, 0, 3)
    docs = tmp_path / "files"
    docs.mkdir()
    (docs / "one.html").write_bytes(synth.render_html(synth.make_spec(random.Random(7), "2021")))
    from ogi.pipeline import normalize_files

    normalize_files([docs / "one.html"], out, jobs=1)
    assert write.state(out)["source"] == "files"
    stats = normalize_archive(data, out, jobs=1)
    assert sum(stats.statuses.values()) == 3 and write.state(out)["source"] == "archive"
    reports = pd.read_parquet(out / "reports")
    assert len(reports) == 3 and reports["path"].isna().all()  # the local file's row is gone, not mixed in
