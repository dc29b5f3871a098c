"""OCR of scanned reports: seconds per page and peak memory, RapidOCR vs tesseract chi_sim.

    python3 bench/bench_ocr.py            # 20 pages: 2 synthetic reports + the 3 corpus PDFs

Both engines get the same image-only PDFs (rasterised at 150 dpi, skewed, blurred, noisy,
JPEG) and the same cell detection (ruled lines); only the recogniser differs.  Each engine
runs in a fresh process so its peak memory is its own (tesseract's is that of its child
processes).  Cells exact = share of expected cells whose value came out exactly.
tesseract reads all line crops of a page stacked into one image (one process per page,
`--psm 4`); one process per crop would cost ~200 process starts a page.  Its accuracy here
is that of this integration, a speed baseline rather than tesseract's best.

Measured 2026-12-02 on a shared, loaded 2-core machine (20 pages): rapidocr 4.4 CPU-s/page,
peak 761 MB, 970/970 cells exact; tesseract 1.8 CPU-s/page, 197 MB, 343/970.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import scan  # noqa: E402
import synth  # noqa: E402
from conftest import corpus_cases, expected_cells, same  # noqa: E402


def documents(n_synthetic: int, corpus: bool = True) -> list[tuple[str, bytes, dict, int]]:
    """(name, image-only PDF, expected cells, pages)."""
    import pypdfium2 as pdfium

    docs = []
    for k in range(n_synthetic):
        rng = random.Random(f"bench-{k}")
        spec = synth.make_spec(rng, ["2021", "2019"][k % 2], blanks=[None, "blank", "slash"][k % 3])
        docs.append((f"synthetic-{spec.template}-{k}", synth.render_pdf(spec), spec.expected()))
    for src, expected in corpus_cases() if corpus else []:
        if src.suffix == ".pdf":
            docs.append((src.name, src.read_bytes(), expected_cells(expected["facts"])))
    out = []
    for name, pdf, cells in docs:
        scanned = scan.scanned_pdf(pdf, random.Random(name))
        out.append((name, scanned, cells, len(pdfium.PdfDocument(scanned))))
    return out


def run_engine(engine: str, docs, queue) -> None:
    """In a fresh process: normalise every document with `engine`, report times and memory."""
    from normalize import normalize_bytes
    from normalize.extract import ocr

    if engine == "tesseract":
        ocr.default_engine = lambda: ocr.TesseractEngine()  # same pipeline, other recogniser
    else:
        ocr.default_engine()  # model loading is not per page
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    exact = total = 0
    for _, data, cells, _ in docs:
        report = normalize_bytes(data, "scan.pdf")
        got = {(f.metric, f.applicant): f.value for f in report.facts}
        exact += sum(1 for k, v in cells.items() if k in got and same(v, got[k]))
        total += len(cells)
    wall = time.perf_counter() - wall0
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (
        self1.ru_utime
        + self1.ru_stime
        - self0.ru_utime
        - self0.ru_stime
        + kids1.ru_utime
        + kids1.ru_stime
        - kids0.ru_utime
        - kids0.ru_stime
    )
    peak = max(self1.ru_maxrss, kids1.ru_maxrss) / 1024
    queue.put({"engine": engine, "cpu": cpu, "wall": wall, "exact": exact, "total": total, "peak_mb": peak})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=2, help="synthetic reports (2 pages each)")
    ap.add_argument("--no-corpus", action="store_true", help="leave out the real corpus PDFs (a quick run)")
    args = ap.parse_args()
    docs = documents(args.synthetic, corpus=not args.no_corpus)
    pages = sum(d[3] for d in docs)
    print(f"{len(docs)} documents, {pages} scanned pages")
    ctx = mp.get_context("spawn")
    results = {}
    for engine in ("rapidocr", "tesseract"):
        q = ctx.Queue()
        p = ctx.Process(target=run_engine, args=(engine, docs, q))
        p.start()
        results[engine] = q.get()
        p.join()
        r = results[engine]
        print(
            f"{engine:>10}: {r['cpu'] / pages:5.2f} CPU-s/page, {r['wall'] / pages:5.2f} s/page wall, "
            f"peak {r['peak_mb']:6.0f} MB, cells exact {r['exact']}/{r['total']} "
            f"({r['exact'] / r['total']:.2%})"
        )
    a, b = results["rapidocr"], results["tesseract"]
    print(
        f"rapidocr / tesseract: CPU {a['cpu'] / b['cpu']:.2f}×, wall {a['wall'] / b['wall']:.2f}×, "
        f"peak memory {a['peak_mb'] / b['peak_mb']:.2f}×, "
        f"misread cells {(a['total'] - a['exact'])} vs {(b['total'] - b['exact'])}"
    )


if __name__ == "__main__":
    main()
