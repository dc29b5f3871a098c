"""Map a Document onto the template's tables: values per metric × applicant, as printed.

Grids (HTML, DOCX, PDF with geometry, pipe text) are mapped by cell position
(gridmap.py): row label cells name the metric, the column names the applicant.  Only
tables found in no grid are read from the linear text (text dumps, PDFs without ruling
lines); there, run-together digits are split only when the template's identities leave
exactly one split (digits.py); otherwise the cells stay null with their raw text and
the report is partial.
"""

from __future__ import annotations

import itertools

from . import digits
from .checks import evaluate
from .document import Document
from .facts import AMBIGUOUS, Fact, Mapped
from .gridmap import GridRow, GridTables, column_values, fit, read_grids
from .locate import Hit, find_rows, find_sections, label_regex, segment_values, value_spans
from .stream import CELLS, Stream
from .templates import APPLICANTS, TEMPLATE
from .values import CellError, parse_value

__all__ = ["AMBIGUOUS", "Fact", "Mapped", "map_stream", "map_document"]
MAX_JOINT = 20000


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


def map_stream(stream: Stream, year: int | None = None, doc: Document | None = None) -> Mapped:
    """Map a report: tables found in the document's grids by position, the rest from text."""
    t = stream.norm
    out = Mapped()
    secs = {int(h.key): h for h in find_sections(t)}
    out.sections = list(secs.values())
    if year is not None and year < 2019:  # the national tables start with the 2019 reports
        out.template = "pre2019"
        return out
    n = len(t)
    req_rows = TEMPLATE["requests"]["rows"]
    first_req = _first(req_rows[0]["labels"], t, 0, n)

    # regions of the three tables
    a_start = secs[2].end if 2 in secs else 0
    a_end = secs[3].start if 3 in secs else (first_req if first_req is not None else n)
    r_start = secs[3].end if 3 in secs else (first_req if first_req is not None else a_end)
    r_end = secs[4].start if 4 in secs else (secs[5].start if 5 in secs else n)
    p_end = secs[5].start if 5 in secs else (secs[6].start if 6 in secs else n)

    grids = read_grids(doc) if doc is not None and doc.grids() else GridTables()
    active_tpl = _active_template(stream, grids, a_start, a_end, year)

    req_hits: list[Hit] = []
    if not _requests_from_grid(grids.requests, out):
        req_hits = _map_requests(stream, out, r_start, r_end)
    p_start = secs[4].end if 4 in secs else (req_hits[-1].end if req_hits else r_end)
    if active_tpl and not _active_from_grid(grids.active, out, active_tpl):
        _map_active(stream, out, active_tpl, a_start, a_end)
    if (out.requests_variant or active_tpl) and not _appeals_from_grid(grids.appeals, out):
        _map_appeals(stream, out, p_start, p_end)

    if active_tpl:
        out.template = active_tpl
    elif out.requests_variant:
        out.template = out.requests_variant
    else:
        out.template = "unknown"
    return out


def missing_tables(mapped: Mapped) -> list[str]:
    """Reasons a report with a template is incomplete although each cell it found is fine."""
    if mapped.template not in ("2019", "2021"):
        return []
    out = []
    if not any(f.metric.startswith("requests.") for f in mapped.facts):
        out.append("table 三 (requests) not found: printed as an image or in a layout not read")
    if not any(f.metric.startswith("active.") for f in mapped.facts):
        out.append("table 二 (proactive disclosure) not found: printed as an image or in a layout not read")
    return out


def map_document(doc: Document, stream: Stream, year: int | None = None) -> Mapped:
    return map_stream(stream, year, doc)


_ONLY_2019 = ("其他对外管理服务事项", "政府集中采购")


def _active_template(stream: Stream, grids: GridTables, start: int, end: int, year: int | None) -> str | None:
    """Table 二's version: its column headers, else its rows (plain lines print no headers)."""
    t = stream.norm
    markers = TEMPLATE["active"]["markers"]
    m19 = _count_markers(t, start, end, markers["2019"])
    m21 = _count_markers(t, start, end, markers["2021"])
    if m21 != m19:
        return "2021" if m21 > m19 else "2019"
    rows = TEMPLATE["active"]["rows"]
    if grids.active:
        keys = {int(r.key) for r in grids.active if r.key}
        if any(rows[k]["labels"][0] in _ONLY_2019 for k in keys):
            return "2019"
        licensing = next((r for r in grids.active if rows[int(r.key)]["labels"][0] == "行政许可"), None)
        printed = [c for c in licensing.cells if not c.span_copy and c.text.strip()] if licensing else []
        return "2019" if len(printed) >= 3 else "2021" if len(printed) == 1 else _by_year(year)
    if m19:
        return "2019"
    hits = find_rows(t, [(str(i), tuple(r["labels"])) for i, r in enumerate(rows)], start, end)
    if len(hits) < 2:
        return None
    if any(rows[int(h.key)]["labels"][0] in _ONLY_2019 for h in hits):
        return "2019"
    lic = next((i for i, h in enumerate(hits) if rows[int(h.key)]["labels"][0] == "行政许可"), None)
    if lic is not None:
        seg_end = hits[lic + 1].start if lic + 1 < len(hits) else end
        k = len(segment_values(stream.text, hits[lic].end, seg_end, t)[1])
        if k in (1, 3):
            return "2021" if k == 1 else "2019"
    return _by_year(year)


