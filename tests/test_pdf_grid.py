"""PDF tables read from cell geometry (normalize/extract/pdf_grid.py), on PDFs built here.

Each case is a layout that reading-order text gets wrong: blank cells, labels wrapped
over lines, merged cells, a table continued on the next page with its header repeated,
a row cut by the page break, page numbers and a running header between the parts.
"""

from __future__ import annotations

import pdfmake
import pytest

from normalize import normalize_bytes
from normalize.document import Grid, Paragraph
from normalize.extract import ExtractError
from normalize.extract import pdf as pdf_reader
from normalize.extract.pdf import read_pdf

HEADER = ["信息内容", "制发", "废止", "有效"]
WIDTHS = [140, 60, 60, 60]


def grids(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row] for row in b.rows] for b in read_pdf(data).blocks if isinstance(b, Grid)]


def paragraphs(data: bytes) -> list[str]:
    return [b.text for b in read_pdf(data).blocks if isinstance(b, Paragraph)]


def test_blank_cells_stay_cells_and_wrapped_labels_join():
    p = pdfmake.Page()
    p.text(72, 800, "二、主动公开政府信息情况")
    p.table(
        72,
        780,
        WIDTHS,
        [
            HEADER,
            ["规章", "1", "", "3"],
            ["行政规范性\n文件", "", "5", ""],
            ["3.危\n及“三安全\n一稳定”", "", "", "7"],
        ],
    )
    p.text(72, 600, "三、收到和处理政府信息公开申请情况")
    [grid] = grids(pdfmake.build([p]))
    assert grid == [
        HEADER,
        ["规章", "1", "", "3"],
        ["行政规范性文件", "", "5", ""],
        ["3.危及“三安全一稳定”", "", "", "7"],
    ]
    assert paragraphs(pdfmake.build([p])) == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]


def test_merged_cells_are_span_copies():
    p = pdfmake.Page()
    p.table(
        72,
        780,
        WIDTHS,
        [
            ["第二十条第（一）项", None, None, None],
            HEADER,
            ["规章", "1", "2", "3"],
            ["第二十条第（五）项", None, None, None],
            ["信息内容", "本年处理决定数量", None, None],
            ["行政许可", "12", None, None],
        ],
    )
    doc = read_pdf(pdfmake.build([p]))
    [grid] = doc.grids()
    assert [[c.text for c in r] for r in grid.rows][3:] == [
        ["第二十条第（五）项"] * 4,
        ["信息内容"] + ["本年处理决定数量"] * 3,
        ["行政许可", "12", "12", "12"],
    ]
    assert [[c.span_copy for c in r] for r in grid.rows][5] == [False, False, True, True]


def test_borders_drawn_as_thin_filled_bars():
    p = pdfmake.Page()
    xs = [72, 212, 272]
    for y in (780, 760, 740):
        p.bar(xs[0], y - 0.3, xs[-1] - xs[0], 0.6)
    for x in xs:
        p.bar(x - 0.3, 740, 0.6, 40)
    p.text(74, 766, "规章")
    p.text(214, 746, "9")
    p.text(72, 700, "以上为第二十条第（一）项主动公开情况。")
    assert grids(pdfmake.build([p])) == [[["规章", ""], ["", "9"]]]


def _two_pages(first_rows, second_rows, *, noise: bool = True) -> bytes:
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    for page, number in ((p1, 1), (p2, 2)):
        if noise:
            page.text(250, 815, "淮安市测试局")  # running header at the top of every page
            page.text(270, 30, f"— {number} —")
    p1.text(72, 790, "淮安市测试局2023年政府信息公开工作年度报告")
    p1.text(72, 700, "三、收到和处理政府信息公开申请情况")
    p1.table(72, 680, WIDTHS, first_rows)
    p2.table(72, 790, WIDTHS, second_rows)
    p2.text(72, 500, "四、政府信息公开行政复议、行政诉讼情况")
    if noise:
        p2.text(240, 50, "第 2 页 共 2 页")
    return pdfmake.build([p1, p2])


