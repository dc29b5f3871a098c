"""Versions: a changed page keeps both rows, one current; twins and re-posts are one report;
the registry row the crawl recorded is the one used at normalise time."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
import synth
from archives import add_doc
from click.testing import CliRunner

from crawler.registry import Source
from normalize import versions
from ogi.cli import main
from ogi.pipeline import normalize_archive
from publish.wide import build_wide, load_tables

BASE = "http://www.x.gov.cn/zwgk/nb/"


def _changed(spec: synth.Spec, seed: int) -> synth.Spec:
    """The same agency and year with other numbers (a corrected re-publication)."""
    return synth.make_spec(random.Random(seed), spec.template, year=spec.year, agency=spec.agency)


@pytest.fixture(scope="module")
def versioned(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    v1 = synth.make_spec(random.Random(1), "2021")
    v2 = _changed(v1, 2)
    other = synth.make_spec(random.Random(3), "2019")
    ids = {
        "v1": add_doc(data, BASE + "t1.html", synth.render_html(v1), fetched_at="2025-01-01T00:00:00+00:00"),
        "wap": add_doc(
            data,
            BASE + "t1_wap.html",
            synth.render_html(v1, chrome=False),
            fetched_at="2025-01-02T00:00:00+00:00",
        ),
        "other": add_doc(
            data, BASE + "t5.html", synth.render_html(other), fetched_at="2025-01-03T00:00:00+00:00"
        ),
        "v2": add_doc(data, BASE + "t1.html", synth.render_html(v2), fetched_at="2025-02-01T00:00:00+00:00"),
        "repost": add_doc(
            data,
            "http://www.x.gov.cn/xxgk/t9.html",
            synth.render_html(v2, word=True),
            fetched_at="2025-03-01T00:00:00+00:00",
        ),
    }
    result = CliRunner().invoke(main, ["normalize", "--data", str(data), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(data / "parquet" / "reports").set_index("sha256")
    return data, v1, v2, {k: reports.loc[sha] for k, sha in ids.items()}


def test_a_changed_page_keeps_both_versions_and_one_is_current(versioned):
    _, _, _, rows = versioned
    assert (rows["v1"]["version"], rows["v1"]["is_current"]) == (1, False)
    assert (rows["v2"]["version"], rows["v2"]["is_current"]) == (2, True)
    assert rows["v1"]["superseded_by"] == rows["v2"]["report_id"]
    assert pd.isna(rows["v2"]["superseded_by"])
    assert (rows["other"]["version"], rows["other"]["is_current"]) == (1, True)


def test_a_wap_twin_and_a_repost_are_the_same_report(versioned):
    _, _, _, rows = versioned
    assert rows["wap"]["version"] == 1 and rows["wap"]["superseded_by"] == rows["v2"]["report_id"]
    assert rows["repost"]["version"] == 2 and not rows["repost"]["is_current"]
    assert rows["repost"]["superseded_by"] == rows["v2"]["report_id"]


def test_exports_show_one_row_per_agency_year(versioned):
    data, v1, v2, _ = versioned
    reports, facts = load_tables(data / "parquet")
    assert len(reports) == 2 and reports["is_current"].all()
    assert set(facts["report_id"]) == set(reports["report_id"])
    wide = build_wide(reports, facts)
    row = wide[wide["agency"] == v1.agency]
    assert len(row) == 1
    assert row.iloc[0]["requests_new__total"] == v2.values[("requests.new", "total")]
    every, _ = load_tables(data / "parquet", current_only=False)
    assert len(every) == 5
    result = CliRunner().invoke(main, ["export", "--wide", "--data", str(data), "--out", str(data / "w.csv")])
    assert result.exit_code == 0 and result.output.startswith("2 rows")


def test_a_later_failed_version_does_not_hide_the_readable_one():
    info = versions.assign([("a", "u", "fp1", "ok"), ("b", "u", None, "failed")])
    assert info["a"].is_current and not info["b"].is_current and info["b"].version == 2


def test_url_key_drops_scheme_fragment_and_wap():
    assert versions.url_key("https://WWW.X.gov.cn/a/t1_wap.html#top") == "www.x.gov.cn/a/t1.html"
    assert versions.url_key("http://www.x.gov.cn/a/t1.html") == "www.x.gov.cn/a/t1.html"
    assert versions.url_key("http://x.gov.cn/a?id=1_wap") != versions.url_key("http://x.gov.cn/a?id=1")


def test_registry_row_comes_from_the_crawl_snapshot(tmp_path):
    data = tmp_path / "data"
    spec = synth.make_spec(random.Random(4), "2021", agency="朝阳区人民政府")
    add_doc(data, BASE + "t1.html", synth.render_html(spec), source_id="chaoyang")
    add_doc(
        data,
        "http://other.gov.cn/t2.html",
        synth.render_html(synth.make_spec(random.Random(5), "2021", agency="朝阳区人民政府")),
        source_id="absent",
    )
    snapshot = data / "manifest" / "sources.jsonl"
    lines = [
        {"id": "chaoyang", "name": "x", "region_code": "220104", "platform": "trs", "url": BASE},
        {"id": "chaoyang", "name": "x", "region_code": "110105", "platform": "trs", "url": BASE},
    ]
    snapshot.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"id": "torn', encoding="utf-8")
    fallback = [Source("chaoyang", "x", "220104", BASE, "trs"), Source("absent", "y", "220104", BASE, "trs")]
    normalize_archive(data, data / "parquet", fallback, jobs=1)
    reports = pd.read_parquet(data / "parquet" / "reports").set_index("source_id")
    assert reports.loc["chaoyang", "region_code"] == "110105"  # the last line the crawl wrote wins
    assert reports.loc["absent", "region_code"] == "220104"  # not recorded by the crawl: the registry given


def test_a_page_that_only_links_its_attachment_is_not_a_report(tmp_path):
    data = tmp_path / "data"
    spec = synth.make_spec(random.Random(6), "2021")
    page = "<html><body><p>2024年政府信息公开工作年度报告</p><a href='a.docx'>下载</a></body></html>".encode()
    add_doc(data, BASE + "t7.html", page, attachments=[BASE + "a.docx"])
    add_doc(data, BASE + "a.docx", synth.render_docx(spec), kind="attachment", page_url=BASE + "t7.html")
    stats = normalize_archive(data, data / "parquet", jobs=1)
    reports = pd.read_parquet(data / "parquet" / "reports")
    assert sum(stats.statuses.values()) == 1 and len(reports) == 1
    row = reports.iloc[0]
    assert (row["agency"], row["is_current"], row["version"], row["source_url"]) == (
        spec.agency,
        True,
        1,
        BASE + "t7.html",
    )
    assert normalize_archive(data, data / "parquet", jobs=1).skipped == 2  # the page is not read again either


def test_versions_from_the_linked_rows_equal_versions_from_all_rows(tmp_path):
    """mark_versions hands versions.assign only the rows of reports that share a URL key or a
    fingerprint (Arrow finds them): every report gets the same version as from all rows."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from normalize import versions, write

    rng = random.Random(3)
    rows = []
    for i in range(3000):
        rid = f"r{rng.randrange(2600):05d}"  # some documents share bytes (one report id, two keys)
        ukey = rng.choice([f"h/u{i}", f"h/u{rng.randrange(2000)}", None])
        fp = rng.choice([None, f"f{i}", f"f{rng.randrange(300)}"])
        status = rng.choice(["ok", "ok", "partial", "failed"])
        rows.append((f"k{i}", rid, ukey, fp, status, rng.random() < 0.9))
    cols = list(zip(*rows))
    for part, (lo, hi) in enumerate([(0, 1000), (1000, 3000)]):
        table = pa.Table.from_arrays([pa.array(c[lo:hi]) for c in cols], schema=write.DONE_SCHEMA)
        (tmp_path / write.DONE).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp_path / write.DONE / f"part-{part}.parquet")
    written = {r[1] for r in rows if r[5]}
    full = versions.assign((r[1], r[2], r[3], r[4]) for r in rows if r[1] in written)
    linked = write._linked_rows(tmp_path)
    assert 0 < len(linked) < len(rows)
    fast = versions.assign(linked)
    default = versions.VersionInfo(1, True, None)
    assert {rid: fast.get(rid, default) for rid in written} == full
