"""Values that must never be wrong, in every format that can carry them.

Every minus a printer uses is a sign; a cell that is not a plain number of its kind
("约12", ".5", "12%", "1.", "12万" for a count, "一百", 20 digits) is null with its raw
text and a note, never its digits; the report is then partial, never ok.  A report
without its table 三 is partial with the reason.
"""

from __future__ import annotations

import random

import pytest
import synth
from conftest import same

from normalize import normalize_bytes

SIGNS = {
    ("active.licensing.change", None): ("－5", -5.0),
    ("active.penalty.change", None): ("−12", -12.0),
    ("active.coercion.change", None): ("–3", -3.0),
}
UNREADABLE = {
    ("requests.granted", "commercial"): "约12",
    ("requests.withheld.state_secret", "research"): ".5",
    ("requests.not_processed.duplicate", "other_org"): "12%",
    ("requests.unavailable.unclear", "social_welfare"): "1.",
    ("requests.carried_forward", "legal_services"): "12万",
    ("appeals.review.upheld", None): "一百",
    ("active.procurement.projects", None): "99999999999999999999",
}


def _flat_text(spec: synth.Spec) -> bytes:
    """Tables flattened to lines of space-separated cells (cell borders lost)."""
    return synth._render_text(spec, lambda rows: [" ".join(t for t, _, _ in row if t) for row in rows])


RENDERINGS = {
    "html": lambda s: (synth.render_html(s), "r.html"),
    "docx": lambda s: (synth.render_docx(s), "r.docx"),
    "pipe_text": lambda s: (synth.render_pipe_text(s), "r.txt"),
    "flat_text": lambda s: (_flat_text(s), "r.txt"),
    "pdf": lambda s: (synth.render_pdf(s), "r.pdf"),
}


def mutated_spec() -> synth.Spec:
    spec = synth.make_spec(random.Random("values"), "2019", signed_words=False)
    for key, (raw, value) in SIGNS.items():
        spec.values[key], spec.raws[key] = value, raw
    for key, raw in UNREADABLE.items():
        spec.raws[key] = raw
    spec.values[("appeals.review.total", None)] = 11.0
    spec.raws[("appeals.review.total", None)] = "11"
    return spec


@pytest.mark.parametrize("rendering", list(RENDERINGS))
def test_value_cases(rendering):
    spec = mutated_spec()
    data, name = RENDERINGS[rendering](spec)
    report = normalize_bytes(data, name)
    got = {(f.metric, f.applicant): f for f in report.facts}
    for key, (_, value) in SIGNS.items():
        assert got[key].value == value, (key, got[key])
    for key, raw in UNREADABLE.items():
        f = got[key]
        assert f.value is None and f.note, (key, f)
        if rendering != "pdf" or "unreadable" in f.note:  # a PDF may wrap 20 digits over two lines
            assert "unreadable" in f.note and "".join(f.raw.split()) == raw, (key, f)
    assert got[("appeals.review.total", None)].value == 11  # never 1|1 around the 一百
    wrong = [
        (k, f.value, spec.values[k])
        for k, f in got.items()
        if f.value is not None and not same(f.value, spec.values[k]) and k not in UNREADABLE
    ]
    assert not wrong, wrong  # a cell is right or null: never a wrong number
    assert report.status == "partial" and "unreadable" in report.meta["error"]


@pytest.mark.parametrize(
    "heading,next_heading,table",
    [
        ("三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", "table 三"),
        ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "table 二"),
    ],
)
def test_report_without_a_table_is_partial_with_reason(heading, next_heading, table):
    text = synth.render_pipe_text(synth.make_spec(random.Random(table), "2021")).decode()
    head, rest = text.split(heading + "\n", 1)
    _, tail = rest.split(next_heading, 1)
    report = normalize_bytes((head + heading + "\n" + next_heading + tail).encode(), "r.txt")
    assert report.status == "partial" and table in report.meta["error"]


def test_seed_prose_figure_disagrees_with_its_table(corpus_dir):
    src = corpus_dir / "seed" / "zibo_emergency_2019.txt"
    report = normalize_bytes(src.read_bytes(), src.name)
    prose = [c for c in report.checks if c.rule == "prose.requests_new"]
    assert [(c.expected, c.actual, c.ok) for c in prose] == [(4.0, 2.0, False)]
    assert report.meta["agency"] == "淄博市应急管理局"  # title 淄博市应急局 yields to its long form
