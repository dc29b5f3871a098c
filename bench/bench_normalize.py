"""Normaliser throughput per format, as ratios against baselines measured in this run.

    python3 bench/bench_normalize.py --reports 1000

* HTML: ogi's full normalisation (decode, parse, map to the schema, checks) vs
  `pandas.read_html` on the same pages (which only parses tables, mapping nothing),
  and vs bare `lxml` parsing (the ceiling).
* HTML as whole processes: `ogi normalize DIR` (Parquet written) vs a script that reads
  every file of DIR with `pandas.read_html`.
* PDF: ogi (tables read from cell geometry) vs pdfplumber `extract_tables` on every
  page of the same PDFs.  PDFs are made by LibreOffice from distinct generated DOCX
  reports and official-template DOCX (zeros printed, blank or "/"), cycled to
  --reports; the real corpus PDFs (WPS-made) are timed separately.
* Memory: peak RSS of `normalize + write Parquet` over N and 10×N generated reports,
  each in a fresh process: streaming keeps the ratio near 1.

Numbers are ratios (higher = ogi faster); absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import synth  # noqa: E402

from normalize import normalize_bytes  # noqa: E402


def html_pages(n: int, seed: int = 0) -> list[bytes]:
    """A realistic mix: UTF-8 and GBK, portal chrome, Word markup, split tables, blanks."""
    rng = random.Random(seed)
    pages = []
    for _ in range(n):
        spec = synth.make_spec(
            rng, rng.choice(["2019", "2021"]), blanks=rng.choice([None, None, "blank", "slash"])
        )
        pages.append(
            synth.render_html(
                spec,
                encoding=rng.choice(["utf-8", "gb18030"]),
                word=rng.random() < 0.3,
                split=rng.random() < 0.3,
            )
        )
    return pages


def pdf_files(distinct: int, seed: int = 1) -> list[bytes]:
    """Distinct PDFs printed by LibreOffice in one batch conversion."""
    from normalize.extract.office import soffice

    exe = soffice()
    if exe is None:
        sys.exit(
            "LibreOffice is needed to make the benchmark PDFs (apt-get install libreoffice-writer-nogui)"
        )
    import official

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for i in range(distinct):
            template = rng.choice(["2019", "2021"])
            if i % 2:  # the official template: merged label columns, 3-row headers, blank zeros
                style = rng.choice(["zero", "blank", "slash"])
                docx = official.fill_docx(template, official.known_values(template, i), style)
            else:
                docx = synth.render_docx(synth.make_spec(rng, template))
            (src / f"r{i:04d}.docx").write_bytes(docx)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(Path(tmp) / "out"),
                *sorted(map(str, src.glob("*.docx"))),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )
        return [p.read_bytes() for p in sorted((Path(tmp) / "out").glob("*.pdf"))]


def timed(fn, items) -> float:
    t0 = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - t0


def bench_html(n: int) -> None:
    import lxml.html
    import pandas as pd

    pages = html_pages(n)
    ok = sum(normalize_bytes(p, "r.html").status == "ok" for p in pages[:50])
    ours = timed(lambda p: normalize_bytes(p, "r.html"), pages)
    base = timed(lambda p: pd.read_html(io.BytesIO(p)), pages)
    bare = timed(lambda p: lxml.html.document_fromstring(p), pages)
    print(
        f"HTML  {n} pages: ogi {n / ours:8.0f} pages/s | pandas.read_html {n / base:8.0f} pages/s | "
        f"lxml parse only {n / bare:8.0f} pages/s"
    )
    print(
        f"      ratio ogi / pandas.read_html = {base / ours:.2f}x (target >= 2x); "
        f"ceiling lxml / pandas = {base / bare:.2f}x; sample all ok: {ok}/50"
    )


_READ_HTML = """import io, sys, pathlib, pandas as pd
for f in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    pd.read_html(io.BytesIO(f.read_bytes()))
"""


def bench_html_processes(n: int) -> None:
    """Whole processes, start-up and imports included: `ogi normalize DIR` vs a read_html script."""
    pages = html_pages(n)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pages"
        src.mkdir()
        for i, page in enumerate(pages):
            (src / f"r{i:05d}.html").write_bytes(page)

        def run(cmd: list[str]) -> float:
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
            return time.perf_counter() - t0

        ours = run([sys.executable, "-m", "ogi", "normalize", str(src), "--out", str(Path(tmp) / "parquet")])
        base = run([sys.executable, "-c", _READ_HTML, str(src)])
    print(
        f"HTML  {n} pages as whole processes: ogi normalize {ours:.1f} s | "
        f"pandas.read_html script {base:.1f} s"
    )
    print(f"      ratio = {base / ours:.2f}x (target >= 2x)")


def _plumber(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def bench_pdf(n: int, distinct: int) -> None:
    from normalize.extract.pdf import read_pdf

    pdfs = pdf_files(distinct)
    files = [pdfs[i % len(pdfs)] for i in range(n)]
    ok = sum(normalize_bytes(p, "r.pdf").status == "ok" for p in pdfs)
    with_grids = sum(bool(read_pdf(p).grids()) for p in pdfs)  # the geometry reader is on
    sample = files[: max(50, n // 10)]  # pdfplumber is slow: time it on a sample of the same files
    base = timed(_plumber, sample) / len(sample)
    ours = timed(lambda p: normalize_bytes(p, "r.pdf"), files) / len(files)
    print(
        f"PDF   {n} files ({len(pdfs)} distinct, all ok: {ok}/{len(pdfs)}, tables read from geometry in "
        f"{with_grids}/{len(pdfs)}): ogi {1 / ours:8.0f} files/s | "
        f"pdfplumber extract_tables {1 / base:8.1f} files/s"
    )
    print(f"      ratio ogi / pdfplumber = {base / ours:.1f}x (target >= 5x)")
    real = sorted((ROOT.parent / "shared" / "corpus" / "real").glob("*.pdf"))
    if real:
        data = [p.read_bytes() for p in real]
        base = timed(_plumber, data)
        ours = timed(lambda p: normalize_bytes(p, "r.pdf"), data)
        print(f"      real corpus PDFs ({len(data)}, WPS-made): ratio ogi / pdfplumber = {base / ours:.1f}x")


def memory_child(n: int) -> None:
    """Normalise n generated reports into Parquet, streaming; print peak RSS in MiB."""
    from normalize.write import DatasetWriter

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, DatasetWriter(Path(tmp)) as writer:
        for i in range(n):
            spec = synth.make_spec(rng, rng.choice(["2019", "2021"]))
            writer.add(normalize_bytes(synth.render_html(spec), f"r{i}.html"))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def bench_memory(n: int) -> None:
    def run(k: int) -> float:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(k)], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    small, large = run(n), run(10 * n)
    print(
        f"MEM   peak RSS: {n} reports {small:.0f} MiB, {10 * n} reports {large:.0f} MiB; "
        f"ratio {large / small:.2f} (target <= 1.20)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=1000, help="reports per format (default 1000)")
    ap.add_argument("--pdf-distinct", type=int, default=100, help="distinct PDFs to print with LibreOffice")
    ap.add_argument("--only", choices=["html", "html-process", "pdf", "memory"], action="append")
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    parts = args.only or ["html", "html-process", "pdf", "memory"]
    if "html" in parts:
        bench_html(args.reports)
    if "html-process" in parts:
        bench_html_processes(args.reports)
    if "pdf" in parts:
        bench_pdf(args.reports, args.pdf_distinct)
    if "memory" in parts:
        bench_memory(args.reports)


if __name__ == "__main__":
    main()
