"""Crawler II: every listing mechanism of PORTALS.md on fixture portals (tests/portals/).

One crawl over all family columns on 127.0.0.1, asserted on the archive manifest, the run
report and the server's request log; then a second run on the unchanged portals; the pure
parsers on their own; `ogi sources check`; and the crawl benchmark's small size.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import portal as P
import portals
import pytest
from test_crawl import ogi, run_report

from crawler.archive import RawArchive
from crawler.platforms import PARSERS, detect, parse_listing
from crawler.platforms.common import norm_date
from crawler.registry import PLATFORMS, load_sources

ROOT = Path(__file__).resolve().parents[1]


def write_sources(columns, path: Path) -> Path:
    path.write_text(
        "id,name,region_code,url,platform,enabled,obey_robots,notes\n"
        + "\n".join(c.row() for c in columns)
        + "\n",
        encoding="utf-8",
    )
    return path


def first_page(srv: P.PortalServer, url: str) -> str:
    path = urlparse(url).path
    route = srv.routes.get(path + "index.html" if path.endswith("/") else path)
    return route.body.decode("utf-8")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with P.PortalServer() as srv:
        columns = portals.build_all(srv)
        work = tmp_path_factory.mktemp("families")
        sources = write_sources(columns, work / "sources.csv")
        srv.log.clear()
        result = ogi("crawl", "--sources", str(sources), "--data", str(work / "data"), *P.FAST)
        yield srv, columns, work, result, list(srv.log)


# -- the pure parsers ------------------------------------------------------------------------


def test_every_family_has_a_fixture_and_auto_detects_it(crawled):
    srv, columns, *_ = crawled
    assert {c.family for c in columns} == set(PARSERS)
    assert set(PLATFORMS) == set(PARSERS) | {"auto"}
    for c in columns:
        html = first_page(srv, c.url)
        assert detect(html, c.url) == c.family, c.sid
        listing = parse_listing("auto", c.url, html)
        assert listing.platform == c.family
        assert listing.entries or listing.pages, c.sid


def test_registry_rows_name_families_auto_finds_on_their_fixture_copies(crawled):
    """Each family a registry row names is what `auto` detects on a fixture built like that family."""
    srv, columns, work, result, _ = crawled
    named = {s.platform for s in load_sources() if s.platform != "auto"}
    assert {"trs_list2", "gkmlpt", "hanweb_xxgk"} <= named
    assert {s.id: s.platform for s in load_sources()}["pingtan_zfxxgknb"] == "trs_list2"
    copies = {
        "trs_list2": "pingtan",
        "trs": "trs_form_a",
        "hanweb": "hw_getpage",
        "gkmlpt": "gkmlpt_lg",
        "hanweb_xxgk": "xxgk_annual",
        "static": "static_col",
    }
    report = run_report(work / "data")
    for family in named:
        assert report[copies[family]]["platform"] == "auto"
        assert report[copies[family]]["detected_platform"] == family


def test_a_row_naming_the_vendor_gets_the_variant_parser(crawled):
    srv, columns, *_ = crawled
    by = {c.sid: c for c in columns}
    assert (
        parse_listing("hanweb", by["jpaas_col"].url, first_page(srv, by["jpaas_col"].url)).platform == "jpaas"
    )
    assert parse_listing("trs", by["pingtan"].url, first_page(srv, by["pingtan"].url)).platform == "trs_list2"
    # a later page plans nothing: only the first page generates the column's pages
    later = srv.routes["/trsc/zwgk/zfxxgknb/xlist_2.shtml"].body.decode()
    assert parse_listing("trs", srv.base + "/trsc/zwgk/zfxxgknb/xlist_2.shtml", later).pages == []


@pytest.mark.parametrize(
    "raw,date",
    [
        ("2026.03.05 14:48:00", "2026-03-05"),
        ("[2024-1-2]", "2024-01-02"),
        ("2023年12月31日", "2023-12-31"),
        (1709861400, "2024-03-08"),
        ("1709861400000", "2024-03-08"),
        ("20240308", "2024-03-08"),
        ("2024-13-45", None),
        ("", None),
        (None, None),
    ],
)
def test_listing_dates(raw, date):
    assert norm_date(raw) == date


def test_article_page_attachments_beyond_links():
    from crawler.platforms import page_attachments

    html = """<html><body><div class="TRS_Editor"><img src="/logo.png"><p>附件：
