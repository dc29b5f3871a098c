"""Mapping on Documents built by hand: the quirks found while benchmarking stay fixed."""
from __future__ import annotations

import random

import synth
from normalize import normalize_bytes
from normalize.document import Document, Paragraph
from normalize.mapping import map_stream
from normalize.stream import build


def _pdf_like(lines: list[str]) -> Document:
    return Document(blocks=[Paragraph(l) for l in lines], format="pdf")


def test_label_wrapped_after_its_numbers():
    doc = _pdf_like([
        "三、收到和处理政府信息公开申请情况",
        "4.保护第三方合法权益 0 0 0 0 0 0 0",
        "5.属于三类内部事务信 1 0 0 0 0 0 1",
        "息",
        "6.属于四类过程性信息 2 0 0 0 0 0 2",
        "四、政府信息公开行政复议、行政诉讼情况",
    ])
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
    doc = _pdf_like(["三、收到和处理政府信息公开申请情况",
                     "1.属于国家秘密00000002.其他法律行政法规禁止公开1000001",
                     "四、政府信息公开行政复议、行政诉讼情况"])
    facts = {(f.metric, f.applicant): f.value for f in map_stream(build(doc)).facts if f.note is None}
    assert facts[("requests.withheld.state_secret", "total")] == 0
    assert facts[("requests.withheld.prohibited_by_law", "natural_person")] == 1
