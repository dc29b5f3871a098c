"""OCR for image-only pages (scanned PDFs, page photos, PNG/JPG) into the same Document.

Cells come from the ruled lines (cells.py), so a blank cell stays a blank cell; each
inked cell is read line by line by the recogniser alone (no text detector), which is
both faster and more exact than reading the page.  Text outside tables (title, section
headings, signature) is cut into lines the same way, tables blanked out, and read in the
same batch.

Honesty rules: ink that cannot be read becomes UNREADABLE + what was read (null value,
raw kept, note from the mapper), never a blank; every OCR cell carries its confidence.

The engine is RapidOCR (PP-OCR models shipped inside its wheel, ONNX runtime), an
optional extra: without it `needs_ocr` says which extra to install.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from ..document import Cell, Document, Grid, Paragraph
from ..values import UNREADABLE, is_value_text
from .errors import ExtractError
from .ocr_labels import snap

log = logging.getLogger("ogi.ocr")

INSTALL_HINT = "install the OCR extra: pip install -e '.[ocr]'"
DPI = 200  # PDF pages are rendered at this resolution
MIN_SCORE = 0.8  # a value read below this recogniser score is unreadable, not a number
MAX_PIXELS = 40_000_000  # a hostile image must not exhaust memory
MAX_PAGES = 60  # annual reports have a few pages; 400 scanned pages would take an hour
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "，": ",", "。": "."})
_VALUEISH = re.compile(r"^[\dOoDlI|，。,.\s增减減+\-万元亿件个项/／—–－无]*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class Engine(Protocol):
    name: str

    def read_lines(self, crops: list) -> list[tuple[str, float]]:
        """Text and score (0–1) of each single-line crop."""


def missing() -> str | None:
    """Why OCR cannot run here (None when it can)."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError as exc:
        return f"OCR is not installed ({exc.name} missing): {INSTALL_HINT}"
    return None


class RapidEngine:
    """RapidOCR with its shipped models; recogniser only for cells, full pipeline for prose."""

    name = "rapidocr"

    def __init__(self, threads: int = 1) -> None:
        # one thread: on shared CI cores more threads burn CPU-seconds without saving wall time
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            }
        )

    def read_lines(self, crops: list) -> list[tuple[str, float]]:
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec import TextRecInput

        out = self._ocr._load_rec_model()(TextRecInput(img=crops))  # recogniser alone, batched
        return [(t, float(s)) for t, s in zip(out.txts, out.scores)]


class TesseractEngine:
    """tesseract chi_sim (the baseline in bench/bench_ocr.py): crops stacked into one image."""

    name = "tesseract"

    def read_lines(self, crops: list) -> list[tuple[str, float]]:
        import cv2
        import numpy as np

        if not crops:
            return []
        gap = 24
        width = max(c.shape[1] for c in crops) + 2 * gap
        height = sum(c.shape[0] + gap for c in crops) + gap
        sheet = np.full((height, width), 255, np.uint8)
        spans, y = [], gap
        for c in crops:
            g = c if c.ndim == 2 else cv2.cvtColor(c, cv2.COLOR_BGR2GRAY)
            sheet[y : y + g.shape[0], gap : gap + g.shape[1]] = g
            spans.append((y, y + g.shape[0]))
            y += g.shape[0] + gap
        words = _tesseract_words(sheet, psm=4)
        out: list[tuple[str, float]] = []
        for y0, y1 in spans:
            mine = sorted(
                (w for w in words if y0 - gap / 2 <= (w[0][1] + w[0][3]) / 2 < y1 + gap / 2),
                key=lambda w: w[0][0],
            )
            text = "".join(w[1] for w in mine)
            out.append((text, min((w[2] for w in mine), default=0.0)))
        return out


