"""The official 2021 template filled with known values, read back by cell position.

DOCX as agencies fill it (row labels merged over three grid columns, zeros printed as
0, blank, "/" or a literal `&nbsp;`) and the same report as Markdown/pipe text in the
styles converters print (repeated or empty merged cells, closing empty cells, tabs,
page footers and repeated header rows inside the tables): every cell back, exactly.
"""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

import synth
from conftest import CORPUS, same
from markdown import STYLES, to_markdown
from normalize import normalize_bytes
from normalize.document import Cell, Document, Grid, Paragraph
from normalize.mapping import map_stream
from normalize.stream import build

BLANK_2021 = CORPUS / "templates" / "official_2021_blank.docx"
ZERO_STYLES = {"zero": "0", "blank": "", "slash": "/", "nbsp": "&nbsp;"}
ACTIVE_CELLS = {  # (row, col) of table 二 in the official template → metric
    (2, 1): "active.rules.issued", (2, 2): "active.rules.repealed", (2, 3): "active.rules.in_force",
    (3, 1): "active.normative.issued", (3, 2): "active.normative.repealed", (3, 3): "active.normative.in_force",
    (6, 1): "active.licensing.decisions", (9, 1): "active.penalty.decisions", (10, 1): "active.coercion.decisions",
    (13, 1): "active.fees.amount",
}
REQUEST_ROWS = (["requests.new", "requests.carried_over"] + [m for m, _, _ in synth.OUTCOMES_19 + synth.OTHER_21]
                + ["requests.total", "requests.carried_forward"])  # rows 3…27 of table 三


def official_spec(seed: int | str, zeros: str) -> synth.Spec:
    """Known 2021 values; zero cells printed in the given style."""
    spec = synth.make_spec(random.Random(seed), "2021")
    for key, v in spec.values.items():
        if v == 0:
            spec.raws[key] = ZERO_STYLES[zeros]
    return spec


def expected(spec: synth.Spec) -> dict:
    return {k: (None if spec.raws[k].strip() in ("", "/", "&nbsp;") else v) for k, v in spec.values.items()}


def fill_official(spec: synth.Spec) -> bytes:
    """The blank official DOCX with every value cell written (merged cells written once)."""
    import docx

    d = docx.Document(str(BLANK_2021))
    active, requests, appeals = d.tables
    for (r, c), metric in ACTIVE_CELLS.items():
        active.cell(r, c).text = spec.raws[(metric, None)]
    for r, metric in enumerate(REQUEST_ROWS, start=3):
        for c, applicant in enumerate(synth.APPLICANTS, start=3):
            requests.cell(r, c).text = spec.raws[(metric, applicant)]
    for i, (g, col) in enumerate((g, c) for g in synth.APPEAL_GROUPS for c in synth.APPEAL_COLS):
        appeals.cell(3, i).text = spec.raws[(f"appeals.{g}.{col}", None)]
    body = d.element.body
    title = d.paragraphs[0]
    title.text = f"{spec.agency}{spec.year}年政府信息公开工作年度报告"
    d.add_paragraph(spec.agency)
    d.add_paragraph(f"{spec.year + 1}年1月20日")
    assert body is not None
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def check(spec: synth.Spec, data: bytes, name: str) -> None:
    report = normalize_bytes(data, name)
    got = {(f.metric, f.applicant): f for f in report.facts}
    want = expected(spec)
    wrong = [(k, v, got[k].value if k in got else "missing") for k, v in want.items()
             if k not in got or not same(v, got[k].value)]
    assert not wrong, f"{name}: {len(wrong)} of {len(want)} cells wrong: {wrong[:6]}"
    assert report.status == "ok", report.meta["error"]
    assert report.meta["cells_found"] == report.meta["cells_expected"] == len(want) == 200
    assert report.meta["template"] == "2021" and report.meta["year"] == spec.year
    assert not [c for c in report.checks if not c.ok]


pytestmark = pytest.mark.skipif(not BLANK_2021.exists(), reason="the official template is in ../shared/corpus")


@pytest.mark.parametrize("zeros", list(ZERO_STYLES))
@pytest.mark.parametrize("seed", [1, 2])
def test_official_docx(zeros, seed):
    spec = official_spec(seed, zeros)
    check(spec, fill_official(spec), "r.docx")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("zeros", list(ZERO_STYLES))
@pytest.mark.parametrize("noise", [False, True])
def test_official_markdown(style, zeros, noise):
    spec = official_spec(f"{style}-{zeros}-{noise}", zeros)
    check(spec, to_markdown(fill_official(spec), style, noise, spec.agency), "r.md")


def _map(rows: list[list[str]], heading: str = "三、收到和处理政府信息公开申请情况"):
    doc = Document(blocks=[Paragraph(heading), Grid([[Cell(t) for t in r] for r in rows])], format="docx")
    return {(f.metric, f.applicant): f for f in map_stream(build(doc), 2021, doc).facts}


def test_label_printed_above_its_numbers_is_placed_by_order():
    facts = _map([
        ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"],
        ["二、上年结转政府信息公开申请数量"],
        ["", "1", "0", "0", "0", "0", "0", "1"],
        ["（一）予以公开", "2", "0", "0", "0", "0", "0", "2"],
    ])
    assert facts[("requests.carried_over", "total")].value == 1
    assert facts[("requests.granted", "natural_person")].value == 2


def test_unlabeled_row_fills_the_one_missing_row_when_its_sum_holds():
    rows = [["（一）予以公开", "2", "0", "0", "0", "0", "0", "2"],
            ["", "1", "1", "0", "0", "0", "0", "2"],  # （二）部分公开, label lost
            ["1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"]]
    facts = _map(rows)
    assert facts[("requests.partially_granted", "commercial")].value == 1
    rows[1][-1] = "3"  # the row's total no longer confirms the placement: left out
    assert ("requests.partially_granted", "total") not in _map(rows)


def test_table_four_in_three_sub_tables_read_whole():
    blocks = [Paragraph("四、政府信息公开行政复议、行政诉讼情况")]
    for name, vals in (("行政复议", "1 0 0 0 1"), ("未经复议直接起诉", "0 2 0 0 2"), ("复议后起诉", "0 0 0 3 3")):
        blocks += [Paragraph(name), Grid([[Cell(w) for w in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]],
                                          [Cell(v) for v in vals.split()]])]
    doc = Document(blocks=blocks, format="docx")
    from normalize.gridmap import read_grids
    from normalize.facts import Mapped
    from normalize.mapping import _appeals_from_grid
    out = Mapped()
    assert _appeals_from_grid(read_grids(doc).appeals, out)
    got = {f.metric: f.value for f in out.facts}
    assert got["appeals.review.upheld"] == 1 and got["appeals.litigation_direct.corrected"] == 2
    assert got["appeals.litigation_after_review.pending"] == 3 and got["appeals.litigation_after_review.total"] == 3


def test_repeated_header_and_page_footer_rows_are_not_values():
    facts = _map([
        ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
        ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"],
        ["— 5 —"], ["", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", ""],
        ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
        ["二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"],
    ])
    assert facts[("requests.new", "total")].value == 3
    assert facts[("requests.carried_over", "total")].value == 0
    assert all(f.note is None for f in facts.values())


def test_path_exists():
    assert Path(BLANK_2021).exists()
