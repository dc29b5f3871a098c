"""Pre-2019 reports (2008–2018): every expected headline figure of the 20 real reports, exactly.

One test per document: each value in expected/*.json exact, no figure where none is
expected, each prose/table conflict flagged as a failed `pre2019.prose_vs_table` check with
both numbers, and every value's `raw` an exact piece of the document that is the sentence
or table row the expected file names.
"""
from __future__ import annotations

import pytest

from conftest import CORPUS, corpus_cases, same
from normalize import normalize_bytes
from normalize.pre2019 import RULE

CASES = [c for c in corpus_cases() if c[0].parent.name == "pre2019"]


def test_pre2019_corpus_present():
    assert len(CASES) == 20, f"expected the 20 pre-2019 reports in {CORPUS / 'pre2019'}"


def _read(src):
    return normalize_bytes(src.read_bytes(), src.name)


@pytest.mark.parametrize("src,expected", CASES, ids=[c[0].name for c in CASES])
def test_pre2019_report(src, expected):
    report = _read(src)
    assert report.meta["template"] == "pre2019"
    assert report.meta["year"] == expected["year"]
    got = {f.metric: f for f in report.facts if f.value is not None}
    wrong = {m: (v, got[m].value if m in got else "missing") for m, v in expected["facts"].items()
             if m not in got or not same(v, got[m].value)}
    assert not wrong, f"{src.name}: wrong or missing {wrong}"
    extra = {m: f.value for m, f in got.items() if m not in expected["facts"]}
    assert not extra, f"{src.name}: figures the document does not state: {extra}"
    assert all(f.note is None for f in report.facts), [f for f in report.facts if f.note]

    text = src.read_text(encoding="utf-8")
    for metric, fact in got.items():
        named = [expected["sources"].get(metric), expected.get("table_rows", {}).get(metric)]
        assert fact.raw and fact.raw in text, f"{metric}: raw {fact.raw!r} is not in the document"
        assert any(n and (n in fact.raw or fact.raw in n) for n in named), (metric, fact.raw, named)

    conflicts = expected.get("conflicts", {})
    failed = {c.subject: c for c in report.checks if c.rule == RULE and not c.ok}
    assert set(failed) == set(conflicts)
    for metric, conflict in conflicts.items():
        assert (failed[metric].expected, failed[metric].actual) == (conflict["table"], conflict["prose"])
        assert got[metric].value == conflict["table"]  # the table's 本年度 value is kept
    assert report.meta["checks_failed"] == len(conflicts)
    if conflicts:
        assert report.status == "partial" and RULE in report.meta["error"]
    else:
        assert report.status == "ok", report.meta["error"]
        assert report.meta["cells_found"] == report.meta["cells_expected"] == len(expected["facts"])


def test_agreeing_prose_and_table_are_recorded_as_passing_checks():
    src = next(s for s, _ in CASES if s.name == "fujian_pingtan_county_2013.page.txt")
    checks = {c.subject: c for c in _read(src).checks if c.rule == RULE}
    # 7 = 7|28, 3 = 3|24, 2 = 2|19 from the run-together table, each confirmed by a sentence
    assert {m: (c.expected, c.ok) for m, c in checks.items()}.items() >= {
        "pre2019.requests.received": (7, True), "pre2019.requests.answered": (3, True),
        "pre2019.requests.granted": (2, True), "pre2019.active.items": (1853, True)}.items()


def test_ambiguous_run_together_cell_takes_the_sentence_that_matches_one_split():
    src = next(s for s, _ in CASES if s.name == "fujian_pingtan_county_2011.page.txt")
    facts = {f.metric: f for f in _read(src).facts}
    # 主动公开信息数条4251516: 4|251516, 42|51516, 425|1516 — the prose says 425
    assert facts["pre2019.active.items"].value == 425
    assert "其中主动公开政府信息425条" in facts["pre2019.active.items"].raw


def test_sections_exclude_the_statistics_table():
    src = next(s for s, _ in CASES if s.name == "fujian_pingtan_zone_2014.page.txt")
    report = _read(src)
    body = " ".join(t for _, _, t in report.sections)
    assert "主动公开文件数 条 2543 78967" not in body