def _tesseract_words(image, psm: int) -> list[tuple[tuple[int, int, int, int], str, float]]:
    import cv2

    if shutil.which("tesseract") is None:
        raise ExtractError("needs_ocr", "tesseract is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.png"
        cv2.imwrite(str(src), image)
        proc = subprocess.run(
            ["tesseract", str(src), "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
            capture_output=True,
            text=True,
            timeout=600,
            env={"OMP_THREAD_LIMIT": "1"},
        )
    words = []
    for line in proc.stdout.splitlines()[1:]:
        f = line.split("\t")
        if len(f) == 12 and f[11].strip() and float(f[10]) >= 0:
            x, y, w, h = map(int, f[6:10])
            words.append(((x, y, x + w, y + h), f[11].strip(), float(f[10]) / 100))
    return words


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    return RapidEngine()


def _require() -> None:
    why = missing()
    if why:
        raise ExtractError("needs_ocr", f"image-only pages (图片版) need OCR: {why}")


# --- one page ---------------------------------------------------------------------


def _ink_lines(ink, box, margin: int = 4) -> list[tuple[int, int, int, int]]:
    """Text lines inside one cell: rectangles of real ink (specks and rule remnants dropped)."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = box.x0 + margin, box.y0 + margin, box.x1 - margin, box.y1 - margin
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    sub = ink[y0:y1, x0:x1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    keep = np.zeros(sub.shape[0], bool)
    cols: list[tuple[int, int, int, int]] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area < 12 or (h < 5 and w < 6):  # noise specks; a minus or dash is wide enough to stay
            continue
        if (w > 0.8 * sub.shape[1] and h <= 6) or (h > 0.8 * sub.shape[0] and w <= 6):  # a rule's remnant
            continue
        keep[y : y + h] = True
        cols.append((x, y, x + w, y + h))
    if not cols:
        return []
    lines = []
    y = 0
    while y < len(keep):
        if not keep[y]:
            y += 1
            continue
        start = y
        while y < len(keep) and keep[y]:
            y += 1
        parts = [c for c in cols if c[1] < y and c[3] > start]
        lx0, lx1 = min(c[0] for c in parts), max(c[2] for c in parts)
        lines.append((x0 + lx0, y0 + start, x0 + lx1, y0 + y))
    return lines


def _clean_value(text: str) -> str:
    """OCR text of a value cell: letters that look like digits made digits, spaces dropped."""
    t = text.replace(" ", "")
    if _VALUEISH.match(t) and any(ch.isdigit() for ch in t):
        t = t.translate(_DIGIT_FIX)
    return t


def _cell_text(parts: list[tuple[str, float]], inked: bool) -> tuple[str, float]:
    """One cell's text and confidence; ink that reads as nothing or unsure is UNREADABLE."""
    if not inked:
        return "", 1.0
    text = "".join(t for t, _ in parts).strip()
    score = min((s for _, s in parts), default=0.0)
    if not _CJK.search(text) or _VALUEISH.match(text.replace(" ", "")):
        text = _clean_value(text)
        if not text or score < MIN_SCORE or not is_value_text(text):
            return UNREADABLE + text, score
    return text, score


def read_page(gray, engine: Engine) -> list[Paragraph | Grid]:
    """Blocks of one page image (grayscale numpy array), top to bottom.

    Every text line of the page (table cells and prose) goes to the recogniser in one batch.
    """
    import cv2

    from .cells import binarize, deskew, find_tables

    page = deskew(gray)
    tables = find_tables(page)
    ink = cv2.morphologyEx(binarize(page), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))
    lines: list[tuple[tuple[int, int, int, int], tuple[int, int]]] = []  # line box, owner
    inked: set[tuple[int, int]] = set()
    for ti, t in enumerate(tables):
        for bi, b in enumerate(t.boxes):
            for line in _ink_lines(ink, b):
                lines.append((line, (ti, bi)))
                inked.add((ti, bi))
    prose = _prose_boxes(ink, tables, page.shape)
    lines.extend((line, (-1, k)) for k, line in enumerate(prose))
    reads = engine.read_lines([_crop(page, box) for box, _ in lines])
    per_owner: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for (_, owner), r in zip(lines, reads):
        per_owner.setdefault(owner, []).append(r)
    blocks: list[tuple[int, Paragraph | Grid]] = []
    for (box, owner), (text, _) in zip(lines, reads):
        if owner[0] >= 0 and len(text) <= 1 and _is_slash(ink, box):
            per_owner[owner] = [("/", 1.0)]  # "/" for zero: the recogniser often reads it as "1"
    for ti, t in enumerate(tables):
        rows: list[list[Cell | None]] = [[None] * t.n_cols for _ in range(t.n_rows)]
        for bi, b in enumerate(t.boxes):
            text, conf = _cell_text(per_owner.get((ti, bi), []), (ti, bi) in inked)
            for dr in range(b.rowspan):
                for dc in range(b.colspan):
                    rows[b.row + dr][b.col + dc] = Cell(text, dr > 0 or dc > 0, conf)
        blocks.append((t.y0, Grid([[c or Cell("", False, 1.0) for c in r] for r in rows])))
    for k, box in enumerate(prose):
        text = "".join(t for t, _ in per_owner.get((-1, k), [])).strip()
        if text:
            blocks.append((box[1], Paragraph(text)))
    blocks.sort(key=lambda b: b[0])
    return snap([b for _, b in blocks])


def _is_slash(ink, box: tuple[int, int, int, int]) -> bool:
    """One stroke leaning right: ink x rises as y falls (a "1" or "l" stands upright)."""
    import numpy as np

    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(ink[y0:y1, x0:x1])
    if len(xs) < 20 or (y1 - y0) < 1.5 * (x1 - x0) * 0.8 or xs.std() < 1.5:
        return False
    return float(np.corrcoef(xs, ys)[0, 1]) < -0.7


def _crop(page, box: tuple[int, int, int, int], pad: int = 3):
    import cv2

    x0, y0, x1, y1 = box
    return cv2.cvtColor(page[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad], cv2.COLOR_GRAY2BGR)


def _prose_boxes(ink, tables, shape) -> list[tuple[int, int, int, int]]:
    """Text lines outside the tables, top to bottom (projection of the ink, tables blanked)."""
    from .cells import Box

    ink = ink.copy()
    for t in tables:
        ink[max(0, t.y0 - 3) : t.y1 + 4, max(0, t.x0 - 3) : t.x1 + 4] = 0
    return _ink_lines(ink, Box(0, 0, 1, 1, 0, 0, shape[1], shape[0]), margin=8)


# --- documents --------------------------------------------------------------------


def _gray(image):
    import cv2
    import numpy as np

    arr = np.asarray(image)
    if arr.ndim == 3:
        return cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY if arr.shape[2] == 3 else cv2.COLOR_RGBA2GRAY)
    return arr


