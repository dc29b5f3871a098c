"""Map a Stream onto the template's tables: values per metric × applicant, as printed.

Each row's printed cells go to exactly one metric/applicant or nowhere.  Where text
lost its cell borders, run-together digits are split only when the template's
identities leave exactly one split (digits.py); otherwise the cells stay null with
their raw text and the report is partial.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from . import digits
from .checks import evaluate
from .locate import VALUE_TOKEN, Hit, find_rows, find_sections, label_regex, segment_values
from .stream import CELLS, Stream
from .templates import APPLICANTS, TEMPLATE
from .values import CellError, parse_value

AMBIGUOUS = "ambiguous: cell borders lost and the identities allow several splits"
MAX_JOINT = 20000


class Fact(NamedTuple):
    metric: str
    applicant: str | None
    value: float | None
    raw: str | None
    note: str | None = None
    confidence: float | None = None  # 0–1 when the value was read by OCR (from its Cell)


@dataclass
class Mapped:
    template: str = "unknown"
    requests_variant: str | None = None
    facts: list[Fact] = field(default_factory=list)
    cells_expected: int = 0
    cells_found: int = 0
    problems: list[str] = field(default_factory=list)
    sections: list[Hit] = field(default_factory=list)
    table_spans: list[tuple[int, int]] = field(default_factory=list)
    found: dict[tuple[str, str | None], float] = field(default_factory=dict)  # cells found, blank → 0

    def add(self, metric: str, applicant: str | None, raw: str, unit: str | None = None) -> None:
        if unit is None and raw.isdigit() and raw.isascii():  # the common case, inline
            value = float(raw)
            self.facts.append(Fact(metric, applicant, value, raw))
            self.cells_found += 1
            self.found[(metric, applicant)] = value
            return
        try:
            value = parse_value(raw, unit)
        except CellError:
            self.facts.append(Fact(metric, applicant, None, raw.strip(), "unreadable cell"))
            self.problems.append(f"{metric}: unreadable cell {raw.strip()!r}")
            return
        self.facts.append(Fact(metric, applicant, value, raw.strip()))
        self.cells_found += 1
        self.found[(metric, applicant)] = 0.0 if value is None else value

    def unresolved(self, metric: str, applicants: list[str | None], raw: str) -> None:
        for a in applicants:
            self.facts.append(Fact(metric, a, None, raw, AMBIGUOUS))


def _num(raw: str) -> float:
    try:
        v = parse_value(raw)
    except CellError:
        return float("nan")
    return 0.0 if v is None else v


def _resolve(mode: str, vals: list[str], n: int, accept=None) -> list[list[str]]:
    """Candidate cell lists for one row (exactly one when the row is unambiguous)."""
    if mode == "cells":
        while len(vals) > n and not vals[0].strip():
            vals = vals[1:]
        return [vals] if len(vals) == n else []
    if len(vals) == n:
        return [vals]
    if len(vals) > n or not vals:
        return []
    return digits.splits(vals, n, accept)


def _first(pattern_labels: list[str], text: str, start: int, end: int) -> int | None:
    m = label_regex(tuple(pattern_labels), numbered=False).search(text, start, end)
    return m.start() if m else None


def _count_markers(text: str, start: int, end: int, words: list[str]) -> int:
    return sum(1 for w in words if label_regex((w,), numbered=False).search(text, start, end))


def map_stream(stream: Stream, year: int | None = None) -> Mapped:
    t = stream.norm
    out = Mapped()
    secs = {int(h.key): h for h in find_sections(t)}
    out.sections = list(secs.values())
    n = len(t)
    req_rows = TEMPLATE["requests"]["rows"]
    first_req = _first(req_rows[0]["labels"], t, 0, n)

    # regions of the three tables
    a_start = secs[2].end if 2 in secs else 0
    a_end = secs[3].start if 3 in secs else (first_req if first_req is not None else n)
    r_start = secs[3].end if 3 in secs else (first_req if first_req is not None else a_end)
    r_end = secs[4].start if 4 in secs else (secs[5].start if 5 in secs else n)
    p_end = secs[5].start if 5 in secs else (secs[6].start if 6 in secs else n)

    markers = TEMPLATE["active"]["markers"]
    m19 = _count_markers(t, a_start, a_end, markers["2019"])
    m21 = _count_markers(t, a_start, a_end, markers["2021"])
    active_tpl = "2021" if m21 > m19 else ("2019" if m19 else None)

    req_hits = _map_requests(stream, out, r_start, r_end)
    p_start = secs[4].end if 4 in secs else (req_hits[-1].end if req_hits else r_end)
    if active_tpl:
        _map_active(stream, out, active_tpl, a_start, a_end)
    if req_hits or active_tpl:
        _map_appeals(stream, out, p_start, p_end)

    if active_tpl:
        out.template = active_tpl
    elif out.requests_variant:
        out.template = out.requests_variant
    elif year is not None and year < 2019:
        out.template = "pre2019"
    else:
        out.template = "unknown"
    return out


def _map_active(stream: Stream, out: Mapped, tpl: str, start: int, end: int) -> None:
    rows = [(tuple(r[tpl]), tuple(r["labels"])) for r in TEMPLATE["active"]["rows"] if tpl in r]
    units = TEMPLATE["active"]["printed_units"]
    hits = find_rows(stream.norm, [(",".join(m), labels) for m, labels in rows], start, end)
    out.cells_expected += sum(len(m) for m, _ in rows)
    by_key = {",".join(m): m for m, _ in rows}
    for i, hit in enumerate(hits):
        metrics = by_key[hit.key]
        seg_end = hits[i + 1].start if i + 1 < len(hits) else end
        mode, vals = segment_values(stream.text, hit.end, seg_end)
        cands = _resolve(mode, vals, len(metrics))
        if len(cands) == 1:
            for metric, raw in zip(metrics, cands[0]):
                out.add(metric, None, raw, units.get(metric))
        else:
            for metric in metrics:
                out.facts.append(Fact(metric, None, None, " ".join(vals), AMBIGUOUS))
            out.problems.append(f"{','.join(metrics)}: {AMBIGUOUS} ({' '.join(vals)!r})")
    if hits:
        out.table_spans.append((_table_start(start, hits[0].start), _segment_end(stream, hits, end)))


def _table_start(region_start: int, first_hit: int) -> int:
    """Tables start at their header ("第二十条…", "(本列数据…"), else at the first row."""
    return region_start if first_hit - region_start < 2000 else first_hit


def _segment_end(stream: Stream, hits: list[Hit], end: int) -> int:
    """Where the table's last row ends: its line (grids) or its last value token (text)."""
    text, last = stream.text, hits[-1]
    line_end = text.find("\n", last.end, end)
    if segment_values(text, last.end, end)[0] == "cells" and line_end >= 0:
        return line_end
    ends = [m.end() for m in VALUE_TOKEN.finditer(text, last.end, end)]
    return ends[-1] if ends else last.end


