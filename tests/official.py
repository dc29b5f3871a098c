"""Reports built from the official national template DOCX, filled with known values.

The 2021 report is the blank template in ../shared/corpus/templates (real merged cells:
labels over three grid columns, vMerge groups, 3-row headers) with its value cells filled;
the 2019 report is the same document with table 二 and （六） changed to the 2019 layout.
Zeros can be printed as "0", left blank, "/" or the literal text "&nbsp;".  Renderings:
DOCX, PDF by LibreOffice (one soffice call per batch), and PDFs whose page break cuts a
chosen row of table 三.  Used by tests/test_official.py and by other test suites.
"""

from __future__ import annotations

import copy
import io
import os
import random
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from conftest import CORPUS
from lxml import etree

TEMPLATE_DOCX = CORPUS / "templates" / "official_2021_blank.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
ZERO_STYLES = {"zero": "0", "blank": "", "slash": "/", "nbsp": "&nbsp;"}
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"]
AGENCY = "淮安市洪泽区示范局"
YEARS = {"2019": 2020, "2021": 2023}

# table 二 per template: (sub-table heading, column headers, [(row label, [metric per value column])])
ACTIVE = {
    "2021": [
        (
            "第二十条第（一）项",
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            [
                ("规章", ["active.rules.issued", "active.rules.repealed", "active.rules.in_force"]),
                (
                    "行政规范性文件",
                    ["active.normative.issued", "active.normative.repealed", "active.normative.in_force"],
                ),
            ],
        ),
        (
            "第二十条第（五）项",
            ["信息内容", "本年处理决定数量"],
            [("行政许可", ["active.licensing.decisions"])],
        ),
        (
            "第二十条第（六）项",
            ["信息内容", "本年处理决定数量"],
            [("行政处罚", ["active.penalty.decisions"]), ("行政强制", ["active.coercion.decisions"])],
        ),
        (
            "第二十条第（八）项",
            ["信息内容", "本年收费金额（单位：万元）"],
            [("行政事业性收费", ["active.fees.amount"])],
        ),
    ],
    "2019": [
        (
            "第二十条第（一）项",
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [
                ("规章", ["active.rules.made", "active.rules.published", "active.rules.published_total"]),
                (
                    "规范性文件",
                    [
                        "active.normative.made",
                        "active.normative.published",
                        "active.normative.published_total",
                    ],
                ),
            ],
        ),
        (
            "第二十条第（五）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [
                (
                    "行政许可",
                    ["active.licensing.prior_year", "active.licensing.change", "active.licensing.decisions"],
                ),
                (
                    "其他对外管理服务事项",
                    [
                        "active.other_services.prior_year",
                        "active.other_services.change",
                        "active.other_services.decisions",
                    ],
                ),
            ],
        ),
        (
            "第二十条第（六）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [
                (
                    "行政处罚",
                    ["active.penalty.prior_year", "active.penalty.change", "active.penalty.decisions"],
                ),
                (
                    "行政强制",
                    ["active.coercion.prior_year", "active.coercion.change", "active.coercion.decisions"],
                ),
            ],
        ),
        (
            "第二十条第（八）项",
            ["信息内容", "上一年项目数量", "本年增/减"],
            [("行政事业性收费", ["active.fees.prior_year", "active.fees.change"])],
        ),
        (
            "第二十条第（九）项",
            ["信息内容", "采购项目数量", "采购总金额"],
            [("政府集中采购", ["active.procurement.projects", "active.procurement.amount"])],
        ),
    ],
}
_OUTCOMES = [
    "granted",
    "partially_granted",
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.endangers_stability",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_information",
    "withheld.enforcement_file",
    "withheld.administrative_query",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
]
OTHER = {"2019": ["other"], "2021": ["other.overdue_correction", "other.unpaid_fee", "other.other"]}


def request_rows(template: str) -> list[str]:
    """Table 三's data rows top to bottom, as metric codes (23 in 2019, 25 in 2021)."""
    mid = [f"requests.{m}" for m in _OUTCOMES + OTHER[template]]
    return ["requests.new", "requests.carried_over", *mid, "requests.total", "requests.carried_forward"]


