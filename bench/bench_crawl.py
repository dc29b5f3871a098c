"""Crawl throughput vs a bare Scrapy spider on the same local portal, same run.

    python3 bench/bench_crawl.py --reports 2000
    python3 bench/bench_crawl.py --small          # 200 reports, for CI: runs in seconds

A TRS-style column of N distinct report pages (20 per listing page) is served on
127.0.0.1.  Both crawls run with politeness limits lifted and the same concurrency:
ogi's (listing parsing, title filtering, archiving every byte, manifest, run report)
and a bare spider that only GETs the same URLs.  Ratio = ogi pages/s ÷ bare pages/s
(target ≥ 0.7: bookkeeping costs at most 30%).  The exit status is non-zero when the
crawl failed or did not archive every page (correctness, never timing: CI machines vary).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import portal as P  # noqa: E402
import synth  # noqa: E402

SETTINGS = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=false",
    "CONCURRENT_REQUESTS=32",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "LOG_LEVEL=WARNING",
    "ROBOTSTXT_OBEY=false",
    "RETRY_ENABLED=false",
    "OGI_ALLOW_PRIVATE_SOURCES=true",
]

BARE = """
import scrapy
class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {"ITEM_PIPELINES": {}}
    async def start(self):
        for url in open(URLS).read().split():
            yield scrapy.Request(url, callback=self.parse)
    def parse(self, response):
        pass
"""


def build(srv: P.PortalServer, n: int) -> list[str]:
    """A column of n report pages; one synthetic report rendered once, each copy made distinct."""
    body = synth.render_html(synth.make_spec(random.Random(1), "2021", year=2023))
    col = "/bench/zfxxgknb/"
    items = []
    for i in range(n):
        path = f"{col}2024{i % 12 + 1:02d}/t2024{i % 12 + 1:02d}15_{100000 + i}.html"
        srv.add(
            path, body.replace(b"</body>", f"<!-- {i} --></body>".encode()), ctype="text/html; charset=utf-8"
        )
        items.append((path, f"测试单位{i}2023年度政府信息公开工作年度报告", "2024-01-15"))
    pages = [items[i : i + 20] for i in range(0, n, 20)]
    urls = []
    for k, chunk in enumerate(pages):
        name = "index.html" if k == 0 else f"index_{k}.html"
        srv.add(
            col + name,
            P._list_page(
                "年报", chunk, f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script>'
            ),
        )
        urls.append(srv.base + col + name)
    return urls + [srv.base + p for p, _, _ in items]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=2000, help="report pages in the column")
    ap.add_argument("--small", action="store_true", help="200 reports: a quick run for CI")
    args = ap.parse_args()
    if args.small:
        args.reports = 200
    with P.PortalServer() as srv, tempfile.TemporaryDirectory() as tmp:
        urls = build(srv, args.reports)
        (Path(tmp) / "urls.txt").write_text("\n".join(urls))
        (Path(tmp) / "bare.py").write_text(f"URLS = {str(Path(tmp) / 'urls.txt')!r}\n" + BARE)
        sources = Path(tmp) / "s.csv"
        sources.write_text(f"id,name,region_code,url,platform\nbench,bench,,{srv.base}/bench/zfxxgknb/,trs\n")
        sets = [x for s in SETTINGS for x in ("--set", s)]
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "runspider",
                str(Path(tmp) / "bare.py"),
                *[x for s in SETTINGS for x in ("-s", s)],
            ],
            check=True,
            cwd=tmp,
            capture_output=True,
        )
        bare = time.perf_counter() - t0
        bare_requests = len(srv.log)
        srv.log.clear()
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "ogi.cli",
                "crawl",
                "--sources",
                str(sources),
                "--data",
                str(Path(tmp) / "data"),
                *sets,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        ours = time.perf_counter() - t0
        ours_requests = len(srv.log)
        blobs = sum(1 for p in (Path(tmp) / "data/raw").rglob("*") if p.is_file())
    print(
        f"CRAWL {len(urls)} URLs ({args.reports} report pages): "
        f"bare Scrapy {bare_requests / bare:7.0f} req/s ({bare:.1f}s) | "
        f"ogi {ours_requests / ours:7.0f} req/s ({ours:.1f}s), {blobs} blobs archived, "
        f"exit {out.returncode}"
    )
    print(f"      ratio ogi / bare = {(ours_requests / ours) / (bare_requests / bare):.2f}x (target >= 0.7x)")
    pages = -(-args.reports // 20)
    if out.returncode != 0 or blobs < args.reports + pages:
        print(
            f"crawl incomplete: exit {out.returncode}, {blobs} blobs for {args.reports + pages} pages\n"
            + out.stdout[-2000:]
            + out.stderr[-2000:]
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