def _row_sum_ok(cells: list[str]) -> bool:
    vals = [_num(c) for c in cells]
    return abs(sum(vals[:6]) - vals[6]) < 1e-6


def _map_requests(stream: Stream, out: Mapped, start: int, end: int) -> list[Hit]:
    spec = TEMPLATE["requests"]
    rows = [(r.get("metric") or "group:" + r["group"], tuple(r["labels"])) for r in spec["rows"]]
    hits = find_rows(stream.norm, rows, start, end)
    data_hits = [h for h in hits if not h.key.startswith("group:")]
    if not data_hits:
        return []
    keys = {h.key for h in data_hits}
    variant = "2021" if any(m in keys for m in spec["markers_2021"]) else "2019"
    out.requests_variant = variant
    metrics_expected = [r["metric"] for r in spec["rows"] if "metric" in r]
    if variant == "2019":
        metrics_expected = [m for m in metrics_expected if not m.startswith("requests.other.")]
    else:  # 2021: （六） is a group over three sub-rows
        metrics_expected = [m for m in metrics_expected if m != "requests.other"]
    out.cells_expected += len(metrics_expected) * len(APPLICANTS)

    candidates: dict[str, list[list[str]]] = {}
    raws: dict[str, str] = {}
    for i, hit in enumerate(hits):
        if hit.key.startswith("group:"):
            continue
        seg_end = hits[i + 1].start if i + 1 < len(hits) else end
        mode, vals = segment_values(stream.text, hit.end, seg_end)
        if hit.key == "requests.other" and variant == "2021" and not any(v.strip() for v in vals):
            continue  # the （六） group header of the 2021 template carries no numbers
        candidates[hit.key] = _resolve(mode, vals, len(APPLICANTS), _row_sum_ok)
        raws[hit.key] = " ".join(vals)
    if variant == "2021" and "requests.other" in candidates:
        out.cells_expected += len(APPLICANTS)  # an extra printed （六） subtotal row

    chosen = _joint(candidates, variant)
    for metric, cells in chosen.items():
        if cells is None:
            out.unresolved(metric, list(APPLICANTS), raws[metric])
            out.problems.append(f"{metric}: {AMBIGUOUS} ({raws[metric]!r})")
        else:
            for applicant, raw in zip(APPLICANTS, cells):
                out.add(metric, applicant, raw)
    out.table_spans.append((_table_start(start, hits[0].start), _segment_end(stream, hits, end)))
    return hits


