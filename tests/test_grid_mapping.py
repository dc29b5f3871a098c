"""The official templates (2021 and its 2019 equivalent) filled with known values, read by position.

DOCX as agencies fill it (row labels merged over three grid columns, zeros printed as
0, blank, "/" or a literal `&nbsp;`) and the same report as Markdown/pipe text in the
styles converters print (repeated or empty merged cells, closing empty cells, tabs,
page footers and repeated header rows inside the tables): every cell back, exactly.
"""

from __future__ import annotations

import official
import pytest
from conftest import same
from markdown import STYLES, to_markdown

from normalize import normalize_bytes
from normalize.document import Cell, Document, Grid, Paragraph
from normalize.mapping import map_stream
from normalize.stream import build

ZERO_STYLES = ["zero", "blank", "slash", "nbsp"]


def check(template: str, values: dict, zeros: str, data: bytes, name: str) -> None:
    report = normalize_bytes(data, name)
    got = {(f.metric, f.applicant): f for f in report.facts}
    want = official.expected_cells(values, zeros)
    wrong = [
        (k, v, got[k].value if k in got else "missing")
        for k, v in want.items()
        if k not in got or not same(v, got[k].value)
    ]
    assert not wrong, f"{name}: {len(wrong)} of {len(want)} cells wrong: {wrong[:6]}"
    assert report.status == "ok", report.meta["error"]
    assert report.meta["cells_found"] == report.meta["cells_expected"] == len(want)
    assert report.meta["template"] == template and report.meta["year"] == official.YEARS[template]
    assert not [c for c in report.checks if not c.ok]


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("zeros", ZERO_STYLES)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("noise", [False, True])
def test_official_markdown(template, zeros, style, noise):
    values = official.known_values(template, 3 + STYLES.index(style))
    docx = official.fill_docx(template, values, zeros)
    check(template, values, zeros, to_markdown(docx, style, noise, official.AGENCY), "r.md")


def _map(rows: list[list[str]], heading: str = "三、收到和处理政府信息公开申请情况"):
    doc = Document(blocks=[Paragraph(heading), Grid([[Cell(t) for t in r] for r in rows])], format="docx")
    return {(f.metric, f.applicant): f for f in map_stream(build(doc), 2021, doc).facts}


def test_label_printed_above_its_numbers_is_placed_by_order():
    facts = _map(
        [
            ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"],
            ["二、上年结转政府信息公开申请数量"],
            ["", "1", "0", "0", "0", "0", "0", "1"],
            ["（一）予以公开", "2", "0", "0", "0", "0", "0", "2"],
        ]
    )
    assert facts[("requests.carried_over", "total")].value == 1
    assert facts[("requests.granted", "natural_person")].value == 2


def test_unlabeled_row_fills_the_one_missing_row_when_its_sum_holds():
    rows = [
        ["（一）予以公开", "2", "0", "0", "0", "0", "0", "2"],
        ["", "1", "1", "0", "0", "0", "0", "2"],  # （二）部分公开, label lost
        ["1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"],
    ]
    facts = _map(rows)
    assert facts[("requests.partially_granted", "commercial")].value == 1
    rows[1][-1] = "3"  # the row's total no longer confirms the placement: left out
    assert ("requests.partially_granted", "total") not in _map(rows)


def test_table_four_in_three_sub_tables_read_whole():
    blocks = [Paragraph("四、政府信息公开行政复议、行政诉讼情况")]
    for name, vals in (
        ("行政复议", "1 0 0 0 1"),
        ("未经复议直接起诉", "0 2 0 0 2"),
        ("复议后起诉", "0 0 0 3 3"),
    ):
        blocks += [
            Paragraph(name),
            Grid(
                [
                    [Cell(w) for w in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]],
                    [Cell(v) for v in vals.split()],
                ]
            ),
        ]
    doc = Document(blocks=blocks, format="docx")
    from normalize.facts import Mapped
    from normalize.gridmap import read_grids
    from normalize.mapping import _appeals_from_grid

    out = Mapped()
    assert _appeals_from_grid(read_grids(doc).appeals, out)
    got = {f.metric: f.value for f in out.facts}
    assert got["appeals.review.upheld"] == 1 and got["appeals.litigation_direct.corrected"] == 2
    assert got["appeals.litigation_after_review.pending"] == got["appeals.litigation_after_review.total"] == 3


def test_repeated_header_and_page_footer_rows_are_not_values():
    facts = _map(
        [
            ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
            ["一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"],
            ["— 5 —"],
            ["", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", ""],
            ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
            ["二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"],
        ]
    )
    assert facts[("requests.new", "total")].value == 3
    assert facts[("requests.carried_over", "total")].value == 0
    assert all(f.note is None for f in facts.values())
