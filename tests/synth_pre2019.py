"""Synthetic pre-2019 annual reports (2008–2018) with known headline figures.

Modelled on ../shared/corpus/pre2019/README.md: every phrasing it lists for each metric,
every trap (cumulative columns, run-together cells, a missing cell, sub-counts, other
processes, other periods, approximate numbers, money that is not fees, items that are
not requests, Chinese numerals, invisible characters), traditional characters and Big5
pages, and statistics tables as HTML grids or flattened text, with and without the
历年累计 column.  The generator knows what a careful reader should record; it never asks
the extractor.
"""

from __future__ import annotations

import html as htmllib
import random
from dataclasses import dataclass, field

M = "pre2019."
ACTIVE, RECEIVED, ANSWERED = M + "active.items", M + "requests.received", M + "requests.answered"
GRANTED, PARTIAL, REFUSED = M + "requests.granted", M + "requests.partially_granted", M + "requests.refused"
UNAVAILABLE, FEES = M + "requests.unavailable", M + "fees.amount"
REVIEW, LITIGATION, COMPLAINTS = M + "appeals.review", M + "appeals.litigation", M + "appeals.complaints"

# Phrasings as printed (README "Phrasings per metric"); {v} is the value, {Y} the year.
PHRASES: dict[str, list[str]] = {
    ACTIVE: [
        "{Y}年制作、获取政府信息总数{x}条，其中主动公开政府信息{v}条",
        "{Y}年主动公开政府信息{v}条",
        "{Y}年主动公开政府信息 {v}条",
        "{Y}年全区主动公开政府信息{v}条",
        "{Y}年新增主动公开政府信息{v}条",
        "我局{Y}年主动公开信息{v}条",
        "{Y}年度主动公开信息的有{v}条",
        "{Y}年我乡通过政府门户网站主动公开信息{v}条",
        "{Y}年，全镇共主动公开政府信息{v}条",
        "{Y}年度共主动公开政府信息{v}条",
        "按照《条例》的要求，截至{Y}年12月31日,共主动公开政府信息{v}条",
        "{Y}年1月1日至12月31日，我办共主动公开政府资讯{v}条",
    ],
    RECEIVED: [
        "{Y}年全县共收到有关政府信息公开的申请{v}条",
        "{Y}年全区收到有关政府信息公开的信函申请{v}条，已受理回复",
        "受理政府信息公开申请{v}件",
        "我委{Y}年度共收到政府信息公开申请{v}件，同上年相比，增加{d}件",
        "{Y}年共受理群众依申请公开件{v}件，内容主要涉征地拆迁",
        "政府信息公开申请数为{v}，当面申请数为{v}条",
    ],
    ANSWERED: ["对依申请公开的答复总数{v}条", "已全部办结，答复{v}件"],
    GRANTED: ["其中同意公开答复数{v}条", "同意公开答复{v}条", "其中{v}件为可以公开的政府信息"],
    PARTIAL: ["其它公开答复数{v}条"],
    UNAVAILABLE: ["由于信息不存在否决公开答复{v}条", "另有{v}件为不存在的政府信息"],
    FEES: ["依申请收取复制、邮寄费用{v}元"],
    REVIEW: [
        "收到以有关政府信息公开行政复议{v}件",
        "收到{v}份有关政府信息公开行政复议申请已及时处理",
        "收到针对我办政府信息公开的行政复议{v}件",
    ],
    LITIGATION: ["维持具体行政行为1件；行政诉讼{v}件，目前暂未开庭审理"],
}
# Stated zeros: (sentence, metrics it sets to 0)
ZEROS: list[tuple[str, tuple[str, ...]]] = [
    ("{Y}年全县未收到有关政府信息公开的申请", (RECEIVED,)),
    ("{Y}年全区未收到有关政府信息公开申请", (RECEIVED,)),
    ("{Y}年度没有依申请公开信息的情况", (RECEIVED,)),
    ("{Y}年度，我乡未发生政府信息公开申请", (RECEIVED,)),
    ("{Y}年1月1日至12月31日期间我局办公室未收到政府信息公开申请", (RECEIVED,)),
    ("因未发生政府信息公开申请，故不存在政府信息答复处理情况", (RECEIVED, ANSWERED)),
    ("{Y}年我区各级工作部门依申请提供政府信息暂不收费", (FEES,)),
    ("{Y}年度没有关于信息公开的收费及减免情况", (FEES,)),
    ("因而未发生政府信息公开的收费及减免情况", (FEES,)),
    ("未收到有关政府信息公开行政复议申请", (REVIEW,)),
    ("未收到针对我办政府信息公开的行政复议", (REVIEW,)),
    ("{Y}年我区未收到有关政府信息公开行政复议、提起行政诉讼的申请", (REVIEW, LITIGATION)),
    ("{Y}年所有信息公开都没有发生行政复议、行政诉讼的情况", (REVIEW, LITIGATION)),
    ("{Y}年度我乡无一例因政府信息公开申请行政复议和提起行政诉讼发生", (REVIEW, LITIGATION)),
    ("申请人比较满意，未发生因申请政府信息公开而引发的行政复议和行政诉讼案件", (REVIEW, LITIGATION)),
    ("{Y}年度未接到有关政府信息公开方面的复议、诉讼和申诉", (REVIEW, LITIGATION, COMPLAINTS)),
]
# Sentences a careful reader records nothing from (README "Traps"); {n} any number.
TRAPS: list[str] = [
    "其中，区直、县直各单位主动公开政府信息{n}条，占71%。各乡镇主动公开政府信息{n}条，占29%",  # 8
    "在互联网上，{Y}年区管委会、县政府公开办主动公开信息数为{n}条",  # 8
    "作为依申请公开信息数{n}条，不予公开信息数{n}",  # 5
    "不予公开信息有{n}条，主要是关于本系统人事安排的信息",  # 5
    "我局无不予公开政府信息情况",  # 5
    "区行政服务中心共受理申请{n}件",  # 6
    "截至12月14日，网上审批共同累计收件{n}件，累计办结{n}件",  # 6, 7
    "受理审批事项{n}件，办结{n}件",  # 6
    "共接受公民、法人及其他组织政府信息公开方面的咨询{n}人次，其中现场咨询约{n}人次",  # 6, 12
    "公共信息查阅点接待公众查阅{n}次",  # 6
    "回应公众关注热点或重大舆情数{n}次",  # 6
    "今年以来，通过门户网站公开政府信息{n}条",  # 7
    "{Y1}年主动公开政府信息{n}条",  # 7: another year in the sentence
    "{Y}年，我们将力争主动公开政府信息{n}条",  # 7: a plan
    "{Y}年用于设立公开栏等产生的政府信息公开费用1万元",  # 9
    "减免税{n}件，减免金额219062.78元",  # 9
    "目前已汇集了60多个单位的主动公开的政府信息，累计公开3000多条",  # 12
    "镇信访办按照有关规定全部予以了及时答复",  # answered: no number
    "未收到任何形式的有关信息公开方面的咨询",  # 6: consultations, not requests
    "纳税服务实现零投诉",  # 13
]

