"""The crawler against fixture portals on 127.0.0.1: found, archived once, exact, polite, incremental."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import portal as P
import pytest
from conftest import corpus_cases, expected_cells, same

from crawler.archive import RawArchive
from crawler.platforms import detect, parse_listing
from crawler.registry import PLATFORMS, load_sources
from crawler.spiders import spider_class

OGI = [sys.executable, "-m", "ogi.cli"]


def ogi(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*OGI, *args], capture_output=True, text=True, timeout=timeout)


def run_report(data: Path) -> dict:
    latest = sorted((data / "runs").glob("*.json"))[-1]
    return {r["source_id"]: r for r in json.loads(latest.read_text())["sources"]}


# -- every spider / platform class (kingfisher-collect style) ------------------------------


def test_every_registry_source_builds_a_spider():
    sources = load_sources()
    assert len(sources) >= 15
    for src in sources:
        cls = spider_class(src)
        assert cls.name == src.id and cls.source is src
        assert src.platform in PLATFORMS
        assert src.url.startswith("http") and "unverified" in src.notes


def test_scrapy_list_shows_every_source():
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) == {s.id for s in load_sources()}


@pytest.fixture(scope="module")
def portals():
    with P.PortalServer() as srv:
        pt = P.Portal()
        rng = random.Random(0)
        P.build_trs(srv, pt, rng)
        P.build_hanweb(srv, pt, rng)
        P.build_generic(srv, pt, rng)
        yield srv, pt


@pytest.mark.parametrize("family", ["hanweb", "static", "trs"])  # the other families: test_families.py
def test_each_platform_parser_finds_reports_and_pages(portals, family):
    srv, pt = portals
    first = {
        "trs": "/trs/zwgk/zfxxgknb/index.html",
        "hanweb": "/col/col1229850102/index.html",
        "static": "/gen/list.html",
    }[family]
    body = srv.routes[first].body
    html = body.decode("utf-8", "replace")
    assert detect(html) == family
    listing = parse_listing("auto", srv.base + first, html)
    assert listing.platform == family
    assert listing.entries, "no report links found"
    assert all("要点" not in e.title and "指南" not in e.title for e in listing.entries)
    assert listing.pages, "no further listing pages planned"


# -- the whole pipeline on the three fixture portals ----------------------------------------


@pytest.fixture(scope="module")
def first_run(portals, tmp_path_factory):
    srv, pt = portals
    work = tmp_path_factory.mktemp("crawl")
    sources = P.write_sources(pt, work / "sources.csv")
    srv.log.clear()
    result = ogi("run", "--sources", str(sources), "--data", str(work / "data"), *P.FAST)
    return srv, pt, work, sources, result, list(srv.log)


def test_every_report_found_archived_once_and_exact(first_run):
    srv, pt, work, sources, result, log = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    report = run_report(work / "data")
    assert {k: v["status"] for k, v in report.items()} == {
        "trs_col": "ok",
        "hanweb_col": "ok",
        "generic_col": "ok",
    }
    reports = pd.read_parquet(work / "data/parquet/reports")
    facts = pd.read_parquet(work / "data/parquet/facts")
    expected_json = {src.name: exp for src, exp in corpus_cases()}
    for sid, items in pt.expected.items():
        for item in items:
            row = reports[reports["document_url"] == item.url]
            assert len(row) == 1, f"{item.url} not normalised exactly once"
            row = row.iloc[0]
            assert row["status"] == "ok" and row["source_id"] == sid and row["fetched_at"] is not pd.NaT
            assert row["source_url"] and row["region_code"]
            got = {
                (f.metric, f.applicant if isinstance(f.applicant, str) else None): f.value
                for f in facts[facts["report_id"] == row["report_id"]].itertuples()
            }
            got = {k: (None if pd.isna(v) else v) for k, v in got.items()}
            want = (
                item.spec.expected()
                if item.spec
                else expected_cells(expected_json[Path(item.corpus_file).name]["facts"])
            )
            wrong = [k for k, v in want.items() if k not in got or not same(v, got[k])]
            assert not wrong, f"{item.url}: {wrong[:5]}"
    # archived once: one blob per distinct sha, one manifest line per fetched URL
    archive = RawArchive(work / "data")
    recs = [r for r in archive.records() if r.get("sha256")]
    assert len({r["sha256"] for r in recs}) == sum(1 for _ in (work / "data/raw").rglob("*") if _.is_file())
    assert max(Counter(r["url"] for r in recs).values()) == 1


def test_nothing_outside_the_portal_or_disallowed_is_requested(first_run):
    srv, pt, work, sources, result, log = first_run
    hosts = {h for _, h, _ in log}
    assert hosts == {f"127.0.0.1:{srv.port}"}, hosts  # the localhost "mirror" host never
    paths = [p for _, _, p in log]
    assert not any(p.startswith("/trs/private/") or p.startswith("/mirror/") for p in paths)
    assert not any("notice_" in p for p in paths), "non-report items of the column were fetched"
    report = run_report(work / "data")
    errors = report["trs_col"]["error_list"]
    assert any("missing_annex.pdf" in e["url"] and e["status"] == 404 for e in errors)
    assert any("t20240301_3001" in e["url"] and "Timeout" in e["error"] for e in errors)
    assert sum(1 for p in paths if p.endswith("t20240120_1004.html")) == 2  # a 503, then the retry


def test_second_run_requests_only_listing_pages_then_exactly_the_new_report(first_run):
    srv, pt, work, sources, result, _ = first_run
    failed_before = {
        e["url"].split(str(srv.port), 1)[1]
        for r in run_report(work / "data").values()
        for e in r["error_list"]
    }
    srv.log.clear()
    again = ogi("crawl", "--sources", str(sources), "--data", str(work / "data"), *P.FAST)
    assert again.returncode == 0, again.stdout + again.stderr
    report = run_report(work / "data")
    listing_requests = sum(r["pages_fetched"] for r in report.values())
    fetched = [p for _, _, p in srv.log if p != "/robots.txt"]
    assert listing_requests == sum(pt.listing_pages.values())
    # an unchanged portal: only its listing pages, plus what failed last time (never archived)
    retried = [p for p in fetched if p in failed_before]
    assert set(retried) == {
        "/trs/zwgk/zfxxgknb/202403/t20240301_3001.html"
    }  # the slow page; the 404 annex's page is archived
    assert len(fetched) - len(retried) == listing_requests, fetched
    assert sum(r["new_documents"] for r in report.values()) == 0
    # publish one more report in the generic column: the next run fetches exactly it
    import synth

    spec = synth.make_spec(random.Random(42), "2021", year=2025, agency="岚皋县民主镇人民政府")
    srv.add("/gen/Content-2790000.html", synth.render_html(spec))
    first = srv.routes["/gen/list.html"]
    first.body = first.body.replace(
        b"<ul>",
        (
            '<ul><li><a href="/gen/Content-2790000.html" '
            'title="岚皋县民主镇人民政府2025年度政府信息公开工作年度报告">'
            "岚皋县民主镇人民政府2025年度政府信息公开工作年度报告</a><span>2026-01-15</span></li>"
        ).encode(),
        1,
    )
    srv.log.clear()
    third = ogi("crawl", "--sources", str(sources), "--data", str(work / "data"), *P.FAST)
    assert third.returncode == 0
    new = [p for _, _, p in srv.log if p != "/robots.txt" and p not in {q for q in _listing_paths(srv, pt)}]
    assert [p for p in new if "t20240301_3001" not in p] == ["/gen/Content-2790000.html"]
    assert run_report(work / "data")["generic_col"]["new_documents"] == 1


def _listing_paths(srv, pt) -> set[str]:
    return (
        {p for p in srv.routes if "index" in p or "/gen/list" in p}
        | {"/trs/zwgk/zfxxgknb/"}
        | {p for _, _, p in srv.log if "dataproxy" in p}
    )


def test_zero_reports_is_a_failure(tmp_path):
    with P.PortalServer() as srv:
        srv.add(
            "/empty/index.html",
            b"<html><body><ul><li><a href='/x.html'>"
            b"2021\xe5\xb9\xb4\xe5\xb7\xa5\xe4\xbd\x9c\xe8\xa6\x81\xe7\x82\xb9</a></li></ul></body></html>",
        )
        src = tmp_path / "s.csv"
        src.write_text(
            f"id,name,region_code,url,platform\nempty,空栏目,,{srv.base}/empty/index.html,auto\n",
            encoding="utf-8",
        )
        result = ogi("crawl", "--sources", str(src), "--data", str(tmp_path / "d"), *P.FAST)
    assert result.returncode == 1
    assert run_report(tmp_path / "d")["empty"]["status"] == "failed"
    assert "zero report links" in result.stdout


def test_kill_9_mid_crawl_then_rerun_loses_and_duplicates_nothing(tmp_path):
    with P.PortalServer() as srv:
        pt = P.Portal()
        P.build_hanweb(srv, pt, random.Random(5), n=30)
        for path, route in srv.routes.items():
            if path.startswith("/art/"):
                route.delay = 0.15
        sources = P.write_sources(pt, tmp_path / "s.csv")
        data = tmp_path / "data"
        args = [
            *OGI,
            "crawl",
            "--sources",
            str(sources),
            "--data",
            str(data),
            *P.FAST,
            "--set",
            "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        ]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        manifest = data / "manifest" / "fetches.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 8):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = manifest.read_text().count("\n")
        assert 8 <= partial < 30, "the crawl was not interrupted mid-way"
        result = subprocess.run(args, capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, result.stdout + result.stderr
    archive = RawArchive(data)
    pages = [r for r in archive.records() if r.get("kind") == "page" and r.get("sha256")]
    assert sorted(r["url"] for r in pages) == sorted(e.url for e in pt.expected["hanweb_col"])
    blobs = [p for p in (data / "raw").rglob("*") if p.is_file()]
    assert len(blobs) == len({r["sha256"] for r in archive.records() if r.get("sha256")})
    assert not [p for p in blobs if p.name.startswith(".tmp")]


def test_fewer_report_links_than_last_good_run_is_a_failure(tmp_path):
    import datetime as dt

    from crawler.run import SourceResult, judge, write_report

    runs = tmp_path / "runs"
    good = [SourceResult("a", "http://x.gov.cn/", "trs", pages_fetched=3, reports_found=40)]
    judge(good, runs)
    write_report(good, runs, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    now = [SourceResult("a", "http://x.gov.cn/", "trs", pages_fetched=3, reports_found=31)]
    judge(now, runs)
    assert now[0].status == "failed" and "fewer than the 40" in now[0].reason


@pytest.mark.parametrize(
    "title,year",
    [
        ("平潭综合实验区2023年度政府信息公开工作年度报告", 2023),
        ("淮安市人民政府2024年政府信息公开工作年度报告（图片版）", 2024),
        ("岚皋县民主镇2024年政府信息公开年报", 2024),
        ("平潭綜合實驗區2021年度政府信息公開工作年度報告", 2021),
        ("关于2014年政府信息公开工作要点落实情况的函", None),
        ("2021年政务公开工作要点", None),
        ("政府信息公开指南", None),
    ],
)
def test_report_titles(title, year):
    from crawler.titles import report_year

    assert report_year(title) == year