def test_table_continued_on_next_page_is_joined_and_repeated_header_dropped():
    data = _two_pages([HEADER, ["规章", "1", "2", "3"]], [HEADER, ["行政规范性文件", "4", "", "6"]])
    assert grids(data) == [[HEADER, ["规章", "1", "2", "3"], ["行政规范性文件", "4", "", "6"]]]
    text = paragraphs(data)
    assert text == [
        "淮安市测试局",
        "淮安市测试局2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]  # page numbers and the header on page 2 dropped


def test_row_cut_by_the_page_break_is_rejoined():
    label = "5.要求行政机关确认或重新出具已"  # runs to the cell's right edge: the line was cut
    widths = [9 * len(label) + 4, 40, 40, 40]
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.table(72, 300, widths, [["（五）不予处理", "1", "", "1"], [label, "", "", ""]])
    p2.table(72, 790, widths, [["获取信息", "3", "", "3"], ["（六）其他处理", "", "", ""]])
    assert grids(pdfmake.build([p1, p2])) == [
        [
            ["（五）不予处理", "1", "", "1"],
            ["5.要求行政机关确认或重新出具已获取信息", "3", "", "3"],
            ["（六）其他处理", "", "", ""],
        ]
    ]


def test_merged_label_cut_by_the_page_break_carries_on():
    widths = [70, 140, 40, 40]
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.text(72, 400, "三、收到和处理政府信息公开申请情况")
    p1.table(
        72,
        300,
        widths,
        [
            ["（三）不予公开", "8.属于行政查询事项", "1", "1"],
            ["（四）无法提供", "1.本机关不掌握相关政府信息", "2", "2"],
        ],
    )
    p2.table(
        72,
        790,
        widths,
        [
            ["", "2.没有现成信息需要另行制作", "", ""],
            ["^", "3.补正后申请内容仍不明确", "3", "3"],
            ["（五）不予处理", "1.信访举报投诉类申请", "", ""],
        ],
    )
    doc = read_pdf(pdfmake.build([p1, p2]))
    rows = [[(c.text, c.span_copy) for c in r] for r in doc.grids()[0].rows]
    assert [r[0] for r in rows] == [
        ("（三）不予公开", False),
        ("（四）无法提供", False),
        ("（四）无法提供", True),
        ("（四）无法提供", True),
        ("（五）不予处理", False),
    ]
    assert rows[2][2:] == [("", False), ("", False)]  # blank values are never filled from above


def test_last_row_without_its_bottom_line_and_open_sides():
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.text(72, 400, "三、收到和处理政府信息公开申请情况")
    rows = [HEADER, ["规章", "1", "2", "3"], ["行政规范性文件", "4", "", "6"]]
    p1.table(72, 300, WIDTHS, rows, close=False)
    p2.table(72, 790, WIDTHS, [["行政许可", "7", "8", "9"]])
    assert grids(pdfmake.build([p1, p2])) == [rows + [["行政许可", "7", "8", "9"]]]
    p = pdfmake.Page()  # no outer verticals: the horizontal rules' common ends are the edges
    p.text(72, 800, "二、主动公开政府信息情况")
    for y in (780, 760, 740):
        p.line(72, y, 332, y)
    for x in (212, 272):
        p.line(x, 780, x, 740)
    for x, y, t in (
        (74, 766, "规章"),
        (214, 766, "1"),
        (274, 766, "2"),
        (74, 746, "行政规范性文件"),
        (274, 746, "5"),
    ):
        p.text(x, y, t)
    assert grids(pdfmake.build([p])) == [[["规章", "1", "2"], ["行政规范性文件", "", "5"]]]


def test_label_on_one_page_numbers_on_the_next_are_one_row():
    data = _two_pages(
        [HEADER, ["规章", "1", "2", "3"], ["行政规范性文件", "", "", ""]],
        [["", "4", "", "6"], ["行政许可", "7", "8", "9"]],
    )
    assert grids(data)[0][2:] == [["行政规范性文件", "4", "", "6"], ["行政许可", "7", "8", "9"]]


def test_whole_rows_on_both_sides_of_a_break_stay_apart():
    # blank (zero) rows: both complete, neither label runs to the edge → never glued together
    data = _two_pages(
        [HEADER, ["行政处罚", "", "", ""]], [["行政强制", "", "", ""], ["行政许可", "1", "", "1"]]
    )
    assert grids(data) == [
        [HEADER, ["行政处罚", "", "", ""], ["行政强制", "", "", ""], ["行政许可", "1", "", "1"]]
    ]
    # a numbered item never continues the label above it
    widths = [9 * 11 + 4, 40, 40, 40]  # the first label fills its cell
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.text(72, 400, "（五）不予处理的申请情况如下。")
    p1.table(72, 300, widths, [["1.信访举报投诉类申请", "", "", ""]])
    p2.table(72, 790, widths, [["2.重复申请", "", "", ""]])
    assert grids(pdfmake.build([p1, p2])) == [
        [["1.信访举报投诉类申请", "", "", ""], ["2.重复申请", "", "", ""]]
    ]


def test_tables_with_other_columns_are_not_joined():
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.table(72, 300, WIDTHS, [HEADER, ["规章", "1", "2", "3"]])
    p2.table(72, 790, [30] * 15, [[str(i) for i in range(15)]])
    assert len(grids(pdfmake.build([p1, p2]))) == 2


def test_page_without_ruling_lines_uses_the_text_path():
    p1 = pdfmake.Page()
    p1.text(72, 790, "一、总体情况")
    p1.text(72, 770, "规章 1 2 3")
    p2 = pdfmake.Page()
    p2.table(72, 790, WIDTHS, [HEADER, ["规章", "1", "", "3"]])
    doc = read_pdf(pdfmake.build([p1, p2]))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "Grid"]
    assert doc.blocks[1].text == "规章 1 2 3"