_COLUMN_RULES = ("requests.balance", "requests.outcomes_sum")


def _identities_hold(rows: dict[str, list[float]]) -> bool:
    """Table 三's column identities (checks.py) over the rows given; absent rows are skipped."""
    found = {(m, a): v for m, vals in rows.items() for a, v in zip(APPLICANTS, vals)}
    return all(c.ok for c in evaluate(found) if c.rule in _COLUMN_RULES)


def _joint(candidates: dict[str, list[list[str]]], variant: str) -> dict[str, list[str] | None]:
    """Pick each row's split; rows with several use the column identities, if unique."""
    fixed = {k: c[0] for k, c in candidates.items() if len(c) == 1}
    open_rows = {k: c for k, c in candidates.items() if len(c) > 1}
    result: dict[str, list[str] | None] = {k: None for k in candidates}
    result.update(fixed)
    if not open_rows:
        return result
    size = 1
    for c in open_rows.values():
        size *= len(c)
    if size > MAX_JOINT:
        return result
    base = {k: [_num(x) for x in v] for k, v in fixed.items()}
    names = list(open_rows)
    survivors = []
    for combo in itertools.product(*(open_rows[k] for k in names)):
        rows = dict(base)
        rows.update({k: [_num(x) for x in cells] for k, cells in zip(names, combo)})
        if _identities_hold(rows):
            survivors.append(combo)
    for i, k in enumerate(names):
        picks = {tuple(s[i]) for s in survivors}
        if len(picks) == 1:
            result[k] = list(picks.pop())
    return result


def _appeals_ok(cells: list[str]) -> bool:
    v = [_num(c) for c in cells]
    return all(abs(sum(v[g:g + 4]) - v[g + 4]) < 1e-6 for g in (0, 5, 10))


def _map_appeals(stream: Stream, out: Mapped, start: int, end: int) -> None:
    groups = TEMPLATE["appeals"]["groups"]
    metrics = [m for g in groups.values() for m in g]
    out.cells_expected += len(metrics)
    text = stream.text
    cands: list[list[str]] = []
    vals: list[str] = []
    span_end = None
    for line_start in _line_starts(text, start, end):
        line_end = text.find("\n", line_start, end)
        line_end = end if line_end < 0 else line_end
        line = text[line_start:line_end]
        if CELLS in line:
            cells = line.split(CELLS, 1)[1].split("\x1f")
            if len(cells) >= len(metrics):
                vals = cells[len(cells) - len(metrics):]
                cands = [vals]
                span_end = line_end
                break
    if span_end is None:
        run: list[re.Match[str]] = []
        for m in VALUE_TOKEN.finditer(text, start, end):
            if run and text[run[-1].end():m.start()].strip():
                break
            run.append(m)
        vals = [m.group(0) for m in run]
        if run:
            span_end = run[-1].end()
        cands = _resolve("text", vals, len(metrics), _appeals_ok)
    if span_end is not None:
        out.table_spans.append((start, span_end))
    if len(cands) == 1:
        for metric, raw in zip(metrics, cands[0]):
            out.add(metric, None, raw)
    elif vals:
        for metric in metrics:
            out.facts.append(Fact(metric, None, None, " ".join(vals), AMBIGUOUS))
        out.problems.append(f"appeals: {AMBIGUOUS} ({' '.join(vals)!r})")
    else:
        out.problems.append("appeals: table 四 not found")


def _line_starts(text: str, start: int, end: int):
    pos = start
    while pos < end:
        yield pos
        nxt = text.find("\n", pos, end)
        if nxt < 0:
            return
        pos = nxt + 1

