"""Archive-scale normalise: parallel speed-up, incremental cost, peak memory — ratios from this run.

    python3 bench/bench_pipeline.py --size 100000          # the issue's scale (generation: ~10 min once)
    python3 bench/bench_pipeline.py --size 5000 --jobs 2   # what a shared 2-core machine allows

1. A synthetic crawl archive (DIR/raw + DIR/manifest, as the crawler writes it) of --size
   documents: 60% HTML pages (UTF-8 and GBK, portal chrome), each with its own numbers;
   25% DOCX and 15% PDF, copies of a small pool (python-docx takes seconds per document,
   LibreOffice more) made distinct by a zip comment / a PDF comment, so they are distinct
   documents that the versions step recognises as re-posts.  Generated once and cached
   under bench/out/archive-<size>-<new>/.
2. `ogi normalize --data` of the whole archive with --jobs 1, then with --jobs N (default:
   every core): the speed-up ratio is printed (target ≥ 1.7× on 2 cores); the two outputs
   must be identical.  Beside it, the machine's own ceiling: N independent processes
   normalising in a loop vs one (on a shared machine or under a CPU quota this is what
   limits any parallel speed-up).
3. --new more documents (default 1% of --size: 1,000 at 100,000) are added and the same
   command runs again: only they are normalised (target ≤ 5% of the full run).
4. Peak RSS of the largest process (the parent or one worker) for each run, and for a full
   run on a tenth of the archive: streaming keeps the two close (flat memory).

Each run is `ogi normalize` in a fresh process; times are wall-clock on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import synth  # noqa: E402

from crawler.archive import RawArchive  # noqa: E402

POOL = 6
CACHE = ROOT / "bench" / "out"


def _pool(cache: Path, kind: str) -> list[bytes]:
    """A few DOCX (python-docx) or PDF (LibreOffice) reports, cached; copies are made distinct later."""
    folder = cache / f"{kind}-pool"
    folder.mkdir(parents=True, exist_ok=True)
    pool = []
    for i in range(POOL):
        path = folder / f"{i}.{kind}"
        if not path.exists():
            spec = synth.make_spec(random.Random(10_000 + i), "2021" if i % 2 else "2019")
            path.write_bytes(synth.render_pdf(spec) if kind == "pdf" else synth.render_docx(spec))
        pool.append(path.read_bytes())
    return pool


def _zip_comment(data: bytes, comment: bytes) -> bytes:
    """The same DOCX with another zip comment: other bytes, same document."""
    assert data[-22:-18] == b"PK\x05\x06"  # end-of-central-directory record, no comment yet
    return data[:-2] + len(comment).to_bytes(2, "little") + comment


def _document(i: int, pools: dict[str, list[bytes]]) -> tuple[str, bytes, str]:
    """(url, bytes, kind) of document i: deterministic, so the cache can be rebuilt identically."""
    rng = random.Random(i)
    roll = rng.random()
    host = f"http://www.b{i % 97}.gov.cn/nb/"
    if roll < 0.15:
        pdf = pools["pdf"][i % POOL] + f"\n% archive copy {i}\n".encode()
        return f"{host}P{i}.pdf", pdf, "attachment"
    if roll < 0.40:
        return f"{host}D{i}.docx", _zip_comment(pools["docx"][i % POOL], f"copy {i}".encode()), "attachment"
    blanks = rng.choice([None, None, "blank", "slash"])
    spec = synth.make_spec(rng, rng.choice(["2019", "2021"]), blanks=blanks)
    encoding = "gb18030" if rng.random() < 0.3 else "utf-8"
    return f"{host}t{i}.html", synth.render_html(spec, encoding=encoding), "page"


def build_archive(size: int, extra: int) -> Path:
    """bench/out/archive-<size>: blobs for size+extra documents, manifest lines for the first `size`
    in fetches.jsonl and the `extra` ones in extra.jsonl (appended by the incremental step)."""
    folder = CACHE / f"archive-{size}-{extra}"
    if (folder / "complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    pools = {kind: _pool(CACHE, kind) for kind in ("pdf", "docx")}
    archive = RawArchive(folder, fsync_every=10_000)
    extra_lines = []
    t0 = time.perf_counter()
    for i in range(size + extra):
        url, data, kind = _document(i, pools)
        sha, _ = archive.put(data)
        row = {
            "source_id": f"b{i % 97}",
            "kind": kind,
            "url": url,
            "final_url": url,
            "status": 200,
            "sha256": sha,
            "fetched_at": f"2026-01-01T00:00:{i % 60:02d}+00:00",
        }
        if i < size:
            archive.record(row)
        else:
            extra_lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        if i and i % 5000 == 0:
            print(f"  generated {i:,} documents ({time.perf_counter() - t0:.0f} s)", flush=True)
    archive.close()
    (folder / "extra.jsonl").write_text("".join(extra_lines), encoding="utf-8")
    (folder / "complete").write_text("ok")
    return folder


def workdir(archive: Path, name: str, lines: int | None = None) -> Path:
    """A data dir sharing the cached blobs, with its own manifest (the first `lines` documents)."""
    work = CACHE / "work" / name
    shutil.rmtree(work, ignore_errors=True)
    (work / "manifest").mkdir(parents=True)
    os.symlink(archive / "raw", work / "raw")
    with (
        open(archive / "manifest" / "fetches.jsonl", encoding="utf-8") as src,
        open(work / "manifest" / "fetches.jsonl", "w", encoding="utf-8") as dst,
    ):
        for k, line in enumerate(src):
            if lines is not None and k >= lines:
                break
            dst.write(line)
    return work


_RUN = """
import json, sys, time
from ogi.pipeline import normalize_archive
from ogi.workers import peak_rss_mb
t0 = time.perf_counter()
stats = normalize_archive(sys.argv[1], sys.argv[1] + "/parquet", jobs=int(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t0, "docs": sum(stats.statuses.values()),
                  "skipped": stats.skipped, "statuses": dict(stats.statuses),
                  "parent_mb": peak_rss_mb(),
                  "worker_mb": stats.worker_peak_mb}))