def test_scanned_pdf_needs_ocr_and_the_hook_is_per_page(monkeypatch):
    from normalize.extract import ocr

    monkeypatch.setattr(ocr, "missing", lambda: "OCR is not installed: pip install -e '.[ocr]'")
    data = pdfmake.build([pdfmake.Page().draw_image(), pdfmake.Page().draw_image()])
    with pytest.raises(ExtractError) as err:
        read_pdf(data)
    assert err.value.code == "needs_ocr"
    assert normalize_bytes(data, "scan.pdf").meta["error"].startswith("needs_ocr")
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(data)
    assert pdf_reader.page_needs_ocr(doc[0], 0, pdfium_c)
    assert not pdf_reader.page_needs_ocr(doc[0], 50, pdfium_c)


def _bomb(chars: int, per_show: int = 1000) -> bytes:
    """One page that shows `chars` characters from a few tens of kB (the content inflates)."""
    page = pdfmake.Page()
    page.ops.append("BT /F1 1 Tf -1 Tc 10 10 Td")
    page.ops.extend(["(" + "AA" * per_show + ") Tj"] * (chars // per_show))
    page.ops.append("ET")
    return pdfmake.build([page])


def test_page_showing_20_million_characters_fails_before_the_work():
    data = _bomb(20_000_000)
    assert len(data) < 200_000  # a small file…
    report = normalize_bytes(data, "bomb.pdf")  # …refused before pdfium builds 20 M character boxes
    assert report.status == "failed"
    assert report.meta["error"].startswith("too_large: a drawing stream inflates past")


def test_caps_on_pages_objects_and_characters(monkeypatch):
    many = pdfmake.build([pdfmake.Page() for _ in range(pdf_reader.MAX_PAGES + 1)])
    assert normalize_bytes(many, "many.pdf").meta["error"].startswith("too_large: the PDF has 401 pages")
    p = pdfmake.Page()
    p.table(72, 790, WIDTHS, [HEADER, ["规章", "1", "", "3"]])
    data = pdfmake.build([p])
    monkeypatch.setattr(pdf_reader, "MAX_OBJECTS_PER_PAGE", 10)
    assert "page 1 draws more than 10 objects" in normalize_bytes(data, "r.pdf").meta["error"]
    monkeypatch.setattr(pdf_reader, "MAX_OBJECTS_PER_PAGE", 100_000)
    monkeypatch.setattr(pdf_reader, "MAX_CHARS_PER_PAGE", 5)
    assert "page 1 shows more than 5 characters" in normalize_bytes(data, "r.pdf").meta["error"]


def test_number_wrapped_in_a_narrow_cell_joins_but_two_numbers_do_not():
    p = pdfmake.Page()
    p.text(72, 800, "三、收到和处理政府信息公开申请情况")
    p.table(72, 780, [120, 40, 40], [["一、本年新收", "1009\n2", "12\n34"]])
    assert grids(pdfmake.build([p])) == [[["一、本年新收", "10092", "12 34"]]]


def test_wrapped_number_cut_by_the_page_break_is_rejoined():
    # LibreOffice wraps 10092 in a narrow cell as "1009" / "2"; a page break can fall between
    p1, p2 = pdfmake.Page(), pdfmake.Page()
    p1.text(72, 400, "三、收到和处理政府信息公开申请情况")
    p1.table(72, 300, [120, 40, 40], [["申请人情况", "自然人", "总计"], ["一、本年新收", "9", "1009"]])
    p2.table(72, 790, [120, 40, 40], [["", "", "2"], ["二、上年结转", "3", "12"]])
    assert grids(pdfmake.build([p1, p2])) == [
        [["申请人情况", "自然人", "总计"], ["一、本年新收", "9", "10092"], ["二、上年结转", "3", "12"]]
    ]


def test_damaged_page_is_a_clear_error_not_an_internal_one():
    import re

    p = pdfmake.Page()
    p.text(72, 700, "一、总体情况 本机关全年共收到申请二十件。")
    data = pdfmake.build([p, pdfmake.Page()])
    broken = re.sub(rb"/Kids \[(\d+) 0 R \d+ 0 R\]", rb"/Kids [\1 0 R 3 0 R]", data)  # page 2 → the font
    assert broken != data
    report = normalize_bytes(broken, "r.pdf")
    assert report.status == "failed"
    assert report.meta["error"] == "bad_pdf: page 2 is damaged and cannot be read"
