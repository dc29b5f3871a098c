"""The crawler against a hostile portal (#14 crawler items, #11.7 dead hosts, #10.9 fences).

One crawl of 15 sources served on 127.0.0.1 (about 15 s): the server log must show no
request outside the registry rows' hosts, and the run report must name every problem.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import hostile as H
import portal as P
import pytest

from crawler.archive import RawArchive

OGI = [sys.executable, "-m", "ogi.cli"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    with P.PortalServer() as srv:
        h = H.build(srv, random.Random(7))
        sources = work / "sources.csv"
        sources.write_text(
            "id,name,region_code,url,platform,enabled,obey_robots,notes\n" + "\n".join(h.rows) + "\n",
            encoding="utf-8",
        )
        t0 = time.monotonic()
        result = subprocess.run(
            [*OGI, "crawl", "--sources", str(sources), "--data", str(work / "data"), *P.FAST, *h.settings()],
            capture_output=True,
            text=True,
            timeout=240,
        )
        elapsed = time.monotonic() - t0
        for raw in h.raw:
            raw.close()
        runs = sorted((work / "data/runs").glob("*.json"))
        report = json.loads(runs[-1].read_text(encoding="utf-8"))
        yield h, srv, list(srv.log), result, report, work / "data", elapsed


def _sources(report) -> dict:
    return {r["source_id"]: r for r in report["sources"]}


def test_no_request_leaves_the_registry_hosts(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    registry_hosts = {row.split(",")[3].split("/")[2] for row in h.rows}
    hosts = {host for _, host, _ in log}
    assert hosts <= registry_hosts, hosts - registry_hosts
    assert not any(
        host.startswith(("evil.", "www.other.", "localhost", "loop.", "meta.", "intra.")) for host in hosts
    )
    paths = {p for _, host, p in log}
    assert not paths & {"/stolen.html", "/meta.html", "/files/foreign.pdf", "/art/o.html"}
    # robots 503 / slow robots: disallowed for the run, so nothing but robots.txt is asked there
    for sid in ("www.r503.gov.cn", "www.rslow.gov.cn"):
        assert {p for _, host, p in log if host.startswith(sid)} == {"/robots.txt"}


def test_good_reports_are_archived_and_nothing_foreign(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    recs = [r for r in RawArchive(data).records() if r.get("sha256") and r.get("kind") != "listing"]
    assert {r["url"] for r in recs if r["source_id"] == "hostile"} >= set(h.good)
    assert all("www.hostile.gov.cn" in r["final_url"] or r["source_id"] != "hostile" for r in recs)
    assert not any(
        "evil" in (r.get("final_url") or "") or "other.gov.cn" in (r.get("final_url") or "") for r in recs
    )


def test_the_run_report_names_each_problem(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    src = _sources(report)
    hostile = src["hostile"]
    problems = hostile["problems"]
    text = json.dumps(problems, ensure_ascii=False)
    assert problems["redirect (302) refused"]["count"] >= 4  # report link, attachment, listing, robots.txt
    for target in ("/stolen.html", "/files/foreign.pdf", "/col/list_2.html", "/robots.txt"):
        assert target in text, target
    assert "meta refresh refused" in problems and "/meta.html" in text
    assert "robots.txt redirect not followed" in problems
    not_counted = " ".join(problems["report link not counted"]["examples"])
    assert problems["report link not counted"]["count"] == 5  # userinfo, localhost, 169.254…, JS, off-site
    assert (
        "user info" in text
        and "not an http(s) link (javascript:)" in text
        and "off the portal's host" in text
    )
    refused = " ".join(problems["refused request"]["examples"])
    assert "169.254.169.254, a link-local address" in refused and "10.1.2.3, a private address" in refused
    assert "redirect loop" in problems and "/art/loop1.html" in text
    assert hostile["reports_found"] == 8, (
        not_counted
    )  # good1-2, to-evil, annex, meta-off, meta., intra., loop1
    assert hostile["status"] == "ok"
    # a redirect loop on a report link leaves a manifest line with the error, not silence
    loops = [r for r in RawArchive(data).records() if r.get("url", "").endswith("/art/loop1.html")]
    assert loops and "redirect loop" in loops[-1]["error"] and loops[-1]["permanent"]


def test_pagination_is_bounded_and_repeats_are_detected(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    src = _sources(report)
    assert src["endless"]["pages_fetched"] == 25
    assert any(k.startswith("listing page limit reached") for k in src["endless"]["problems"])
    assert src["echo"]["pages_fetched"] == 2
    assert "repeating listing page (pager not followed)" in src["echo"]["problems"]
    assert src["echo"]["reports_found"] == 1


def test_robots_failures_disallow_the_run_and_say_so(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    src = _sources(report)
    assert src["r503"]["status"] == "unreachable (robots.txt unreadable)"
    assert "HTTP 503" in src["r503"]["reason"] and "disallowed for this run" in src["r503"]["reason"]
    assert src["rslow"]["status"] == "unreachable (timeout)"
    assert "robots.txt" in src["rslow"]["reason"]


def test_fenced_and_dead_sources_one_clear_line_each(hostile_run):
    h, srv, log, result, report, data, elapsed = hostile_run
    src = _sources(report)
    want = {
        "fence_ts": "blocked (412 $_ts challenge (Ruishu))",
        "fence_jsl": "blocked (__jsl_clearance challenge)",
        "fence_waf": "blocked (empty WAF body)",
        "fence_stub": "blocked (meta-refresh stub)",
        "geo_reset": "blocked (connection reset)",
        "silent": "unreachable (timeout)",
        "silent_norobots": "unreachable (timeout)",  # its listing: one timeout, no retry
        "refused": "unreachable (connection refused)",
        "no_dns": "unreachable (DNS failure)",
    }
    assert {k: src[k]["status"] for k in want} == want
    assert all("zero report links" not in (src[k]["reason"] or "") for k in want)
    # no tight retry loop: each fenced listing was asked for once
    for path in ("/ts/list.html", "/jsl/list.html", "/waf/list.html"):
        assert sum(1 for _, _, p in log if p == path) == 1, path
    assert h.raw[0].accepted <= 2  # the resetting host: robots.txt once (no retries on a host never answered)
    assert h.raw[1].accepted <= 2  # the silent host: robots.txt of one source, the listing of the other, once
    # the console: one line per source, no tracebacks (they go to the log file)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    for sid, status in want.items():
        assert any(line.startswith(sid) and status in line for line in result.stdout.splitlines()), sid
    assert report["status"] == "failed" and report["exit_code"] == 1
    assert elapsed < 60, f"dead hosts took {elapsed:.0f}s"


def test_source_snapshot_is_recorded(hostile_run):
    h, srv, log, result, report, data, _ = hostile_run
    lines = [
        json.loads(x) for x in (data / "manifest/sources.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {x["id"] for x in lines} == {row.split(",")[0] for row in h.rows}
    assert set(lines[0]) == {"id", "name", "region_code", "platform", "url", "recorded_at"}
