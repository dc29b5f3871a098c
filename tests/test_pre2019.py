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
    wrong = {
        m: (v, got[m].value if m in got else "missing")
        for m, v in expected["facts"].items()
        if m not in got or not same(v, got[m].value)
    }
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
        "pre2019.requests.received": (7, True),
        "pre2019.requests.answered": (3, True),
        "pre2019.requests.granted": (2, True),
        "pre2019.active.items": (1853, True),
    }.items()


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


def test_wide_export_has_pre2019_columns_and_bridges_across_the_template_change():
    """平潭综合实验区 2011–2017 (pre-2019) and 2019/2021/2023 (national tables) in one wide table."""
    import pandas as pd

    from normalize.templates import METRICS
    from normalize.write import report_columns
    from publish.wide import build_wide, wide_columns

    real = sorted((CORPUS / "real").glob("fujian_pingtan_zone_20*.page.txt"))
    srcs = [s for s, _ in CASES if s.name.startswith("fujian_pingtan_zone_20")] + real
    cols = [report_columns(_read(s)) for s in srcs]
    reports = pd.concat([pd.DataFrame(c["reports"]) for c in cols], ignore_index=True)
    facts = pd.concat([pd.DataFrame(c["facts"]) for c in cols], ignore_index=True)
    w = build_wide(reports, facts).set_index("year")
    assert list(w.index) == [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2019, 2021, 2023]
    assert w.loc[2013, "pre2019_active_items"] == 72804 and w.loc[2014, "pre2019_requests_received"] == 1
    bridge = "requests_received_2008_2018_or_new_2019on__total"
    assert w.loc[2014, bridge] == 1 and w.loc[2019, bridge] == w.loc[2019, "requests_new__total"]
    assert w.loc[2019, "pre2019_requests_received"] != w.loc[2019, "pre2019_requests_received"]  # NaN
    cols = {c.name: c for c in wide_columns()}
    for metric, row in METRICS.items():
        if row["templates"] == "pre2019":
            assert metric.replace(".", "_") in cols
    assert "roughly comparable" in cols[bridge].comparability and "§7" in cols[bridge].comparability
    assert "pre2019_fees_amount" in cols and not any("fees" in n and "2008_2018" in n for n in cols)
    assert "§5" in cols["pre2019_fees_amount"].comparability


def test_dictionary_lists_pre2019_metrics_with_sources_and_comparability():
    from publish.dictionary import markdown

    md = markdown()
    section = md.split("## Pre-2019 reports", 1)[1].split("\n## ", 1)[0]
    for metric in ("pre2019.active.items", "pre2019.requests.received", "pre2019.appeals.complaints"):
        line = next(ln for ln in section.splitlines() if ln.startswith(f"| {metric} |"))
        assert "statistics table row" in line and "pre2019.yaml" in line and "pre-2019 reports" in line
    assert (
        "| requests_received_2008_2018_or_new_2019on__total | pre2019.requests.received | requests.new |"
        in section
    )
