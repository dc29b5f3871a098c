"""Runs that are killed or stopped never lose a report (#11.1, #11.2), refresh (#11.4), `--set`, cron (#11.9).

The kill -9 loop runs `ogi crawl` as a subprocess 20 times on a growing column of HTML and
attachment-only reports and kills it at a random moment of each crawl (seeded); it costs
20 process start-ups (Scrapy's import alone is ~1 s), about 60-90 s on 2 busy cores.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import portal as P
import pytest
import synth

from crawler.archive import RawArchive

ROOT = Path(__file__).resolve().parents[1]
OGI = [sys.executable, "-m", "ogi.cli"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Column:
    """A generic column: even reports are HTML pages, odd ones pages that only link a DOCX.

    `publish(k)` lists the first k reports (a column that grows between runs, so every
    interrupted run has new work in flight when it is killed).
    """

    def __init__(self, srv: P.PortalServer, n: int = 8, delay: float = 0.0) -> None:
        rng = random.Random(3)
        self.srv, self.items, self.pages, self.documents = srv, [], [], []
        for i in range(n):
            spec = synth.make_spec(
                rng, "2021", year=2021 + i % 4, agency=synth.AGENCIES[i % len(synth.AGENCIES)]
            )
            path = f"/col/art/t{i}.html"
            title = f"{spec.agency}{spec.year}年度政府信息公开工作年度报告"
            if i % 2 == 0:
                srv.add(path, synth.render_html(spec), delay=delay)
                self.documents.append(srv.base + path)
            else:
                srv.add(path, P._attachment_page(title, f"./t{i}.docx", "年报.docx"), delay=delay)
                srv.add(f"/col/art/t{i}.docx", synth.render_docx(spec), ctype=DOCX, delay=delay * 2)
                self.documents.append(srv.base + f"/col/art/t{i}.docx")
            self.pages.append(srv.base + path)
            self.items.append((path, title, f"{spec.year + 1}-01-15"))
        self.publish(n)

    def publish(self, k: int) -> None:
        chunks = [self.items[:k][i : i + 3] for i in range(0, k, 3)]
        for j, chunk in enumerate(chunks):
            nav = f'<a href="list_{j + 2}.html">下一页</a>' if j + 1 < len(chunks) else ""
            self.srv.add(
                "/col/list.html" if j == 0 else f"/col/list_{j + 1}.html", P._list_page("年报", chunk, nav)
            )


def sources_csv(srv: P.PortalServer, path: Path) -> Path:
    path.write_text(
        "id,name,region_code,url,platform,enabled,obey_robots,notes\n"
        f"col,测试栏目,350128,{srv.base}/col/list.html,static,true,true,fixture\n",
        encoding="utf-8",
    )
    return path


def successes(data: Path) -> Counter:
    return Counter(
        r["url"]
        for r in RawArchive(data).records()
        if r.get("sha256") and r.get("kind") in ("page", "attachment")
    )


def assert_archive_consistent(data: Path) -> None:
    recs = [r for r in RawArchive(data).records() if r.get("sha256")]
    blobs = [p for p in (data / "raw").rglob("*") if p.is_file()]
    assert not [p for p in blobs if p.name.startswith(".tmp")]
    assert {p.name for p in blobs} == {r["sha256"] for r in recs}  # every line has its bytes, no stray bytes


def test_kill_9_at_random_moments_then_rerun_every_report_exactly_once(tmp_path):
    rng = random.Random(2026)
    with P.PortalServer() as srv:
        col = Column(srv, n=36, delay=0.05)
        pages, documents = col.pages, col.documents
        sources = sources_csv(srv, tmp_path / "s.csv")
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
        killed_with_pending = 0
        manifest = data / "manifest/fetches.jsonl"
        for k in range(20):
            col.publish(min(len(col.items), 4 + 2 * k))
            before = manifest.read_bytes().count(b"\n") if manifest.exists() else 0
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # a random moment of the crawl itself (process start-up time varies with the machine's load)
            target, deadline = before + rng.randint(1, 9), time.time() + 30
            while (
                proc.poll() is None
                and time.time() < deadline
                and (manifest.read_bytes().count(b"\n") if manifest.exists() else 0) < target
            ):
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.15))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            got = successes(data)
            assert max(got.values(), default=1) == 1, "a document was archived twice"
            idx = RawArchive(data).index("col")
            killed_with_pending += bool(RawArchive(data).pending_attachments(idx, lambda rec, body: []))
        col.publish(len(col.items))
        final = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stdout + final.stderr
    got = successes(data)
    assert set(got) == set(pages) | set(documents)  # every page and every attachment, resumed or not
    assert set(got.values()) == {1}
    assert_archive_consistent(data)
    assert killed_with_pending >= 1, (
        "no kill landed between a page and its attachment: the test proved nothing"
    )
    norm = subprocess.run(
        [*OGI, "normalize", "--data", str(data)], capture_output=True, text=True, timeout=240
    )
    assert norm.returncode == 0, norm.stdout + norm.stderr
    reports = pd.read_parquet(data / "parquet/reports")
    assert sorted(reports["document_url"]) == sorted(documents)  # each report exactly once


def test_sigterm_says_interrupted_exits_non_zero_and_the_rerun_completes(tmp_path):
    with P.PortalServer() as srv:
        col = Column(srv, n=12, delay=0.4)
        pages, documents = col.pages, col.documents
        sources = sources_csv(srv, tmp_path / "s.csv")
        data = tmp_path / "data"
        args = [
            *OGI,
            "run",
            "--sources",
            str(sources),
            "--data",
            str(data),
            *P.FAST,
            "--set",
            "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        ]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        manifest = data / "manifest/fetches.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 4):
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 3, out + err
        report = json.loads(sorted((data / "runs").glob("*.json"))[-1].read_text())
        assert report["interrupted"] is True and report["status"] == "interrupted"
        assert report["sources"][0]["status"] == "interrupted"
        assert "interrupted" in out and not (data / "parquet").exists()  # no half normalisation
        assert_archive_consistent(data)
        assert len(successes(data)) < len(pages) + len(documents) // 2 + 1
        again = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
    assert set(successes(data)) == set(pages) | set(documents)


def test_refresh_304_is_success_and_refresh_days_rechecks_only_young_documents(tmp_path):
    with P.PortalServer() as srv:
        col = Column(srv, n=4)
        pages, documents = col.pages, col.documents
        for path, route in srv.routes.items():
            route.etag = f'"{path}"'  # the server answers 304 to a matching If-None-Match
        sources = sources_csv(srv, tmp_path / "s.csv")
        data = tmp_path / "data"
        base = ["crawl", "--sources", str(sources), "--data", str(data), *P.FAST]
        assert subprocess.run([*OGI, *base], capture_output=True, timeout=120).returncode == 0
        srv.log.clear()
        refreshed = subprocess.run([*OGI, *base, "--refresh"], capture_output=True, text=True, timeout=120)
        assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
        src = json.loads(sorted((data / "runs").glob("*.json"))[-1].read_text())["sources"][0]
        assert src["status"] == "ok" and src["errors"] == 0
        assert src["not_modified"] == len(pages) + len(documents) // 2  # every page and attachment: 304
        asked = {p for _, _, p in srv.log}
        assert {srv.base + p for p in asked} >= set(pages) | set(documents)
        # listed 2022-2025 (January): older than 30 days today → --refresh-days 30 re-checks none of them
        srv.log.clear()
        young = subprocess.run(
            [*OGI, *base, "--refresh-days", "30"], capture_output=True, text=True, timeout=120
        )
        assert young.returncode == 0
        assert not {srv.base + p for _, _, p in srv.log} & (set(pages) | set(documents))
        # a year of days covers the newest (listed 2025-01-15 for a 2024 report) only when today is near
        srv.log.clear()
        subprocess.run([*OGI, *base, "--refresh-days", "100000"], capture_output=True, timeout=120)
        assert {srv.base + p for _, _, p in srv.log} >= set(pages)
    assert successes(data).most_common(1)[0][1] == 1  # 304s add no duplicate documents


@pytest.mark.parametrize(
    "arg,message",
    [
        ("DOWNLOAD_TIMOUT=3", "not a known setting (did you mean DOWNLOAD_TIMEOUT?)"),
        ("DOWNLOAD_TIMEOUT=soon", "expected a number"),
        ("ROBOTSTXT_OBEY=maybe", "expected true or false"),
        ("OGI_HOSTS=[1]", "expected a JSON dict"),
        ("NOEQUALS", "takes KEY=VALUE"),
    ],
)
def test_set_values_are_validated(tmp_path, arg, message):
    from crawler.run import parse_overrides

    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_overrides([arg])


def test_set_errors_are_clear_on_the_command_line(tmp_path):
    out = subprocess.run(
        [*OGI, "crawl", "--data", str(tmp_path), "--set", "DOWNLOAD_TIMOUT=3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        out.returncode == 2
        and "did you mean DOWNLOAD_TIMEOUT" in out.stderr
        and "Traceback" not in out.stderr
    )
    assert parse_ok() == {
        "DOWNLOAD_TIMEOUT": 3,
        "OGI_ALLOW_PRIVATE_SOURCES": True,
        "DOWNLOAD_DELAY": 0.25,
        "OGI_HOSTS": {"a.gov.cn": "127.0.0.1"},
        "LOG_FILE": "x.log",
    }


def parse_ok() -> dict:
    from crawler.run import parse_overrides

    return parse_overrides(
        [
            "DOWNLOAD_TIMEOUT=3",
            "OGI_ALLOW_PRIVATE_SOURCES=yes",
            "DOWNLOAD_DELAY=0.25",
            'OGI_HOSTS={"a.gov.cn": "127.0.0.1"}',
            "LOG_FILE=x.log",
        ]
    )


def test_cron_line_works_on_a_fresh_install(tmp_path):
    """The crontab line, run by /bin/sh in an empty install folder with a stand-in `ogi`."""
    line = next(x for x in (ROOT / "deploy/crontab").read_text().splitlines() if x and not x.startswith("#"))
    command = " ".join(line.split()[5:])
    assert "%" not in command  # cron would turn it into a newline
    install = tmp_path / "opt/ogi-reports"
    (install / ".venv/bin").mkdir(parents=True)
    fake = install / ".venv/bin/ogi"
    fake.write_text('#!/bin/sh\necho "ogi $*"\n')
    fake.chmod(0o755)
    command = command.replace("/opt/ogi-reports", shlex.quote(str(install)))
    out = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    log = (install / "data/runs/cron.log").read_text()
    assert log.startswith("ogi run --data data")
    # a run still holding the lock: the new one exits 4 at once (not 0, not an overlap)
    holder = subprocess.Popen(["/usr/bin/flock", str(install / "data/.nightly.lock"), "sleep", "5"])
    try:
        time.sleep(0.3)
        busy = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30)
        assert busy.returncode == 4
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "stats,status",
    [
        ({"finish_reason": "finished", "ogi/listing_pages": 3}, "ok"),
        ({"finish_reason": "shutdown"}, "interrupted"),
        ({}, "interrupted"),  # a forced stop leaves no finish reason
        ({"finish_reason": "closespider_timeout"}, "timed out"),
        (
            {"finish_reason": "ogi_blocked", "ogi/fence": {"status": "blocked (x)", "reason": "r"}},
            "blocked (x)",
        ),
        (
            {
                "finish_reason": "finished",
                "ogi/robots_failure": {"status": "unreachable (timeout)", "reason": "r"},
            },
            "unreachable (timeout)",
        ),
    ],
)
def test_how_a_source_ended(stats, status):
    from crawler.run import SourceResult, exit_code, judge, outcome

    got, _ = outcome(stats)
    assert got == status
    result = SourceResult("a", "http://x.gov.cn/", "trs", status=got, reports_found=0)
    judge([result], Path("/nonexistent"))
    assert result.status == ("failed" if status == "ok" else status)  # zero links only judged on `ok`
    assert exit_code([result]) == {"interrupted": 3}.get(status, 1)


def test_a_blob_half_written_by_a_killed_crawl_is_removed_by_the_next_crawl(tmp_path):
    """kill -9 between a blob's write and its rename leaves `.tmp-<pid>-…`: the next crawl run
    removes it (the kill-9 loop above checks the whole path); a running process's file stays."""
    from crawler.archive import remove_orphan_blobs

    archive = RawArchive(tmp_path)
    sha, _ = archive.put(b"whole")
    folder = archive.blob_path(sha).parent
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    orphan = folder / f".tmp-{int(dead.stdout)}-abc"
    orphan.write_bytes(b"half")
    old = folder / ".tmp-0123456789abcdef"  # written before the pid was in the name
    old.write_bytes(b"half")
    mine = folder / f".tmp-{os.getpid()}-def"  # a crawl still running
    mine.write_bytes(b"half")
    assert remove_orphan_blobs(tmp_path) == 2
    assert not orphan.exists() and not old.exists() and mine.exists()
    assert archive.get(sha) == b"whole"
