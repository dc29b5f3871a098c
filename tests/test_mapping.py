"""Mapping on Documents built by hand: the quirks found while benchmarking stay fixed."""

from __future__ import annotations

import random

import synth

from normalize import normalize_bytes
from normalize.document import Document, Paragraph
from normalize.mapping import map_stream
from normalize.stream import build


def _pdf_like(lines: list[str]) -> Document:
    return Document(blocks=[Paragraph(line) for line in lines], format="pdf")


def test_label_wrapped_after_its_numbers():
    doc = _pdf_like(
        [
            "三、收到和处理政府信息公开申请情况",
            "4.保护第三方合法权益 0 0 0 0 0 0 0",
            "5.属于三类内部事务信 1 0 0 0 0 0 1",
            "息",
            "6.属于四类过程性信息 2 0 0 0 0 0 2",
            "四、政府信息公开行政复议、行政诉讼情况",
        ]
    )
    facts = {(f.metric, f.applicant): f.value for f in map_stream(build(doc)).facts if f.note is None}
    assert facts[("requests.withheld.internal_affairs", "total")] == 1
    assert facts[("requests.withheld.third_party_rights", "total")] == 0
    assert facts[("requests.withheld.process_information", "natural_person")] == 2


def test_blank_table_four_is_fifteen_blank_cells():
    spec = synth.make_spec(random.Random(11), "2019", blanks="blank")
    for key in [k for k in spec.values if k[0].startswith("appeals.")]:
        spec.values[key] = 0
        spec.raws[key] = ""
    report = normalize_bytes(synth.render_html(spec), "r.html")
    appeals = [f for f in report.facts if f.metric.startswith("appeals.")]
    assert len(appeals) == 15 and all(f.value is None and f.raw == "" for f in appeals)
    assert report.status == "ok"


def test_item_number_of_the_next_row_is_not_a_digit_of_this_one():
    # "…国家秘密0000000" then "2.其他…": the 2 belongs to the next label
    doc = _pdf_like(
        [
            "三、收到和处理政府信息公开申请情况",
            "1.属于国家秘密00000002.其他法律行政法规禁止公开1000001",
            "四、政府信息公开行政复议、行政诉讼情况",
        ]
    )
    facts = {(f.metric, f.applicant): f.value for f in map_stream(build(doc)).facts if f.note is None}
    assert facts[("requests.withheld.state_secret", "total")] == 0
    assert facts[("requests.withheld.prohibited_by_law", "natural_person")] == 1


def test_pre2019_report_keeps_metadata_and_sections_and_reads_headline_figures():
    text = "\n".join(
        [
            "标题: 南平市2012年政府信息公开工作年度报告",
            "本报告根据《中华人民共和国政府信息公开条例》要求编制，统计期限自2012年1月1日起至2012年12月31日止。",
            "一、概述",
            "2012年，我市认真贯彻落实《条例》。",
            "二、主动公开政府信息情况",
            "全年主动公开政府信息3521条。",
            "三、依申请公开政府信息情况",
            "全年共受理政府信息公开申请45件，其中同意公开40件。",
            "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
            "无。",
            "五、存在的主要问题及改进情况",
            "一是公开内容不够全面。",
            "六、其他需要报告的事项",
            "无。",
        ]
    ).encode()
    report = normalize_bytes(text, "np2012.txt")
    assert report.meta["template"] == "pre2019" and report.meta["year"] == 2012
    assert report.status == "ok", report.meta["error"]  # figures read without conflict (normalize/pre2019.py)
    assert {f.metric: f.value for f in report.facts} == {
        "pre2019.active.items": 3521,
        "pre2019.requests.received": 45,
        "pre2019.requests.granted": 40,
    }
    assert report.meta["agency"] == "南平市人民政府"
    assert {s for s, _, _ in report.sections} >= {1, 2, 5, 6}


def _agency(lines: list[str]) -> str | None:
    body = [
        "一、总体情况",
        "（一）主动公开。",
        "二、主动公开政府信息情况",
        "五、存在的主要问题及改进情况",
        "无。",
    ]
    return normalize_bytes("\n".join(lines[:2] + body + lines[2:]).encode(), "r.txt").meta["agency"]


def test_agency_from_title_split_over_two_lines_signature_or_opening_sentence():
    assert _agency(["淄博市", "应急管理局2019年度政府信息公开工作年度报告"]) == "淄博市应急管理局"
    assert _agency(["2019年度政府信息公开", "工作年度报告", "重庆市科委", "2020年1月5日"]) == "重庆市科委"
    opening = [
        "2021年政府信息公开工作年度报告",
        "2021年，重庆市科委坚持以习近平新时代中国特色社会主义思想为指导。",
    ]
    assert _agency(opening) == "重庆市科委"
    # the title wins over the signature; kept as printed (abbreviations too)
    assert (
        _agency(["市科委2019年政府信息公开工作年度报告", "", "重庆市经济和信息化委员会", "2020年1月5日"])
        == "市科委"
    )


def test_table_two_printed_as_plain_lines():
    doc = _pdf_like(
        [
            "2021年政府信息公开工作年度报告",
            "二、主动公开政府信息情况",
            "规章 0 5 87",
            "行政规范性文件 1 0 12",
            "行政许可 97",
            "行政处罚 5",
            "行政强制 0",
            "行政事业性收费 0",
            "三、收到和处理政府信息公开申请情况",
        ]
    )
    mapped = map_stream(build(doc), 2021)
    facts = {f.metric: f.value for f in mapped.facts}
    assert mapped.template == "2021"
    assert facts["active.rules.repealed"] == 5 and facts["active.rules.in_force"] == 87
    assert facts["active.licensing.decisions"] == 97 and facts["active.penalty.decisions"] == 5
