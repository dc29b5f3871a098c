"""Reports with known values rendered through every format and quirk: exact values back.

Formats: HTML (UTF-8, GBK declared wrongly or not at all, Big5 traditional, portal
chrome, Word markup, split tables), DOCX with merged cells, DOC and PDF made from the
DOCX by LibreOffice, seed-style and "a | b" text; both templates; blank and "/" zeros;
deliberately inconsistent totals (flagged by the checks, never fixed).
"""

from __future__ import annotations

import random

import pytest
import synth
from conftest import same

from normalize import normalize_bytes

RENDERINGS = {
    "html_utf8_chrome": lambda s: (synth.render_html(s), "r.html"),
    "html_gbk_declared_utf8_word_split": lambda s: (
        synth.render_html(s, encoding="gb18030", declared="utf-8", word=True, split=True),
        "r.html",
    ),
    "html_gbk_undeclared": lambda s: (synth.render_html(s, encoding="gb18030", declared=None), "r.htm"),
    "html_big5_traditional": lambda s: (
        synth.render_html(s, encoding="big5hkscs", traditional=True),
        "r.html",
    ),
    "docx_merged": lambda s: (synth.render_docx(s), "r.docx"),
    "docx_split": lambda s: (synth.render_docx(s, split=True), "r.docx"),
    "seed_text": lambda s: (synth.render_seed_text(s), "r.txt"),
    "pipe_text": lambda s: (synth.render_pipe_text(s), "r.txt"),
}
ZEROS = [None, "blank", "slash"]


def check(spec: synth.Spec, data: bytes, name: str) -> None:
    report = normalize_bytes(data, name)
    got = {(f.metric, f.applicant): f for f in report.facts}
    expected = spec.expected()
    wrong = [
        (k, v, got[k].value if k in got else "missing")
        for k, v in expected.items()
        if k not in got or not same(v, got[k].value)
    ]
    assert not wrong, f"{name}: {len(wrong)} of {len(expected)} cells wrong: {wrong[:6]}"
    for k, f in got.items():  # blank and "/" stay distinguishable from a printed 0
        printed = {spec.raws[k].strip(), synth.to_traditional(spec.raws[k]).strip()}
        assert f.raw.replace(" ", "") in printed, (k, f.raw)  # PDFs may space a sign from its number
    assert report.meta["template"] == spec.template
    assert report.meta["year"] == spec.year
    assert report.meta["agency"] == spec.agency
    assert report.status == "ok", report.meta["error"]
    assert report.meta["cells_found"] == report.meta["cells_expected"] == len(expected)
    failed = sorted((c.rule, c.subject) for c in report.checks if not c.ok)
    assert failed == sorted(spec.broken)
    assert [s for s, _, _ in report.sections] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("rendering", list(RENDERINGS))
@pytest.mark.parametrize("zeros", ZEROS)
def test_rendering(template, rendering, zeros):
    rng = random.Random(f"{template}-{rendering}-{zeros}")
    spec = synth.make_spec(rng, template, blanks=zeros, broken=zeros == "blank")
    data, name = RENDERINGS[rendering](spec)
    check(spec, data, name)


def test_chrome_and_scripts_stay_out_of_sections():
    spec = synth.make_spec(random.Random(3), "2021")
    report = normalize_bytes(synth.render_html(spec), "r.html")
    text = " ".join(t for _, _, t in report.sections)
    assert "版权所有" not in text and "无障碍" not in text and "999" not in text
    assert "本年度未收取信息处理费" in text


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_pdf_made_by_libreoffice(template):
    spec = synth.make_spec(random.Random(f"pdf{template}"), template)
    check(spec, synth.render_pdf(spec), "r.pdf")


def test_doc_converted_by_libreoffice():
    spec = synth.make_spec(random.Random("doc"), "2019", blanks="slash")
    doc = synth.convert_with_libreoffice(synth.render_docx(spec), ".docx", "doc")
    assert doc[:4] == b"\xd0\xcf\x11\xe0"
    check(spec, doc, "r.doc")