def _by_year(year: int | None) -> str | None:
    if year is None:
        return None
    return "2021" if year >= 2021 else "2019"


def _active_from_grid(rows: list[GridRow], out: Mapped, tpl: str) -> bool:
    spec = TEMPLATE["active"]
    by_key = {str(i): r[tpl] for i, r in enumerate(spec["rows"]) if tpl in r}
    rows = [r for r in rows if r.key in by_key]
    if not rows:
        return False
    out.cells_expected += sum(len(m) for m in by_key.values())
    out.tables.add("active")
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            continue
        seen.add(row.key)
        metrics = by_key[row.key]
        values = column_values(row, len(metrics))
        if values is None:
            raw = " | ".join(c.text for c in row.cells if not c.span_copy)
            note = f"row has cells that do not line up with its {len(metrics)} columns"
            for metric in metrics:
                out.unresolved(metric, [None], raw, note)
            out.problems.append(f"{','.join(metrics)}: {note} ({raw!r})")
            continue
        for metric, raw in zip(metrics, values):
            out.add(metric, None, raw, spec["printed_units"].get(metric), _confidence(row, raw))
    return True


def _confidence(row: GridRow, raw: str) -> float | None:
    for c in row.cells:
        if c.text == raw:
            return getattr(c, "confidence", None)
    return None


def _requests_from_grid(rows: list[GridRow], out: Mapped) -> bool:
    """Table 三 from grid rows: values by position; unlabeled rows placed by template order."""
    spec = TEMPLATE["requests"]
    labeled = [r for r in rows if r.key]
    if not labeled:
        return False
    keys = {r.key for r in labeled}
    variant = "2021" if any(m in keys for m in spec["markers_2021"]) else "2019"
    out.requests_variant = variant
    out.tables.add("requests")
    order = [r["metric"] for r in spec["rows"] if "metric" in r]
    if variant == "2021":
        expected = [m for m in order if m != "requests.other"]
    else:
        expected = [m for m in order if not m.startswith("requests.other.")]
    out.cells_expected += len(expected) * len(APPLICANTS)

    values: dict[str, list] = {}  # metric → cells (list of Cell) or a str (unreadable row)
    for metric, cells in _place_rows(rows, order, set(expected), out):
        if metric in values:
            if _texts(values[metric]) != _texts(cells):
                out.problems.append(f"{metric}: printed twice with different values")
            continue
        values[metric] = cells
    other = values.get("requests.other")
    if variant == "2021" and other is not None:
        if isinstance(other, list) and not any(c.text.strip() for c in other):
            del values["requests.other"]  # the （六） group header of the 2021 template
        else:
            out.cells_expected += len(APPLICANTS)  # an extra printed （六） subtotal row
    for metric in order:
        cells = values.get(metric)
        if cells is None:
            continue
        if isinstance(cells, str):
            note = "row's cells do not line up with the 7 applicant columns"
            out.unresolved(metric, list(APPLICANTS), cells, note)
            out.problems.append(f"{metric}: cells do not line up with the applicant columns ({cells!r})")
            continue
        out.add_cells(metric, APPLICANTS, cells)
    return True


def _texts(cells) -> list[str] | str:
    return cells if isinstance(cells, str) else [c.text for c in cells]


def _row_cells(row: GridRow):
    """A labeled row's 7 value cells, [] when the label stands alone, or its raw text if neither."""
    cells = fit(row.cells, len(APPLICANTS))
    if len(cells) == len(APPLICANTS) or not cells:
        return cells
    if all(not c.text.strip() for c in cells):
        return []
    return " | ".join(c.text for c in cells)


