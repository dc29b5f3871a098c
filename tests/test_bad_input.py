"""Bad input becomes a `failed` row with a clear error, in bounded time; the run goes on."""

from __future__ import annotations

import io
import random
import re
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
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )
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
    assert any(report.meta["error"].startswith(c) or c in report.meta["error"] for c in codes), report.meta[
        "error"
    ]
    assert "internal error" not in report.meta["error"]
    assert elapsed < 20  # bounded; a zip bomb is refused before it is inflated


def test_needs_ocr_without_the_extra_names_it(monkeypatch):
    from normalize.extract import ocr

    monkeypatch.setattr(
        ocr, "missing", lambda: "OCR is not installed (rapidocr missing): " + ocr.INSTALL_HINT
    )
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
    import pandas as pd
    from click.testing import CliRunner

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


# -- hostile inputs: bounded before work, generated here (nothing large is committed) ------------

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
PAGE_2021 = CORPUS / "real" / "fujian_pingtan_zone_2021.page.txt"


def _timed(data: bytes, name: str):
    t0 = time.perf_counter()
    report = normalize_bytes(data, name)
    return report, time.perf_counter() - t0


def test_thirty_run_together_digits_are_a_bounded_search():
    text = PAGE_2021.read_text(encoding="utf-8").replace(
        "本年新收政府信息公开申请数量640020470", "本年新收政府信息公开申请数量" + "1" * 30
    )
    report, elapsed = _timed(text.encode(), "dump.txt")
    assert elapsed < 15
    assert report.status == "partial" and "requests.new: ambiguous" in report.meta["error"]
    assert {f.value for f in report.facts if f.metric == "requests.new"} == {None}


def test_a_megabyte_line_of_section_headings_is_cut():
    unit = (
        "一、总体情况二、主动公开政府信息情况三、收到和处理政府信息公开申请情况"
        "四、政府信息公开行政复议、行政诉讼情况"
    )
    line = unit * (1_500_000 // len(unit))
    report, elapsed = _timed(f"某某局2023年政府信息公开工作年度报告\n{line}\n".encode(), "headings.txt")
    assert elapsed < 15
    assert report.status == "failed" and "longer than 200,000 characters were cut" in report.meta["error"]


def test_millions_of_characters_are_refused():
    report, elapsed = _timed(("报告\n" + "数" * 1000 + "\n").encode() * 3000, "many.txt")
    assert elapsed < 10
    assert report.meta["error"].startswith("too_large: the document holds 3,006,000 characters")


@pytest.mark.parametrize("rows", [10, 40])  # 11 kB and 38 kB pages that used to take 2.4 GB and > 6 GB
def test_html_rowspan_colspan_bombs_are_skipped_and_the_report_still_read(rows):
    spec = synth.make_spec(random.Random(5), "2021")
    bomb = "<table>" + ("<tr>" + '<td rowspan="500" colspan="100">x</td>' * 25 + "</tr>") * rows + "</table>"
    page = synth.render_html(spec).replace(b"</body>", bomb.encode() + b"</body>")
    report, elapsed = _timed(page, "bomb.html")
    assert elapsed < 10
    assert "a table whose spans expand to" in report.meta["error"]
    values = {(f.metric, f.applicant): f.value for f in report.facts}
    assert values[("requests.new", "total")] == spec.values[("requests.new", "total")]


def test_stored_docx_with_gridspan_cells_is_refused():
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    xml = f"<w:document {W_NS}><w:body><w:tbl><w:tr>{cell * 50000}</w:tr></w:tbl></w:body></w:document>"
    report, elapsed = _timed(_docx_with(xml.encode(), zipfile.ZIP_STORED), "grid.docx")
    assert elapsed < 15
    assert report.meta["error"] == "too_large: the tables expand to more than 200,000 cells: refused"


def test_zip_listing_too_many_entries_is_refused_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", f"<w:document {W_NS}/>")
        for i in range(12000):
            z.writestr(f"f{i}", b"")
    report = normalize_bytes(buf.getvalue(), "many.docx")
    assert report.meta["error"].startswith("zip_bomb: the archive lists 12,001 files")


def test_utf16_document_xml_cannot_hide_a_dtd():
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W_NS}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    for data in (xml.encode("utf-16"), xml.encode("utf-16-le")):
        report = normalize_bytes(_docx_with(data), "x.docx")
        assert report.meta["error"].startswith("xml_entity:"), report.meta["error"]


def test_damaged_docx_and_pdf_get_clear_messages():
    spec = synth.make_spec(random.Random(1), "2021")
    docx = bytearray(synth.render_docx(spec))
    info = zipfile.ZipFile(io.BytesIO(bytes(docx))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 100, start + 140):
        docx[i] ^= 0x5A
    report = normalize_bytes(bytes(docx), "x.docx")
    assert report.meta["error"].startswith("bad_docx: damaged DOCX: word/document.xml cannot be decompressed")
    pdf = re.sub(rb"/Kids\s*\[", b"/Kids [999 0 R ", _pdf_bytes(), count=1)  # a page that does not exist
    report = normalize_bytes(pdf, "x.pdf")
    assert report.meta["error"].startswith("bad_pdf: ") and "damaged" in report.meta["error"]
    assert "internal error" not in report.meta["error"]


def _stray(page: bytes, how: str) -> bytes:
    cut = page.index(b"<p>") + 3
    if how == "nul":
        return page[:cut] + b"\x00" + page[cut:]
    if how == "0xff":
        return page[:cut] + b"\xff" + page[cut:]
    if how == "mixed":  # the chrome re-encoded as UTF-8 by a CMS template, the article left in GB18030
        head, _, rest = page.partition(b'<div class="article">')
        return head.decode("gb18030").encode("utf-8") + b'<div class="article">' + rest
    raise ValueError(how)


@pytest.mark.parametrize("how", ["nul", "0xff", "mixed", "utf-16"])
def test_a_stray_byte_does_not_make_a_report_unreadable(how):
    spec = synth.make_spec(random.Random(11), "2021")
    if how == "utf-16":
        data = synth.render_html(spec, declared=None).decode("utf-8").encode("utf-16")
    else:
        data = _stray(synth.render_html(spec, encoding="gb18030"), how)
    report = normalize_bytes(data, "page.html")
    assert report.status != "failed", report.meta["error"]
    assert report.meta["agency"] == spec.agency
    values = {(f.metric, f.applicant): f.value for f in report.facts}
    assert values[("requests.new", "total")] == spec.values[("requests.new", "total")]
    if how != "utf-16":
        assert report.meta["error"] and (
            "control characters" in report.meta["error"]
            or "lines held bytes" in report.meta["error"]
            or "mixed encodings" in report.meta["error"]
        )


def test_libreoffice_timeout_kills_its_process_group_and_profile(monkeypatch, tmp_path):
    import subprocess

    from normalize.extract import ExtractError
    from ogi.workers import Limits

    assert office.TIMEOUT_S < Limits().seconds  # LibreOffice gives up before the worker is killed
    monkeypatch.setattr(office, "TIMEOUT_S", 0.5)
    monkeypatch.setattr(office.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ExtractError) as err:
        office.convert(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), ".doc")
    assert err.value.code == "convert_timeout"
    time.sleep(0.3)
    assert not list(tmp_path.iterdir())  # the profile folder is gone
    left = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout
    assert not left.strip()  # and so is every soffice process that used it