"""


def normalise(data: Path, jobs: int) -> dict:
    """One archive normalise (what `ogi normalize --data` runs) in a fresh process: time, counts, peak RSS."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(data), str(jobs)], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"normalise failed:\n{proc.stdout}\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["peak_mb"] = max(out["parent_mb"], out["worker_mb"])
    return out


def _line(label: str, r: dict) -> str:
    return (
        f"{label:<26}{r['seconds']:8.1f} s  {r['docs'] / r['seconds']:7.1f} docs/s  "
        f"peak parent {r['parent_mb']:5.0f} MB, worker {r['worker_mb']:5.0f} MB  "
        f"({r['docs']:,} normalised, {r['skipped']:,} skipped; {r['statuses']})"
    )


_BARE = """
import json, sys, time
from normalize import normalize_bytes
import ogi.warm  # noqa: F401 - one-time set-up outside the timed loop
raw, lines = sys.argv[1], open(sys.argv[2], encoding="utf-8").readlines()[:int(sys.argv[3])]
time.sleep(max(0.0, float(sys.argv[4]) - time.time()))  # every process starts its loop together
for line in lines:
    rec = json.loads(line)
    sha = rec["sha256"]
    normalize_bytes(open(f"{raw}/{sha[:2]}/{sha}", "rb").read(), rec["url"].rsplit("/", 1)[-1])
print(time.time())
"""


def _bare(archive: Path, processes: int, docs: int) -> float:
    """Seconds from a common start until the last of `processes` loops over `docs` documents ends."""
    start = time.time() + 8  # after every process has imported the normaliser
    cmd = [
        sys.executable,
        "-c",
        _BARE,
        str(archive / "raw"),
        str(archive / "manifest" / "fetches.jsonl"),
        str(docs),
        str(start),
    ]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    ends = [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return max(ends) - start


def machine_ceiling(archive: Path, jobs: int, docs: int = 500) -> float:
    """The speed-up this machine gives `jobs` independent processes (no pool, no Parquet): the
    ceiling for --jobs.  A shared machine or a CPU quota can make it far below `jobs`."""
    return jobs * _bare(archive, 1, docs) / _bare(archive, jobs, docs)


def same_output(a: Path, b: Path) -> bool:
    import pandas as pd

    return all(
        pd.read_parquet(a / "parquet" / t).equals(pd.read_parquet(b / "parquet" / t))
        for t in ("reports", "facts", "checks", "sections")
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000, help="documents in the archive")
    ap.add_argument(
        "--new",
        type=int,
        default=None,
        help="documents added before the incremental run (default 1%% of --size)",
    )
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers of the parallel run")
    args = ap.parse_args()
    extra = args.new if args.new is not None else max(10, args.size // 100)
    print(f"archive: {args.size:,} documents (+{extra:,} for the incremental run), cached in {CACHE}")
    archive = build_archive(args.size, extra)

    one = workdir(archive, "jobs1")
    r1 = normalise(one, 1)
    print(_line("full, --jobs 1:", r1))
    par = workdir(archive, f"jobs{args.jobs}")
    rn = normalise(par, args.jobs)
    print(_line(f"full, --jobs {args.jobs}:", rn))
    speedup = r1["seconds"] / rn["seconds"]
    print(f"  speed-up --jobs {args.jobs} vs 1: {speedup:.2f}×  (target ≥ 1.7× on 2 cores)")
    ceiling = machine_ceiling(archive, args.jobs)
    print(
        f"  this machine's ceiling ({args.jobs} independent processes vs 1): {ceiling:.2f}×; "
        f"--jobs reaches {speedup / ceiling:.0%} of it"
    )
    print(f"  outputs identical: {same_output(one, par)}")

    with open(par / "manifest" / "fetches.jsonl", "a", encoding="utf-8") as fh:
        fh.write((archive / "extra.jsonl").read_text(encoding="utf-8"))
    ri = normalise(par, args.jobs)
    print(_line(f"incremental (+{extra:,}):", ri))
    share = 100 * ri["seconds"] / rn["seconds"]
    print(f"  incremental / full: {share:.1f}%  (target ≤ 5% for 1% new documents)")

    tenth = workdir(archive, "tenth", args.size // 10)
    rs = normalise(tenth, args.jobs)
    print(_line(f"full, {args.size // 10:,} documents:", rs))
    parent, worker = rn["parent_mb"] / rs["parent_mb"], rn["worker_mb"] / rs["worker_mb"]
    print(
        f"  peak memory {args.size:,} vs {args.size // 10:,} documents: parent {parent:.2f}×, "
        f"worker {worker:.2f}×  (flat ≈ 1)"
    )


if __name__ == "__main__":
    main()
