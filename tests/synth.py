"""Synthetic annual reports with known values, rendered through every format and quirk.

Modelled on the national templates (TEMPLATE_SPEC.md) and the corpus: merged label
columns, 3-row headers, blank or "/" cells for zero, signed changes ("增4", "減3"),
units inside cells ("160.5964万元"), GBK/Big5 pages in portal chrome, Word-exported
markup, tables split with a repeated header, traditional characters.  Used by the
tests, the benchmark and the demo portal.
"""

from __future__ import annotations

import html as htmllib
import io
import random
from dataclasses import dataclass, field

APPLICANTS = [
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other_org",
    "total",
]
OUTCOMES_19 = [
    ("requests.granted", "（一）予以公开", None),
    ("requests.partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("requests.withheld.state_secret", "1.属于国家秘密", "（三）不予公开"),
    ("requests.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", "（三）不予公开"),
    ("requests.withheld.endangers_stability", "3.危及“三安全一稳定”", "（三）不予公开"),
    ("requests.withheld.third_party_rights", "4.保护第三方合法权益", "（三）不予公开"),
    ("requests.withheld.internal_affairs", "5.属于三类内部事务信息", "（三）不予公开"),
    ("requests.withheld.process_information", "6.属于四类过程性信息", "（三）不予公开"),
    ("requests.withheld.enforcement_file", "7.属于行政执法案卷", "（三）不予公开"),
    ("requests.withheld.administrative_query", "8.属于行政查询事项", "（三）不予公开"),
    ("requests.unavailable.not_held", "1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("requests.unavailable.needs_creation", "2.没有现成信息需要另行制作", "（四）无法提供"),
    ("requests.unavailable.unclear", "3.补正后申请内容仍不明确", "（四）无法提供"),
    ("requests.not_processed.petition", "1.信访举报投诉类申请", "（五）不予处理"),
    ("requests.not_processed.duplicate", "2.重复申请", "（五）不予处理"),
    ("requests.not_processed.publication", "3.要求提供公开出版物", "（五）不予处理"),
    ("requests.not_processed.excessive", "4.无正当理由大量反复申请", "（五）不予处理"),
    ("requests.not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", "（五）不予处理"),
]
OTHER_19 = [("requests.other", "（六）其他处理", None)]
OTHER_21 = [
    (
        "requests.other.overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "（六）其他处理",
    ),
    (
        "requests.other.unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "（六）其他处理",
    ),
    ("requests.other.other", "3.其他", "（六）其他处理"),
]
APPEAL_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
APPEAL_COLS = ["upheld", "corrected", "other", "pending", "total"]
AGENCIES = [
    "淄博市应急管理局",
    "平潭综合实验区管委会",
    "淮安市洪泽区人民政府",
    "安康市统计局",
    "高陵区行政审批服务局",
    "大竹县周家镇人民政府",
    "嘉善县大云镇人民政府",
    "长春市退役军人事务局",
    "武汉市硚口区人民政府办公室",
]


@dataclass
class Spec:
    """One synthetic report: its values and how to print them."""

    template: str  # "2019" | "2021"
    year: int
    agency: str
    values: dict[tuple[str, str | None], float]
    raws: dict[tuple[str, str | None], str] = field(default_factory=dict)  # printed text per cell
    broken: list[tuple[str, str]] = field(default_factory=list)  # (rule, subject) expected to fail

    def expected(self) -> dict[tuple[str, str | None], float | None]:
        """Values as the normaliser must return them (None where printed blank or '/')."""
        out = {}
        for key, v in self.values.items():
            raw = self.raws[key]
            out[key] = None if raw.strip() in ("", "/", "—", "无") else v
        return out


def make_spec(
    rng: random.Random,
    template: str = "2021",
    year: int | None = None,
    agency: str | None = None,
    blanks: str | None = None,
    broken: bool = False,
    signed_words: bool = True,
    carried_over: dict[str, int] | None = None,
    realistic: bool = False,
) -> Spec:
    """Random values that satisfy every identity (unless `broken`).

    `carried_over` chains a report to last year's (its 结转下年度 per applicant);
    `realistic` weights outcomes the way real reports do (mostly 予以公开).
    """
    year = year or (rng.choice([2019, 2020]) if template == "2019" else rng.choice([2021, 2022, 2023, 2024]))
    vals: dict[tuple[str, str | None], float] = {}
    raws: dict[tuple[str, str | None], str] = {}

    def put(metric: str, applicant: str | None, value: float, raw: str | None = None) -> None:
        vals[(metric, applicant)] = value
        if raw is None:
            raw = str(int(value)) if value == int(value) else f"{value}"
            if value == 0 and blanks:
                raw = "" if blanks == "blank" else "/"
        raws[(metric, applicant)] = raw

    small = lambda hi=30: rng.choice([0, 0, 0, rng.randint(1, hi)])  # noqa: E731
    if template == "2019":
        for kind in ("rules", "normative"):
            made = small(9)
            put(f"active.{kind}.made", None, made)
            put(f"active.{kind}.published", None, made)
            put(f"active.{kind}.published_total", None, made + rng.randint(0, 90))
        for kind in ("licensing", "other_services", "penalty", "coercion"):
            prior = rng.randint(0, 3000)
            change = rng.randint(-prior, 500) if prior else rng.randint(0, 50)
            put(f"active.{kind}.prior_year", None, prior)
            if signed_words and change:
                word = rng.choice(["增", "+"]) if change > 0 else rng.choice(["减", "減", "-"])
                put(f"active.{kind}.change", None, change, f"{word}{abs(change)}")
            else:
                put(f"active.{kind}.change", None, change)
            put(f"active.{kind}.decisions", None, rng.randint(0, 5000))
        put("active.fees.prior_year", None, small(5))
        put("active.fees.change", None, 0)
        put("active.procurement.projects", None, rng.randint(0, 60))
        wan = rng.randint(0, 9_999_999) / 10000
        if rng.random() < 0.5:
            put(
                "active.procurement.amount",
                None,
                round(wan * 10000),
                f"{wan:.4f}".rstrip("0").rstrip(".") + "万元",
            )
        else:
            put("active.procurement.amount", None, round(wan * 10000))
        others = OTHER_19
    else:
        for kind in ("rules", "normative"):
            put(f"active.{kind}.issued", None, small(9))
            put(f"active.{kind}.repealed", None, small(9))
            put(f"active.{kind}.in_force", None, rng.randint(0, 120))
        for kind in ("licensing", "penalty", "coercion"):
            put(f"active.{kind}.decisions", None, rng.randint(0, 50000))
        wan = rng.randint(0, 99_999_999) / 100
        put("active.fees.amount", None, round(wan * 10000, 2), f"{wan:.2f}")
        others = OTHER_21
    outcome_rows = [m for m, _, _ in OUTCOMES_19 + others]
    for applicant in APPLICANTS[:-1]:
        busy = applicant == "natural_person" or rng.random() < 0.25
        if realistic:
            heavy = {
                "requests.granted": 60,
                "requests.partially_granted": 12,
                "requests.unavailable.not_held": 15,
            }
            per = {
                m: (
                    rng.randint(heavy[m] // 6, heavy[m])
                    if m in heavy
                    else rng.choice([0, 0, 0, rng.randint(1, 5)])
                )
                if busy
                else 0
                for m in outcome_rows
            }
        else:
            per = {m: (rng.choice([0, 0, 0, rng.randint(1, 40)]) if busy else 0) for m in outcome_rows}
        total = sum(per.values())
        forward = rng.choice([0, 0, rng.randint(0, 5)]) if busy else 0
        carried = rng.choice([0, 0, rng.randint(0, 5)]) if busy else 0
        if carried_over is not None:
            carried = carried_over.get(applicant, 0)
        new = total + forward - carried
        if new < 0 and carried_over is not None:  # keep the chain: more outcomes instead
            per["requests.granted"] -= new
            total, new = total - new, 0
        elif new < 0:
            carried, new = carried + new, 0
            carried = total + forward - new
        for m, v in per.items():
            put(m, applicant, v)
        put("requests.total", applicant, total)
        put("requests.carried_forward", applicant, forward)
        put("requests.carried_over", applicant, carried)
        put("requests.new", applicant, new)
    for m in outcome_rows + [
        "requests.total",
        "requests.carried_forward",
        "requests.carried_over",
        "requests.new",
    ]:
        put(m, "total", sum(vals[(m, a)] for a in APPLICANTS[:-1]))
    for g in APPEAL_GROUPS:
        parts = [small(12) for _ in range(4)]
        for c, v in zip(APPEAL_COLS, parts + [sum(parts)]):
            put(f"appeals.{g}.{c}", None, v)
    spec = Spec(template, year, agency or rng.choice(AGENCIES), vals, raws)
    if broken:  # a report whose own totals are wrong: printed as is, flagged by the checks
        key = ("requests.total", "total")
        put(*key, vals[key] + 1)
        spec.broken += [
            ("requests.row_sum", "requests.total"),
            ("requests.balance", "total"),
            ("requests.outcomes_sum", "total"),
        ]
        key = ("appeals.review.total", None)
        put(*key, vals[key] + 2)
        spec.broken.append(("appeals.group_sum", "review"))
    return spec


# --- layout: tables as rows of (text, rowspan, colspan), as HTML writes them ----------

Cell = tuple[str, int, int]


def _c(text: str, rs: int = 1, cs: int = 1) -> Cell:
    return (text, rs, cs)


def active_layout(s: Spec) -> list[list[Cell]]:
    v = lambda m: _c(s.raws[(m, None)])  # noqa: E731
    if s.template == "2019":
        return [
            [_c("第二十条第（一）项", 1, 4)],
            [_c("信息内容"), _c("本年新制作数量"), _c("本年新公开数量"), _c("对外公开总数量")],
            [_c("规章")] + [v(f"active.rules.{x}") for x in ("made", "published", "published_total")],
            [_c("规范性文件")]
            + [v(f"active.normative.{x}") for x in ("made", "published", "published_total")],
            [_c("第二十条第（五）项", 1, 4)],
            [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减"), _c("处理决定数量")],
            [_c("行政许可")] + [v(f"active.licensing.{x}") for x in ("prior_year", "change", "decisions")],
            [_c("其他对外管理服务事项")]
            + [v(f"active.other_services.{x}") for x in ("prior_year", "change", "decisions")],
            [_c("第二十条第（六）项", 1, 4)],
            [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减"), _c("处理决定数量")],
            [_c("行政处罚")] + [v(f"active.penalty.{x}") for x in ("prior_year", "change", "decisions")],
            [_c("行政强制")] + [v(f"active.coercion.{x}") for x in ("prior_year", "change", "decisions")],
            [_c("第二十条第（八）项", 1, 4)],
            [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减", 1, 2)],
            [
                _c("行政事业性收费"),
                v("active.fees.prior_year"),
                _c(s.raws[("active.fees.change", None)], 1, 2),
            ],
            [_c("第二十条第（九）项", 1, 4)],
            [_c("信息内容"), _c("采购项目数量"), _c("采购总金额", 1, 2)],
            [
                _c("政府集中采购"),
                v("active.procurement.projects"),
                _c(s.raws[("active.procurement.amount", None)], 1, 2),
            ],
        ]
    return [
        [_c("第二十条第（一）项", 1, 4)],
        [_c("信息内容"), _c("本年制发件数"), _c("本年废止件数"), _c("现行有效件数")],
        [_c("规章")] + [v(f"active.rules.{x}") for x in ("issued", "repealed", "in_force")],
        [_c("行政规范性文件")] + [v(f"active.normative.{x}") for x in ("issued", "repealed", "in_force")],
        [_c("第二十条第（五）项", 1, 4)],
        [_c("信息内容"), _c("本年处理决定数量", 1, 3)],
        [_c("行政许可"), _c(s.raws[("active.licensing.decisions", None)], 1, 3)],
        [_c("第二十条第（六）项", 1, 4)],
        [_c("信息内容"), _c("本年处理决定数量", 1, 3)],
        [_c("行政处罚"), _c(s.raws[("active.penalty.decisions", None)], 1, 3)],
        [_c("行政强制"), _c(s.raws[("active.coercion.decisions", None)], 1, 3)],
        [_c("第二十条第（八）项", 1, 4)],
        [_c("信息内容"), _c("本年收费金额（单位：万元）", 1, 3)],
        [_c("行政事业性收费"), _c(s.raws[("active.fees.amount", None)], 1, 3)],
    ]


REQ_HEADER = [
    [
        _c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
        _c("申请人情况", 1, 7),
    ],
    [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
    [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")],
]


def requests_layout(s: Spec, split: bool = False) -> list[list[list[Cell]]]:
    """Table 三 as one table, or two with a repeated header (split=True)."""
    vals = lambda m: [_c(s.raws[(m, a)]) for a in APPLICANTS]  # noqa: E731
    others = OTHER_19 if s.template == "2019" else OTHER_21
    outcome = OUTCOMES_19 + others + [("requests.total", "（七）总计", None)]
    head = [
        [_c("一、本年新收政府信息公开申请数量", 1, 3)] + vals("requests.new"),
        [_c("二、上年结转政府信息公开申请数量", 1, 3)] + vals("requests.carried_over"),
    ]
    tail = [[_c("四、结转下年度继续办理", 1, 3)] + vals("requests.carried_forward")]

    def block(rows: list[tuple[str, str, str | None]]) -> list[list[Cell]]:
        out: list[list[Cell]] = []
        for i, (metric, label, group) in enumerate(rows):
            row: list[Cell] = [] if out else [_c("三、本年度办理结果", len(rows))]
            if group is None:
                row.append(_c(label, 1, 2))
            else:
                first = i == 0 or rows[i - 1][2] != group
                if first:
                    row.append(_c(group, sum(1 for r in rows if r[2] == group)))
                row.append(_c(label))
            out.append(row + vals(metric))
        return out

    if not split:
        return [REQ_HEADER + head + block(outcome) + tail]
    cut = 10  # after 8.属于行政查询事项, like the corpus' repeated "三、本年度办理结果"
    return [REQ_HEADER + head + block(outcome[:cut]), REQ_HEADER + block(outcome[cut:]) + tail]


def appeals_layout(s: Spec) -> list[list[Cell]]:
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [_c("行政复议", 1, 5), _c("行政诉讼", 1, 10)],
        [_c(w, 2) for w in words] + [_c("未经复议直接起诉", 1, 5), _c("复议后起诉", 1, 5)],
        [_c(w) for w in words * 2],
        [_c(s.raws[(f"appeals.{g}.{c}", None)]) for g in APPEAL_GROUPS for c in APPEAL_COLS],
    ]


def paragraphs(s: Spec) -> dict[str, list[str]]:
    """Narrative around the tables, section by section."""
    return {
        "title": [s.agency, f"{s.year}年政府信息公开工作年度报告"],
        "intro": [
            f"本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{s.year}年1月1日起至{s.year}年12月31日止。"
        ],
        "1": [
            "一、总体情况",
            f"{s.year}年，{s.agency}坚持以公开为常态、不公开为例外，全面推进政务公开。",
            "（一）主动公开。及时公开各类政府信息。",
            "（二）依申请公开。依法依规答复申请。",
        ],
        "2": ["二、主动公开政府信息情况"],
        "3": ["三、收到和处理政府信息公开申请情况"],
        "4": ["四、政府信息公开行政复议、行政诉讼情况"],
        "5": [
            "五、存在的主要问题及改进情况",
            "一是公开质量有待提高；二是解读形式不够丰富。下一步将加强培训。",
        ],
        "6": ["六、其他需要报告的事项", "本年度未收取信息处理费。"],
        "sign": [s.agency, f"{s.year + 1}年1月20日"],
    }


# --- renderers -------------------------------------------------------------------------


def _html_table(rows: list[list[Cell]], word: bool) -> str:
    out = ['<table border="1" cellspacing="0" class="MsoNormalTable">' if word else '<table border="1">']
    for row in rows:
        out.append("<tr>")
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            body = htmllib.escape(text)
            if word:  # Word-exported markup: spans per run, &nbsp; for empty cells
                if not text:
                    body = "&nbsp;"
                elif len(text) > 2 and text.isdigit():
                    body = (
                        f'<span lang=EN-US style="font-size:10.5pt">{text[:2]}</span>'
                        f"<span lang=EN-US>{text[2:]}</span>"
                    )
                body = (
                    f'<p class=MsoNormal align=center><span style="font-family:仿宋">{body}</span>'
                    "<o:p></o:p></p>"
                )
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


CHROME_TOP = """<div class="wza-bar"><a href="#">无障碍</a> <a href="#">长者模式</a></div>
<div class="header"><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a>\
<a href="/hdjl/">互动交流</a>
<a href="/bsfw/">办事服务</a></div></div>
<div class="location">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>"""
CHROME_BOTTOM = """<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="footer">主办单位：某某市人民政府办公室 版权所有 网站标识码3701000001 \
备案号12345678号 电话：0533-1234567</div>"""


def render_html(
    s: Spec,
    *,
    encoding: str = "utf-8",
    declared: str | None = "same",
    chrome: bool = True,
    word: bool = False,
    split: bool = False,
    traditional: bool = False,
) -> bytes:
    """A portal page: chrome around a TRS-style content div; encoding and declaration chosen."""
    p = paragraphs(s)
    body = [f"<p>{x}</p>" for x in p["intro"] + p["1"] + p["2"]]
    body.append(_html_table(active_layout(s), word))
    body += [f"<p>{x}</p>" for x in p["3"]]
    body += [_html_table(t, word) for t in requests_layout(s, split)]
    body += [f"<p>{x}</p>" for x in p["4"]]
    body.append(_html_table(appeals_layout(s), word))
    body += [f"<p>{x}</p>" for x in p["5"] + p["6"]]
    body += [f'<p style="text-align:right">{x}</p>' for x in p["sign"]]
    title = "".join(p["title"]).replace(s.agency, s.agency, 1)
    charset = {"utf-8": "utf-8", "gb18030": "gbk", "gbk": "gbk", "big5hkscs": "big5", "big5": "big5"}[
        encoding
    ]
    meta = (
        ""
        if declared is None
        else '<meta http-equiv="Content-Type" '
        f'content="text/html; charset={charset if declared == "same" else declared}">'
    )
    page = f"""<!DOCTYPE html><html><head>{meta}<title>{title}_政府信息公开年报</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{s.year + 1}-01-20 09:30">
<script>var x = "本年新收 999";</script><style>.a{{color:red}}</style></head><body>
{CHROME_TOP if chrome else ""}
<div class="article"><h1>{title}</h1><div class="TRS_Editor">
{chr(10).join(body)}
</div></div>
{CHROME_BOTTOM if chrome else ""}
</body></html>"""
    if traditional:
        page = to_traditional(page)
    return page.encode(encoding, errors="xmlcharrefreplace")


def to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _place(rows: list[list[Cell]]) -> tuple[list[tuple[int, int, int, int, str]], int]:
    """(row, col, rowspan, colspan, text) positions of a layout, and its width."""
    taken: set[tuple[int, int]] = set()
    out, width = [], 0
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, rs, cs, text))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
            width = max(width, c)
    return out, width


def render_docx(s: Spec, split: bool = False) -> bytes:
    """A Word document built like the official template: real merged cells."""
    import docx

    d = docx.Document()
    p = paragraphs(s)

    def table(rows: list[list[Cell]]) -> None:
        from docx.shared import Cm

        placed, width = _place(rows)
        t = d.add_table(rows=len(rows), cols=width)
        t.style = "Table Grid"
        t.autofit = False
        # column widths like the official template: wide label columns, narrow numbers
        widths = {4: [4.4, 3.6, 3.6, 3.6], 10: [0.9, 1.4, 4.4] + [1.35] * 7}.get(
            width, [15.6 / width] * width
        )
        for col, w in zip(t.columns, widths):
            col.width = Cm(w)  # LibreOffice lays out by the grid's column widths
        for row in t.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)
        for r, c, rs, cs, text in placed:
            cell = t.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(t.cell(r + rs - 1, c + cs - 1))
            cell.text = text

    for x in p["title"] + p["intro"] + p["1"] + p["2"]:
        d.add_paragraph(x)
    table(active_layout(s))
    d.add_paragraph(p["3"][0])
    for t in requests_layout(s, split):
        table(t)
    d.add_paragraph(p["4"][0])
    table(appeals_layout(s))
    for x in p["5"] + p["6"] + p["sign"]:
        d.add_paragraph(x)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def convert_with_libreoffice(data: bytes, suffix: str, target: str) -> bytes:
    from normalize.extract.office import convert

    return convert(data, suffix, target)


def render_pdf(s: Spec) -> bytes:
    """The DOCX rendering printed to PDF by LibreOffice (what agencies upload)."""
    return convert_with_libreoffice(render_docx(s), ".docx", "pdf")


def _render_text(s: Spec, table_lines) -> bytes:
    """Paragraphs and tables in document order; `table_lines(rows)` prints one table."""
    p = paragraphs(s)
    lines = p["title"] + p["intro"] + p["1"] + p["2"] + table_lines(active_layout(s)) + p["3"]
    for t in requests_layout(s):
        lines += table_lines(t)
    lines += p["4"] + table_lines(appeals_layout(s)) + p["5"] + p["6"] + p["sign"]
    return "\n".join(lines).encode("utf-8")


def render_seed_text(s: Spec) -> bytes:
    """One cell per line, a tab before each cell, blank line between rows (the seed's shape)."""

    def table(rows: list[list[Cell]]) -> list[str]:
        placed, width = _place(rows)
        grid: dict[tuple[int, int], str | None] = {}
        for r, c, rs, cs, text in placed:
            grid[(r, c)] = text
            for dr in range(rs):
                for dc in range(cs):
                    if dr or dc:
                        grid[(r + dr, c + dc)] = None  # covered by a merge: not printed
        out: list[str] = []
        for r in range(len(rows)):
            for c in range(width):
                if grid.get((r, c)) is not None:
                    out.append("\t" + grid[(r, c)])
                elif (r, c) not in grid:
                    out.append("\t")
            out.append("")
        return out + [""]

    return _render_text(s, table)


def render_pipe_text(s: Spec) -> bytes:
    """'a | b | c' rows: label cells then value cells per line."""
    return _render_text(s, lambda rows: [" | ".join(t for t, _, _ in row) for row in rows])