APPEALS = [
    f"appeals.{g}.{c}"
    for g in ("review", "litigation_direct", "litigation_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
]


# --- values --------------------------------------------------------------------------------


def known_values(template: str, seed: int) -> dict:
    """Random facts satisfying every identity of the template, many of them zero.

    Shape of ../shared/corpus/*/expected/*.json "facts"; money in 元 (the 2021 fee
    column prints 万元, so amounts are whole hundreds of 元).
    """
    rng = random.Random(f"official-{template}-{seed}")
    sparse = lambda hi: 0 if rng.random() < 0.5 else rng.randint(1, hi)  # noqa: E731
    facts: dict = {}
    for _, _, rows in ACTIVE[template]:
        for _, metrics in rows:
            for m in metrics:
                if m == "active.fees.amount":
                    facts[m] = float(sparse(99999) * 100)
                elif m == "active.procurement.amount":
                    facts[m] = float(sparse(9_999_999))
                elif m.endswith(".change"):
                    prior = facts[m.replace(".change", ".prior_year")]
                    facts[m] = rng.randint(-prior, 20) if rng.random() < 0.7 else 0
                else:
                    facts[m] = sparse(rng.choice([9, 99, 9999]))
    rows = request_rows(template)
    outcomes = rows[2:-2]
    cols: dict[str, dict[str, int]] = {}
    for a in APPLICANTS:
        hi = 3000 if a == "natural_person" else 40
        col = {m: sparse(rng.choice([3, hi])) for m in outcomes}
        col["requests.total"] = sum(col[m] for m in outcomes)
        col["requests.carried_forward"] = sparse(30)
        handled = col["requests.total"] + col["requests.carried_forward"]
        col["requests.carried_over"] = min(sparse(30), handled)
        col["requests.new"] = handled - col["requests.carried_over"]
        cols[a] = col
    for m in rows:
        per = {a: cols[a][m] for a in APPLICANTS}
        facts[m] = {**per, "total": sum(per.values())}
    for group in range(3):
        parts = [sparse(rng.choice([3, 60])) for _ in range(4)]
        for metric, v in zip(APPEALS[group * 5 : group * 5 + 5], [*parts, sum(parts)]):
            facts[metric] = v
    return facts


def expected_cells(facts: dict, zero_style: str) -> dict[tuple[str, str | None], float | None]:
    """What the normaliser must return: zeros printed blank, "/" or "&nbsp;" come back null."""
    out: dict[tuple[str, str | None], float | None] = {}
    for metric, v in facts.items():
        for applicant, x in v.items() if isinstance(v, dict) else [(None, v)]:
            out[(metric, applicant)] = None if (x == 0 and zero_style != "zero") else float(x)
    return out


def printed(metric: str, value: float, zero_style: str) -> str:
    """The cell text for one value (万元 in the 2021 fee column)."""
    if value == 0:
        return ZERO_STYLES[zero_style]
    if metric == "active.fees.amount":
        return f"{value / 10000:.2f}".rstrip("0").rstrip(".")
    return str(int(value))


# --- DOCX ------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _cell_text(tc) -> str:
    return "".join(tc.itertext()).strip()


def _set_text(tc, text: str) -> None:
    """Replace a cell's (or paragraph's) text with one 宋体 10pt run in its first paragraph."""
    paras = tc.findall(_q("p")) if tc.tag == _q("tc") else [tc]
    for extra in paras[1:]:
        tc.remove(extra)
    p = paras[0]
    for child in list(p):
        if child.tag != _q("pPr"):
            p.remove(child)
    if not text:
        return
    run = etree.SubElement(p, _q("r"))
    rpr = etree.SubElement(run, _q("rPr"))
    etree.SubElement(
        rpr,
        _q("rFonts"),
        {_q("ascii"): "宋体", _q("hAnsi"): "宋体", _q("eastAsia"): "宋体", _q("hint"): "eastAsia"},
    )
    if tc.tag == _q("tc"):
        etree.SubElement(rpr, _q("sz"), {_q("val"): "20"})
    t = etree.SubElement(run, _q("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _merge_tail(tr, keep: int) -> None:
    """Keep `keep` cells of a 4-cell row; the last one spans the rest of the grid."""
    tcs = tr.findall(_q("tc"))
    span = len(tcs) - keep + 1
    for tc in tcs[keep:]:
        tr.remove(tc)
    if span > 1:
        pr = tcs[keep - 1].find(_q("tcPr"))
        pr.find(_q("tcW")).set(_q("w"), str(2435 * span))
        gs = etree.Element(_q("gridSpan"), {_q("val"): str(span)})
        pr.find(_q("tcW")).addnext(gs)


def _build_active_2019(tbl) -> None:
    """Rewrite table 二 in the 2019 layout, from the 2021 table's own rows (same borders)."""
    trs = tbl.findall(_q("tr"))
    heading, header, data = trs[0], trs[1], trs[2]
    for tr in trs:
        tbl.remove(tr)
    for title, columns, rows in ACTIVE["2019"]:
        tr = copy.deepcopy(heading)
        _set_text(tr.find(_q("tc")), title)
        tbl.append(tr)
        for texts in [columns] + [[label] + [""] * len(ms) for label, ms in rows]:
            tr = copy.deepcopy(header if texts is columns else data)
            _merge_tail(tr, len(texts))
            for tc, text in zip(tr.findall(_q("tc")), texts):
                _set_text(tc, text)
            tbl.append(tr)


def _other_2019(tbl) -> None:
    """2019 （六）其他处理 is one data row: replace the three 2021 sub-rows by one."""
    trs = tbl.findall(_q("tr"))
    subs = [tr for tr in trs if "其他处理" in _cell_text(tr.findall(_q("tc"))[1])]
    granted = next(tr for tr in trs if "部分公开" in "".join(tr.itertext()))  # a vMerge-continue row
    row = copy.deepcopy(granted)
    _set_text(row.findall(_q("tc"))[1], "（六）其他处理")
    subs[0].addprevious(row)
    for tr in trs[trs.index(subs[0]) : trs.index(subs[0]) + 3]:
        tbl.remove(tr)


def _fill_active(tbl, template: str, values: dict, zero_style: str) -> None:
    want = {label: ms for _, _, rows in ACTIVE[template] for label, ms in rows}
    for tr in tbl.findall(_q("tr")):
        tcs = tr.findall(_q("tc"))
        metrics = want.pop(_cell_text(tcs[0]), None)
        if metrics is None:
            continue
        for tc, m in zip(tcs[1:], metrics, strict=True):
            _set_text(tc, printed(m, values[m], zero_style))
    assert not want, f"table 二 rows not found in the template: {list(want)}"


def _fill_requests(tbl, template: str, values: dict, zero_style: str) -> None:
    trs = tbl.findall(_q("tr"))
    rows = trs[next(i for i, tr in enumerate(trs) if "本年新收" in "".join(tr.itertext())) :]
    metrics = request_rows(template)
    assert len(rows) == len(metrics), (len(rows), len(metrics))
    for tr, m in zip(rows, metrics):
        for tc, a in zip(tr.findall(_q("tc"))[-7:], APPLICANTS + ["total"]):
            _set_text(tc, printed(m, values[m][a], zero_style))


def _fill_appeals(tbl, values: dict, zero_style: str) -> None:
    tr = tbl.findall(_q("tr"))[-1]
    for tc, m in zip(tr.findall(_q("tc")), APPEALS, strict=True):
        _set_text(tc, printed(m, values[m], zero_style))


def _prose(template: str, values: dict, agency: str, year: int) -> dict[str, str]:
    """Text for the template's placeholders, with headline figures that agree with the tables."""
    new = values["requests.new"]["total"]
    return {
        "政府信息公开工作年度报告格式模板": f"{agency}{year}年政府信息公开工作年度报告",
        "（文字描述）#1": f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
        f"全年共收到政府信息公开申请{new}件，均已依法依规答复。",
        "（文字描述）#2": "一是公开内容不够全面；二是解读形式较为单一。下一步将加强培训，提高公开质量。",
        "（文字描述，收取信息处理费情况在此处报告。）": "本年度未收取信息处理费。",
    }


def _document_xml(
    template: str,
    values: dict,
    zero_style: str,
    agency: str,
    year: int,
    page_height_twips: int | None = None,
    splittable: bool = False,
) -> bytes:
    with zipfile.ZipFile(TEMPLATE_DOCX) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    body = root.find(_q("body"))
    active, requests, appeals = body.findall(_q("tbl"))
    if template == "2019":
        _build_active_2019(active)
        _other_2019(requests)
    _fill_active(active, template, values, zero_style)
    _fill_requests(requests, template, values, zero_style)
    _fill_appeals(appeals, values, zero_style)
    prose = _prose(template, values, agency, year)
    seen = 0
    for p in body.findall(_q("p")):
        text = "".join(p.itertext()).strip()
        if text == "（文字描述）":
            seen += 1
            text = f"{text}#{seen}"
        if text in prose:
            _set_text(p, prose[text])
    sign = copy.deepcopy(body.findall(_q("p"))[-2])
    _set_text(sign, f"{agency}    {year + 1}年1月20日")
    body.findall(_q("p"))[-1].addprevious(sign)
    if page_height_twips:
        body.find(_q("sectPr")).find(_q("pgSz")).set(_q("h"), str(page_height_twips))
    if splittable:  # no widow/orphan control in table 三: a two-line label can be cut after line 1
        for wc in requests.iter(_q("widowControl")):
            wc.set(_q("val"), "0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _zip_with(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(TEMPLATE_DOCX) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = document_xml if item.filename == "word/document.xml" else src.read(item.filename)
            out.writestr(item, data)
    return buf.getvalue()


def fill_docx(
    template: str,
    values: dict,
    zero_style: str = "zero",
    *,
    agency: str = AGENCY,
    year: int | None = None,
    page_height_twips: int | None = None,
) -> bytes:
    """The official template as a DOCX with `values` printed in its cells."""
    if zero_style not in ZERO_STYLES:
        raise ValueError(f"zero_style must be one of {sorted(ZERO_STYLES)}")
    return _zip_with(
        _document_xml(
            template, values, zero_style, agency, year or YEARS[template], page_height_twips=page_height_twips
        )
    )


# --- the page break through every row of table 三 ----------------------------------------------

TALL_TWIPS = 44000  # a 31-inch page: the measuring render has table 三 whole on page 1
BOTTOM_MARGIN_PT = 72  # the template's w:pgMar bottom (1440 twips)


def requests_row_bounds(pdf: bytes) -> list[tuple[float, float]]:
    """(top, bottom) in points from the page top of each data row of table 三 on page 1."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from normalize.extract import pdf_grid

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    try:
        height = page.get_height()
        tp = page.get_textpage()
        chars = pdf_grid.page_chars(tp, pdfium_c)
        tables, _ = pdf_grid.page_tables(*pdf_grid.page_rules(page, pdfium_c, 100_000), chars)
        tp.close()
    finally:
        page.close()
        doc.close()
    table = next((t for t in tables if any("本年新收" in c.text for r in t.rows for c in r)), None)
    if table is None:
        return []
    first = next(i for i, r in enumerate(table.rows) if any("本年新收" in c.text for c in r))
    return [(height - table.ys[i], height - table.ys[i + 1]) for i in range(first, len(table.rows))]


def measuring_docx(template: str, values: dict, zero_style: str) -> bytes:
    """The report on a page tall enough for table 三 to sit whole on page 1."""
    return fill_docx(template, values, zero_style, page_height_twips=TALL_TWIPS)


def page_break_docxs(template: str, values: dict, zero_style: str, measured_pdf: bytes) -> list[bytes]:
    """One DOCX per data row of table 三 whose first page ends in the middle of that row.

    The page is made just tall enough (same width and margins, so the same layout) for its
    bottom margin to fall at the row's middle, as measured on `measured_pdf` (the render of
    `measuring_docx`).  A row that cannot be split moves whole to the next page; its merged
    group label is then the cell that is cut.
    """
    out = []
    for top, bottom in requests_row_bounds(measured_pdf):
        height_pt = (top + bottom) / 2 + BOTTOM_MARGIN_PT
        xml = _document_xml(
            template,
            values,
            zero_style,
            AGENCY,
            YEARS[template],
            page_height_twips=round(height_pt * 20),
            splittable=True,
        )
        out.append(_zip_with(xml))
    return out


# --- PDF -------------------------------------------------------------------------------------


def docx_to_pdf(docxs: list[bytes], timeout_s: int = 300) -> list[bytes]:
    """Print DOCX files to PDF with LibreOffice, all in one soffice call (start-up dominates)."""
    from normalize.extract.office import soffice

    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is needed to render the official-template PDFs")
    with tempfile.TemporaryDirectory(prefix="ogi-official-") as tmp:
        names = []
        for i, data in enumerate(docxs):
            (Path(tmp) / f"r{i:03d}.docx").write_bytes(data)
            names.append(str(Path(tmp) / f"r{i:03d}.docx"))
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            f"{tmp}/out",
            *names,
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": tmp},
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        return [(Path(tmp) / "out" / f"r{i:03d}.pdf").read_bytes() for i in range(len(docxs))]
