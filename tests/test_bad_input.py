"""Bad input becomes a `failed` row with a clear error, in bounded time; the run goes on."""
from __future__ import annotations

import io
import random
import time
import zipfile

import pytest

import synth
from conftest import CORPUS
from normalize import normalize_bytes
from normalize.extract import office


def _pdf_bytes() -> bytes:
    return (CORPUS / "real" / "jiangsu_huaian_hongze_district_gov_2024.pdf").read_bytes()


def _encrypted_pdf() -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(_pdf_bytes()))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _image_pdf() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(img).rectangle([50, 50, 550, 300], outline="black")
    buf = io.BytesIO()
    img.save(buf, format="PDF")
    return buf.getvalue()


def _docx_with(document_xml: bytes, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    return _docx_with(b"<w:document>" + b" " * (80 * 1024 * 1024) + b"</w:document>")


def _xxe_docx() -> bytes:
    xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>")
    return _docx_with(xml)


BAD = {
    "truncated.pdf": (lambda: _pdf_bytes()[:6000], ("bad_pdf", "no_text")),
    "encrypted.pdf": (_encrypted_pdf, ("encrypted",)),
    "empty.html": (lambda: b"", ("empty",)),
    "garbage.html": (lambda: random.Random(0).randbytes(20000), ("unsupported",)),
    "bomb.docx": (_zip_bomb, ("zip_bomb",)),
    "xxe.docx": (_xxe_docx, ("xml_entity",)),
    "scan.pdf": (_image_pdf, ("needs_ocr", "no national template")),  # OCR'd when the extra is installed
    "photo.jpg": (lambda: b"\xff\xd8\xff\xe0" + bytes(2000), ("needs_ocr", "bad_image")),
    "notes.txt": (lambda: "会议纪要\n今天讨论了工作安排。\n".encode(), ("no national template",)),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_fails_cleanly(name):
    make, codes = BAD[name]
    data = make()
    t0 = time.perf_counter()
    report = normalize_bytes(data, name)
    elapsed = time.perf_counter() - t0
    assert report.status == "failed"
    assert any(report.meta["error"].startswith(c) or c in report.meta["error"] for c in codes), report.meta["error"]
    assert "internal error" not in report.meta["error"]
    assert elapsed < 20  # bounded; a zip bomb is refused before it is inflated


def test_needs_ocr_without_the_extra_names_it(monkeypatch):
    from normalize.extract import ocr

    monkeypatch.setattr(ocr, "missing", lambda: "OCR is not installed (rapidocr missing): " + ocr.INSTALL_HINT)
    for data, name in ((_image_pdf(), "scan.pdf"), (synth_png(), "table.png")):
        error = normalize_bytes(data, name).meta["error"]
        assert error.startswith("needs_ocr") and "'.[ocr]'" in error, error


def synth_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (300, 200), 255).save(buf, format="PNG")
    return buf.getvalue()


def test_doc_without_libreoffice_says_how_to_install(monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    report = normalize_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), "old.doc")
    assert report.status == "failed"
    assert "apt-get install libreoffice" in report.meta["error"]


def test_bad_files_do_not_stop_the_run(tmp_path):
    from click.testing import CliRunner

    import pandas as pd
    from ogi.cli import main

    docs = tmp_path / "in"
    docs.mkdir()
    for name, (make, _) in BAD.items():
        (docs / name.replace(".jpg", ".pdf")).write_bytes(make())
    spec = synth.make_spec(random.Random(9), "2021")
    (docs / "good.html").write_bytes(synth.render_html(spec))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["normalize", str(docs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(out / "reports")
    assert len(reports) == len(BAD) + 1
    assert (reports["status"] == "failed").sum() == len(BAD)
    good = reports[reports["status"] == "ok"]
    assert len(good) == 1 and good.iloc[0]["agency"] == spec.agency