def _place_rows(rows: list[GridRow], order: list[str], expected: set[str], out: Mapped):
    """(metric, cells) per row; rows printed apart from their label placed by template order.

    A label standing alone takes the value row right after it.  A run of unlabeled value
    rows between two labeled rows fills exactly the template rows missing between them,
    when there are as many and each placed row's total equals the sum of its columns.
    """
    placed: list[tuple[str, object]] = []
    labeled_keys = {r.key for r in rows if r.key}
    pending: list[GridRow] = []
    prev: tuple[str, object] | None = None

    def flush(next_key: str | None) -> None:
        nonlocal pending
        if not pending:
            return
        lo = order.index(prev[0]) + 1 if prev else 0
        hi = order.index(next_key) if next_key else len(order)
        missing = [m for m in order[lo:hi] if m in expected and m not in labeled_keys]
        runs = [fit(r.cells, len(APPLICANTS)) for r in pending]
        if prev and prev[1] == [] and len(runs) == len(missing) + 1 and _sum_ok(runs[0]):
            placed[-1] = (prev[0], runs[0])  # the label printed above its numbers
            runs = runs[1:]
        if runs and len(runs) == len(missing) and all(_sum_ok(r) for r in runs):
            placed.extend(zip(missing, runs))
        elif runs:
            out.problems.append(f"table 三: {len(runs)} row(s) without a label could not be placed")
        pending = []

    for row in rows:
        if row.key is None:
            pending.append(row)
            continue
        flush(row.key)
        prev = (row.key, _row_cells(row))
        placed.append(prev)
    flush(None)
    return [(m, c) for m, c in placed if c != []]  # a label whose numbers were never found: missing


def _sum_ok(cells) -> bool:
    vals = [_num(c.text) for c in cells]
    return len(vals) == 7 and abs(sum(vals[:6]) - vals[6]) < 1e-6


def _appeals_from_grid(rows: list[tuple[str | None, list]], out: Mapped) -> bool:
    """Table 四 from grid rows: one row of 15, or sub-tables of 5 named by their headers."""
    if not rows:
        return False
    groups = TEMPLATE["appeals"]["groups"]
    names = list(groups)
    chunks: list[tuple[str | None, list]] = []
    for hint, cells in rows:
        if len(cells) == 15:
            chunks = [(None, cells[i : i + 5]) for i in (0, 5, 10)]
            break
        chunks += [(hint if len(cells) == 5 else None, cells[i : i + 5]) for i in range(0, len(cells), 5)]
    assigned: dict[str, list] = {}
    for hint, cells in chunks:
        if hint and hint not in assigned:
            assigned[hint] = cells
    rest = iter(c for h, c in chunks if not h or assigned.get(h) is not c)
    for name in names:
        if name not in assigned:
            assigned[name] = next(rest, None)
    out.cells_expected += sum(len(m) for m in groups.values())
    out.tables.add("appeals")
    for name in names:
        cells = assigned[name]
        if cells is None:
            out.problems.append(f"appeals: the {name} part of table 四 not found")
            continue
        for metric, cell in zip(groups[name], cells):
            out.add(metric, None, cell.text, None, getattr(cell, "confidence", None))
    return True


def _map_active(stream: Stream, out: Mapped, tpl: str, start: int, end: int) -> None:
    rows = [(tuple(r[tpl]), tuple(r["labels"])) for r in TEMPLATE["active"]["rows"] if tpl in r]
    units = TEMPLATE["active"]["printed_units"]
    hits = find_rows(stream.norm, [(",".join(m), labels) for m, labels in rows], start, end)
    out.cells_expected += sum(len(m) for m, _ in rows)
    by_key = {",".join(m): m for m, _ in rows}
    for i, hit in enumerate(hits):
        metrics = by_key[hit.key]
        seg_end = hits[i + 1].start if i + 1 < len(hits) else end
        mode, vals = segment_values(stream.text, hit.end, seg_end, stream.norm)
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
    ends = [b for _, b in value_spans(stream.norm, last.end, end)]
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
        mode, vals = segment_values(stream.text, hit.end, seg_end, stream.norm)
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
    return all(abs(sum(v[g : g + 4]) - v[g + 4]) < 1e-6 for g in (0, 5, 10))


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
                vals = cells[len(cells) - len(metrics) :]
                cands = [vals]
                span_end = line_end
                break
    if span_end is None:
        run: list[tuple[int, int]] = []
        for a, b in value_spans(stream.norm, start, end):
            if run and text[run[-1][1] : a].strip():
                break
            run.append((a, b))
        vals = [text[a:b] for a, b in run]
        if run:
            span_end = run[-1][1]
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