TABLE_ROWS = {  # era → rows (label, unit, metric or None); README "Statistics-table rows seen"
    "2011": [
        ("主动公开信息数", "条", ACTIVE),
        ("其中：1.网站公开", "条", None),
        ("2.政府公报公开", "条", None),
        ("受理依申请公开信息总数", "条", RECEIVED),
        ("其中：1.当面申请数", "条", None),
        ("2.传真申请数", "条", None),
        ("3.电子邮件申请数", "条", None),
        ("4.网上申请数", "条", None),
        ("5.信函申请数", "条", None),
        ("6.其它形式申请数", "条", None),
        ("对申请的答复数", "条", ANSWERED),
        ("其中：1.同意公开答复数", "条", GRANTED),
        ("2.同意部分公开答复数", "条", PARTIAL),
        ("3.否决公开答复数", "条", REFUSED),
        ("行政复议数", "件", REVIEW),
        ("行政诉讼数", "件", LITIGATION),
        ("行政申诉、举报数", "件", COMPLAINTS),
    ],
    "2014": [
        ("主动公开文件数", "条", ACTIVE),
        ("其中：1、政府网站公开数", "条", None),
        ("2、政府公报公开数", "条", None),
        ("受理依申请公开信息总数", "条", RECEIVED),
        ("其中：1、当面申请数", "条", None),
        ("2、网上申请数", "条", None),
        ("3、信函、传真申请数", "条", None),
        ("对申请的答复总数", "条", ANSWERED),
        ("其中：1、同意公开答复数", "条", GRANTED),
        ("2、同意部分公开答复数", "条", PARTIAL),
        ("3、不予公开答复数", "条", REFUSED),
        ("4、其他类型答复数", "条", None),
        ("政府信息公开收费减免金额", "元", None),
        ("接受行政诉讼、举报数", "件", COMPLAINTS),
        ("行政复议数", "件", REVIEW),
        ("行政诉讼数", "件", LITIGATION),
    ],
}
TABLE_LAYOUTS = ("none", "grid", "spaced", "runtogether")