def read_image(data: bytes) -> Document:
    """A PNG/JPG/GIF/TIFF attachment (one page) → Document."""
    _require()
    import cv2
    import numpy as np
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(__import__("io").BytesIO(data)) as im:
            if im.width * im.height > MAX_PIXELS:
                size = f"{im.width}×{im.height}"
                raise ExtractError("too_large", f"image of {size} pixels is too large to OCR")
            gray = np.asarray(im.convert("L"))
    except (OSError, Image.DecompressionBombError) as exc:
        raise ExtractError("bad_image", f"cannot decode the image: {exc}") from exc
    gray = np.ascontiguousarray(gray)
    if gray.shape[1] < 1600:  # to about 200 dpi on A4 (as PDF pages): a minus sign is no speck
        f = 1650 / gray.shape[1]
        gray = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    doc = Document(blocks=read_page(gray, default_engine()), format="image")
    doc.ocr_pages = [1]
    return doc


def ocr_pdf_pages(pdf, pages: list[int], engine: Engine | None = None) -> dict[int, list[Paragraph | Grid]]:
    """OCR the given 0-based pages of an open pypdfium2 document → blocks per page.

    Logs one line per page ("OCR page 3/12") on the `ogi.ocr` logger for long scans.
    """
    _require()
    engine = engine or default_engine()
    out = {}
    for k, i in enumerate(pages, 1):
        log.info("OCR page %d/%d", k, len(pages))
        w, h = pdf[i].get_size()
        scale = min(DPI / 72, (MAX_PIXELS / max(1.0, w * h)) ** 0.5)  # huge pages: lower resolution
        bitmap = pdf[i].render(scale=scale, grayscale=True)
        out[i] = read_page(_gray(bitmap.to_numpy()), engine)
    return out


def show_ocr_progress() -> None:
    """Print the per-page OCR progress lines on stderr (once, however often called)."""
    if not any(getattr(h, "_ogi_ocr", False) for h in log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("  %(message)s"))
        handler._ogi_ocr = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(logging.INFO)
