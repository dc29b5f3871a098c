"""Every value printed in every corpus report, exactly; year and template too."""

from __future__ import annotations

import pytest
from conftest import corpus_cases, expected_cells, same

from normalize import normalize_bytes

CASES = corpus_cases()


def test_corpus_present():
    assert len(CASES) >= 7, "the regression corpus in ../shared/corpus was not found"


@pytest.mark.parametrize("src,expected", CASES, ids=[c[0].name for c in CASES])
def test_corpus_report(src, expected):
    report = normalize_bytes(src.read_bytes(), src.name)
    got = {(f.metric, f.applicant): f.value for f in report.facts if f.note is None}
    cells = expected_cells(expected["facts"])
    wrong = {k: (v, got.get(k, "missing")) for k, v in cells.items() if k not in got or not same(v, got[k])}
    accuracy = (len(cells) - len(wrong)) / len(cells)
    assert not wrong, (
        f"{src.name}: {accuracy:.1%} of {len(cells)} cells right; wrong: {list(wrong.items())[:8]}"
    )
    assert report.meta["year"] == expected["year"]
    assert report.meta["template"] == expected["template"]
    # ambiguous cells of a text dump are never guessed: null with their raw text kept
    for f in report.facts:
        if f.note:
            assert f.value is None and f.raw


def test_hongze_2023_source_errors_are_flagged_not_fixed():
    src = next(s for s, _ in CASES if "hongze_district_gov_2023" in s.name)
    report = normalize_bytes(src.read_bytes(), src.name)
    failed = {(c.rule, c.subject) for c in report.checks if not c.ok}
    assert failed == {("appeals.group_sum", "review"), ("appeals.group_sum", "litigation_after_review")}
    values = {f.metric: f.value for f in report.facts}
    assert values["appeals.review.total"] == 0  # printed 0, kept 0
    assert report.meta["checks_failed"] == 2


def test_run_together_digits_left_null_when_ambiguous():
    src = next(s for s, _ in CASES if "pingtan_zone_2019" in s.name)
    report = normalize_bytes(src.read_bytes(), src.name)
    assert report.status == "partial"
    notes = {f.metric: f for f in report.facts if f.note}
    # "行政许可3960181": three cells, no identity to choose a split
    assert notes["active.licensing.decisions"].raw == "3960181"
    assert "requests.new" not in notes  # "230 000023" has exactly one split satisfying the row sum


def test_sections_found_and_tables_cut_out():
    src = next(s for s, _ in CASES if "huaian_city" in s.name)
    report = normalize_bytes(src.read_bytes(), src.name)
    assert [s for s, _, _ in report.sections] == [1, 2, 3, 4, 5, 6]
    text = dict((s, t) for s, _, t in report.sections)
    assert "本年新收" not in text[3] and "3001" not in text[3]
    assert "信息处理费" in text[6]
