"""Synthetic pre-2019 reports with known values (tests/synth_pre2019.py): 100% exact.

Every phrasing and trap of the corpus README, traditional characters (also as Big5 pages),
and statistics tables as HTML grids, spaced text and run-together text, with and without
the cumulative column.  About 5 s of CPU.
"""

from __future__ import annotations

import random

import pytest
import synth_pre2019 as sp

from normalize import normalize_bytes
from normalize.pre2019 import AMBIGUOUS, RULE

SEEDS = range(96)
FORMATS = ("txt", "one_line", "html", "html_big5_traditional")


def _render(spec: sp.Pre2019Spec, fmt: str) -> tuple[bytes, str]:
    if fmt == "txt":
        return sp.render_text(spec), "r.txt"
    if fmt == "one_line":
        return sp.render_text(spec, one_line=True), "r.page.txt"
    if fmt == "html":
        return sp.render_html(spec), "r.html"
    return sp.render_html(spec, encoding="big5hkscs", traditional=True), "r.html"


def _case(seed: int) -> tuple[sp.Pre2019Spec, str]:
    rng = random.Random(seed)
    spec = sp.make_spec(rng, seed, conflict=seed % 7 == 3)
    fmt = (
        FORMATS[(seed // 4) % len(FORMATS)]
        if spec.layout != "grid"
        else ("html", "html_big5_traditional")[(seed // 4) % 2]
    )
    return spec, fmt


def _check(spec: sp.Pre2019Spec, data: bytes, name: str) -> None:
    report = normalize_bytes(data, name)
    where = f"layout={spec.layout} cumulative={spec.cumulative} year={spec.year}"
    assert report.meta["template"] == "pre2019" and report.meta["year"] == spec.year, where
    got = {f.metric: f.value for f in report.facts if f.value is not None}
    assert got == spec.values, f"{where}: {report.meta['error']}\n{data.decode('utf-8', 'replace')[:3000]}"
    notes = {f.metric for f in report.facts if f.note}
    assert notes == spec.ambiguous, where
    assert all(f.note == AMBIGUOUS and f.value is None and f.raw for f in report.facts if f.note)
    failed = {c.subject: (c.expected, c.actual) for c in report.checks if c.rule == RULE and not c.ok}
    assert failed == spec.conflicts, where
    clean = not spec.conflicts and not spec.ambiguous
    assert report.status == ("ok" if clean else "partial"), (where, report.meta["error"])


@pytest.mark.parametrize("seed", SEEDS)
def test_synthetic_pre2019_report(seed):
    spec, fmt = _case(seed)
    _check(spec, *_render(spec, fmt))


def test_every_phrasing_and_trap_and_layout_is_exercised():
    used, layouts = set(), set()
    for seed in SEEDS:
        spec, fmt = _case(seed)
        used |= spec.used
        layouts.add((spec.layout, spec.cumulative, fmt))
    phrasings = {p for ps in sp.PHRASES.values() for p in ps} | {z for z, _ in sp.ZEROS} | set(sp.TRAPS)
    assert phrasings - used == set()
    for layout in ("grid", "spaced", "runtogether"):
        assert {c for lay, c, _ in layouts if lay == layout} == {True, False}, layout
    assert {f for _, _, f in layouts} == set(FORMATS)


def test_run_together_cell_without_a_sentence_is_left_null_and_flagged():
    spec = sp.Pre2019Spec(2012, "平潭县人民政府", layout="runtogether", values={}, ambiguous={sp.ACTIVE})
    spec.table = [("主动公开信息数", "条", "4251516"), ("行政复议数", "件", "00")]
    spec.values = {sp.REVIEW: 0}
    _check(spec, *_render(spec, "one_line"))


def test_missing_cell_in_a_spaced_table_does_not_shift_the_rows_after_it():
    spec = sp.Pre2019Spec(2013, "平潭综合实验区", layout="spaced")
    spec.table = [
        ("主动公开信息数", "条", "72804 76424"),
        ("2、政府公报公开", "条", "0"),
        ("受理依申请公开信息总数", "条", "3 5"),
        ("对申请的答复总数", "条", "2 4"),
    ]
    spec.values = {sp.ACTIVE: 72804, sp.RECEIVED: 3, sp.ANSWERED: 2}
    _check(spec, *_render(spec, "one_line"))


def test_approximate_figures_are_never_recorded():
    spec = sp.Pre2019Spec(2014, "平潭综合实验区")
    spec.sentences = [
        "共主动公开政府信息5300余条",
        "全年主动公开政府信息20多条",
        "受理政府信息公开申请约12件",
    ]
    _check_no_figures(spec)


def _check_no_figures(spec: sp.Pre2019Spec) -> None:
    report = normalize_bytes(sp.render_text(spec), "r.txt")
    assert [f for f in report.facts if f.value is not None] == []
    assert report.status == "partial" and "no headline figure" in report.meta["error"]


def test_a_sentence_with_two_different_figures_is_not_guessed():
    spec = sp.Pre2019Spec(2015, "舒兰市经济局", ambiguous={sp.ACTIVE})
    spec.sentences = ["2015年主动公开政府信息20条", "我局2015年主动公开信息25条"]
    report = normalize_bytes(sp.render_text(spec), "r.txt")
    facts = {f.metric: f for f in report.facts}
    assert facts[sp.ACTIVE].value is None and facts[sp.ACTIVE].note and report.status == "partial"
