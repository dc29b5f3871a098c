"""Turn a PDF into what a scanner or a phone makes of it: image-only pages, skewed, blurred,
noisy, JPEG-compressed.  Used by tests/test_ocr.py and bench/bench_ocr.py; made in the run,
never committed.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageFilter

DPI = 150


def degrade(page: Image.Image, rng: random.Random) -> Image.Image:
    """Rotate 0.5–1.5° either way, blur, add noise (grayscale)."""
    angle = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])
    img = page.convert("L").rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
    arr = np.asarray(img, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(6, 12), arr.shape)
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))


def page_images(pdf_bytes: bytes, dpi: int = DPI) -> list[Image.Image]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()


def jpeg(img: Image.Image, rng: random.Random) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=rng.randint(55, 75))
    return buf.getvalue()


def images_to_pdf(jpegs: list[bytes], dpi: int = DPI) -> bytes:
    """An image-only PDF holding the JPEGs as they are (no re-encoding), one per page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for data in jpegs:
        w, h = Image.open(io.BytesIO(data)).size
        wpt, hpt = w * 72 / dpi, h * 72 / dpi
        page = pdf.new_page(wpt, hpt)
        obj = pdfium.PdfImage.new(pdf)
        obj.load_jpeg(io.BytesIO(data), inline=True)
        obj.set_matrix(pdfium.PdfMatrix().scale(wpt, hpt))
        page.insert_obj(obj)
        page.gen_content()
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def scanned_pdf(pdf_bytes: bytes, rng: random.Random, pages: list[int] | None = None) -> bytes:
    """The PDF as a scan: every page (or the chosen 0-based pages) rasterised and degraded."""
    imgs = page_images(pdf_bytes)
    chosen = range(len(imgs)) if pages is None else pages
    return images_to_pdf([jpeg(degrade(imgs[i], rng), rng) for i in chosen])


def png(img: Image.Image, rng: random.Random) -> bytes:
    buf = io.BytesIO()
    degrade(img, rng).save(buf, format="PNG")
    return buf.getvalue()