@dataclass
class Pre2019Spec:
    year: int
    agency: str
    values: dict[str, int] = field(default_factory=dict)  # what a careful reader records
    conflicts: dict[str, tuple[int, int]] = field(default_factory=dict)  # metric → (table, prose)
    ambiguous: set[str] = field(default_factory=set)  # run-together cells no sentence resolves
    sentences: list[str] = field(default_factory=list)
    table: list[tuple[str, str, str]] = field(default_factory=list)  # (label, unit, cells as printed)
    layout: str = "none"
    cumulative: bool = True
    used: set[str] = field(default_factory=set)  # phrasings used, for coverage


def splits(digits: str) -> list[int]:
    """本年度 values a run of two cells allows: no leading zeros, 年度 ≤ 累计."""
    out = []
    for i in range(1, len(digits)):
        a, b = digits[:i], digits[i:]
        if (a[0] != "0" or a == "0") and (b[0] != "0" or b == "0") and int(a) <= int(b):
            out.append(int(a))
    return out


def _fill(template: str, year: int, v: int, rng: random.Random) -> str:
    return template.format(
        Y=year, Y1=year - 1, v=v, x=v + rng.randint(1, 2000), d=rng.randint(1, 9), n=rng.randint(2, 99999)
    )


def make_spec(
    rng: random.Random,
    seed: int,
    layout: str | None = None,
    cumulative: bool | None = None,
    conflict: bool = False,
) -> Pre2019Spec:
    """One report; `seed` rotates through the phrasings so a run of seeds uses every one."""
    year = rng.randint(2009, 2018)
    s = Pre2019Spec(
        year, rng.choice(["平潭综合实验区", "道县文广新局", "舒兰市经济局", "朝阳乡人民政府", "北京市信访办"])
    )
    s.layout = layout or TABLE_LAYOUTS[seed % len(TABLE_LAYOUTS)]
    s.cumulative = (seed // 4) % 3 != 0 if cumulative is None else cumulative
    era = "2011" if year <= 2013 else "2014"
    tabled = {m for _, _, m in TABLE_ROWS[era] if m} if s.layout != "none" else set()
    small = lambda: rng.choice([0, 0, 1, 2, 3, 7, 13, 28])  # noqa: E731

    truth: dict[str, int] = {ACTIVE: rng.choice([rng.randint(1, 99), rng.randint(100, 99999)])}
    for m in (RECEIVED, ANSWERED, GRANTED, PARTIAL, REFUSED, REVIEW, LITIGATION, COMPLAINTS):
        if m in tabled or rng.random() < 0.7:
            truth[m] = small()
    if rng.random() < 0.4:
        truth[UNAVAILABLE] = small()
    if rng.random() < 0.6:
        truth[FEES] = rng.choice([0, 0, 0, 35])
    # prose: on even seeds one zero statement (rotating), then each metric by one phrasing (rotating)
    said: dict[str, int] = {}
    if seed % 2 == 0:
        text, metrics = ZEROS[(seed // 2) % len(ZEROS)]
        truth.update(dict.fromkeys(metrics, 0))
        s.sentences.append(_fill(text, year, 0, rng))
        s.used.add(text)
        said.update(dict.fromkeys(metrics, 0))
    s.values = dict(truth)
    for metric in [ACTIVE, RECEIVED, ANSWERED, GRANTED, PARTIAL, UNAVAILABLE, FEES, REVIEW, LITIGATION]:
        if metric in said or metric not in truth or metric not in PHRASES:
            continue
        if metric in tabled and rng.random() < 0.35 and metric != ACTIVE:
            continue  # the table alone states it
        if metric == FEES and truth[FEES] == 0:
            continue  # fee zeros come from the zero statements
        variants = PHRASES[metric]
        text = variants[(seed + len(metric)) % len(variants)]
        s.sentences.append(_fill(text, year, truth[metric], rng))
        s.used.add(text)
        said[metric] = truth[metric]
    for metric in set(truth) - set(said) - tabled:
        del s.values[metric]  # neither printed in the table nor said: not stated
    if conflict and ACTIVE in tabled:
        prose = truth[ACTIVE] + rng.randint(1, 500)
        s.sentences.append(f"{year}年主动公开政府信息{prose}条")
        s.conflicts[ACTIVE] = (truth[ACTIVE], prose)
    for trap in rng.sample(TRAPS, 6) + [TRAPS[seed % len(TRAPS)]]:
        s.sentences.append(_fill(trap, year, 0, rng))
        s.used.add(trap)
    rng.shuffle(s.sentences)

    if s.layout != "none":
        for label, unit, metric in TABLE_ROWS[era]:
            v = truth[metric] if metric else rng.randint(0, 400)
            cum = v + rng.randint(0, 90000 if metric == ACTIVE else 40)
            if label.startswith("2.政府公报") or label.startswith("2、政府公报"):
                cells = [str(v)] if s.layout == "spaced" and seed % 3 == 0 else [str(v), str(cum)]  # trap 3
            else:
                cells = [str(v), str(cum)]
            if not s.cumulative:
                cells = cells[:1]
            s.table.append((label, unit, " ".join(cells) if s.layout != "runtogether" else "".join(cells)))
            if metric and s.layout == "runtogether" and s.cumulative and len(splits("".join(cells))) > 1:
                if said.get(metric) != v:
                    s.ambiguous.add(metric)
                    s.values.pop(metric, None)
    return s


def _title(s: Pre2019Spec) -> str:
    return f"{s.agency}{s.year}年政府信息公开工作年度报告"


def _paragraphs(s: Pre2019Spec) -> list[str]:
    head = [
        f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告所列数据的统计期限自{s.year}年1月1日起至"
        f"{s.year}年12月31日止。",
        "一、概述",
        "推进政府信息公开工作是贯彻实施《条例》的重要举措。",
        "二、主动公开政府信息情况",
        "（一）主动公开政府信息的数量",
    ]
    body = [x + "。" for x in s.sentences]
    tail = [
        "三、政府信息公开工作存在的主要问题及改进情况",
        "一是公开内容不够全面\u200b。",
        "二）进一步规范公开行为。",
        "二○一二年二月二十日" if s.year == 2011 else "二〇一九年一月十日",
    ]
    return head + body + tail


def _header(s: Pre2019Spec) -> list[str]:
    return ["指标名称", "计量单位", f"{s.year}年度"] + (["历年累计"] if s.cumulative else [])


def render_text(s: Pre2019Spec, one_line: bool = False) -> bytes:
    """A page dump: paragraphs (or, like the 平潭 archive, everything on one line) and a flattened table."""
    paras = [_title(s)] + _paragraphs(s)
    if s.table:
        paras.append(f"附件1：{s.agency}{s.year}年政府信息公开情况统计表")
        joiner = "" if s.layout == "runtogether" else " "
        cells = [joiner.join(_header(s))]
        cells += [joiner.join([label, unit, v]) for label, unit, v in s.table]
        paras.append(joiner.join(cells))
    sep = " " if one_line else "\n"
    body = sep.join(paras)
    if one_line:
        body = f"标题: {_title(s)}\n==================== 正文 ====================\n" + body
    return body.encode("utf-8")


def render_html(s: Pre2019Spec, encoding: str = "utf-8", traditional: bool = False) -> bytes:
    """A portal page; the statistics table as an HTML grid (layout grid) or as flattened text."""
    body = [f"<p>{htmllib.escape(p)}</p>" for p in _paragraphs(s)]
    body.insert(5, "<p><!--[if !supportLists]-->7、<!--[endif]-->&nbsp;&nbsp;&nbsp;&nbsp;</p>")
    if s.table and s.layout == "grid":
        rows = [_header(s)] + [[label, unit] + v.split(" ") for label, unit, v in s.table]
        trs = "".join("<tr>" + "".join(f"<td>{htmllib.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        body.append(f"<p>附件1：{s.year}年政府信息公开情况统计表</p><table border='1'>{trs}</table>")
    elif s.table:
        text = render_text(s).decode("utf-8").rsplit("\n", 1)[-1]
        body.append(f"<p>{htmllib.escape(text)}</p>")
    charset = {"utf-8": "utf-8", "big5hkscs": "big5", "gbk": "gbk"}[encoding]
    page = (
        f"<html><head><meta charset='{charset}'><title>{_title(s)}</title></head><body>"
        f"<div class='TRS_Editor'><h1>{_title(s)}</h1>{''.join(body)}</div></body></html>"
    )
    if traditional:
        import opencc

        page = opencc.OpenCC("s2t").convert(page)
    return page.encode(encoding, errors="xmlcharrefreplace")