<a href="/module/download/downfile.jsp?classid=0&amp;filename=0a1b2c3d4e5f60718293a4b5c6d7e8f9.pdf">下载</a>
<a href="./P020240308_scan.jpg">扫描件</a> <a href="./other.html">相关</a></p></div>
<script>var apps = [{"appdesc": "年报", "appfile": "P020240308123.wps", "fileext": "wps"},
{"appdesc": "表", "appfile": "W020240308.xls"}];</script></body></html>"""
    got = page_attachments("http://x.gov.cn/col/202403/t20240308_1.html", html)
    assert got == [
        "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=0a1b2c3d4e5f60718293a4b5c6d7e8f9.pdf",
        "http://x.gov.cn/col/202403/P020240308_scan.jpg",
        "http://x.gov.cn/col/202403/P020240308123.wps",
        "http://x.gov.cn/col/202403/W020240308.xls",
    ]  # an <img> of the page chrome is not an attachment


# -- one crawl of every family ---------------------------------------------------------------


def test_every_report_found_with_its_date_and_every_attachment(crawled):
    srv, columns, work, result, log = crawled
    assert result.returncode == 0, result.stdout + result.stderr
    report = run_report(work / "data")
    records = [r for r in RawArchive(work / "data").records() if r.get("sha256")]
    by_url = {r["url"]: r for r in records}
    for c in columns:
        assert report[c.sid]["status"] == "ok", report[c.sid]
        assert report[c.sid]["reports_found"] >= len(c.reports)
        for rep in c.reports:
            rec = by_url.get(rep.url)
            assert rec is not None, f"{c.sid}: {rep.url} not fetched"
            assert rec["kind"] == "page" and rec["listed_date"] == rep.date, (c.sid, rec)
            for a in rep.attachments:
                att = by_url.get(a)
                assert att is not None and att["status"] == 200, f"{c.sid}: attachment {a} not archived"
                assert att["kind"] == "attachment" and att["listed_date"] == rep.date
    kinds = {urlparse(r["url"]).path.rsplit(".", 1)[-1] for r in records if r["kind"] == "attachment"}
    assert {"pdf", "docx", "doc", "wps", "ofd", "xls", "jpg", "png"} <= kinds | {
        r["url"].rsplit(".", 1)[-1] for r in records if "downfile.jsp" in r["url"]
    }


def test_referer_checked_downloads_and_fallbacks(crawled):
    srv, columns, work, result, log = crawled
    report = run_report(work / "data")
    downs = [p for m, _, p in log if "downfile.jsp" in p]
    assert downs and report["hw_proxyurl"]["errors"] == 0  # every download answered (403 without Referer)
    paths = [(m, p) for m, _, p in log]
    assert (
        "POST",
        "/fjdzapp/search",
    ) in paths  # fuzhou asked for POST, the site has only GET /fjdzapp/data …
    assert sum(1 for m, p in paths if p.startswith("/fjdzapp/data")) == 3  # … capped at 15: 3 pages
    assert (
        sum(1 for m, p in paths if m == "POST" and p == "/fjdzapp/search") == 2
    )  # pingtan: one call for all
    assert any(m == "GET" and p.startswith("/module/web/jpage/dataproxy.jsp?page=") for m, p in paths)
    assert all(r["errors"] == 0 for r in report.values()), {
        k: r["error_list"] for k, r in report.items() if r["errors"]
    }


def test_no_notice_offsite_or_disallowed_url_requested(crawled):
    srv, columns, work, result, log = crawled
    assert {h for _, h, _ in log} == {f"127.0.0.1:{srv.port}"}
    requested = {urlparse(p).path for _, _, p in log}
    for c in columns:
        hit = [p for p in c.never if p in requested]
        assert not hit, f"{c.sid} requested {hit}"
        assert not c.strays, f"{c.sid}: {c.strays[:3]}"


def test_second_run_asks_only_listing_pages_and_api_list_calls(crawled):
    srv, columns, work, result, _ = crawled
    before = {k: r["reports_found"] for k, r in run_report(work / "data").items()}
    srv.log.clear()
    again = ogi("crawl", "--sources", str(work / "sources.csv"), "--data", str(work / "data"), *P.FAST)
    assert again.returncode == 0, again.stdout + again.stderr
    listing = set().union(*(c.listing_paths for c in columns)) | {"/robots.txt"}
    other = [p for _, _, p in srv.log if urlparse(p).path not in listing]
    assert not other, other[:10]
    report = run_report(work / "data")
    assert {k: r["reports_found"] for k, r in report.items()} == before
    assert sum(r["new_documents"] for r in report.values()) == 0


def test_listing_dates_reach_reports_published(crawled, tmp_path):
    """The pipeline turns each fetch's listed_date into reports.published (HTML reports here)."""
    from ogi.pipeline import normalize_archive

    srv, columns, work, result, _ = crawled
    data = tmp_path / "d"
    (data / "manifest").mkdir(parents=True)
    (data / "raw").symlink_to(work / "data" / "raw")
    wanted = {
        r.url: r.date
        for c in columns
        if c.sid in ("pingtan", "gkmlpt_lg", "igs_col")
        for r in c.reports
        if not r.attachments
    }
    recs = [r for r in RawArchive(work / "data").records() if r.get("url") in wanted]
    (data / "manifest" / "fetches.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    )
    normalize_archive(data, data / "parquet")
    reports = pd.read_parquet(data / "parquet" / "reports")
    got = {u: str(p)[:10] for u, p in zip(reports["document_url"], reports["published"])}
    assert got == wanted


# -- ogi sources check -----------------------------------------------------------------------


def test_sources_check_reports_family_pages_links_newest_year_and_writes_verified(crawled, tmp_path):
    srv, columns, *_ = crawled
    picked = [c for c in columns if c.sid in ("pingtan", "gkmlpt_lg", "hw_getpage")]
    sources = write_sources(picked, tmp_path / "s.csv")
    with open(sources, encoding="utf-8") as fh:  # one row the check cannot confirm: a column that is gone
        text = fh.read() + f"gone,消失的栏目,,{srv.base}/gone/index.html,auto,true,true,unverified: test\n"
    sources.write_text(text.replace(",fixture\n", ",unverified: fixture\n"), encoding="utf-8")
    srv.log.clear()
    out = ogi("sources", "check", "--sources", str(sources), "--write", *P.FAST)
    assert out.returncode == 1, out.stdout + out.stderr  # the gone column fails the check
    lines = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.split()}
    newest = {c.sid: str(max(int(r.title.split("年度")[0][-4:]) for r in c.reports)) for c in picked}
    for c in picked:
        sid, detected, pages, found, year, new, errors, status = lines[c.sid][:8]
        assert (detected, status, year) == (c.family, "ok", newest[c.sid])
        assert int(found) >= len(c.reports) and int(pages) >= 2
    assert lines["gone"][7] == "failed:" and "zero report links" in out.stdout
    fetched = {urlparse(p).path for _, _, p in srv.log}
    assert fetched <= set().union(*(c.listing_paths for c in picked)) | {"/robots.txt", "/gone/index.html"}
    rows = {r["id"]: r for r in csv.DictReader(open(sources, encoding="utf-8"))}
    for c in picked:
        assert rows[c.sid]["verified"] and rows[c.sid]["notes"].startswith("verified ")
    assert not rows["gone"]["verified"] and rows["gone"]["notes"].startswith("unverified")
    assert load_sources(sources)[0].verified == rows[picked[0].sid]["verified"]


# -- the crawl benchmark runs as the README names it (small size, CI) ------------------------


def test_bench_crawl_small_size_runs():
    out = subprocess.run(
        [sys.executable, "bench/bench_crawl.py", "--small"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ratio ogi / bare" in out.stdout and "exit 0" in out.stdout
