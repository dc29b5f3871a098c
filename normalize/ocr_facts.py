"""After mapping an OCR'd document: each fact's confidence, and corrections by the identities.

Confidence: until grid mapping carries each cell's own confidence into its Fact, a fact
from an OCR'd document gets the lowest confidence of the OCR cells printing its text
(a lower bound: never more sure than the least sure read of that text).  In a PDF that
mixes text pages and scanned pages a fact whose text no OCR cell printed keeps None.

Correction (issue 9): a misread in table 三 breaks its row sum and a column identity.
Where the failing identities all meet in exactly one cell and every one of them implies
the same value, that value is recorded with the OCR text kept in `raw` and a note.
An unreadable inked cell may be solved the same way; a blank cell is never filled.
A read the recogniser was sure of (confidence ≥ UNSURE) is not corrected: a wrong total
printed by the agency breaks the same identities, and a source error is flagged, never fixed.
"""

from __future__ import annotations

from .checks import _BALANCE, _outcome_rows
from .document import Document
from .mapping import Fact
from .templates import APPLICANTS, TEMPLATE

Key = tuple[str, str | None]
Identity = tuple[str, dict[Key, int]]  # kind ("row" or "column"), cell → coefficient (sum is 0)
NULL_MARKERS = frozenset(TEMPLATE["null_markers"])
UNREADABLE_NOTE = "unreadable cell"
UNSURE = 0.9  # below this recogniser confidence a read may be a misread worth correcting


def with_confidence(doc: Document, facts: list[Fact]) -> list[Fact]:
    """Facts of an OCR'd document with a confidence (lower bound per printed text)."""
    if not doc.ocr_pages:
        return facts
    lowest: dict[str, float] = {}
    for grid in doc.grids():
        for row in grid.rows:
            for c in row:
                if c.confidence is not None and not c.span_copy:
                    key = c.text.strip()
                    lowest[key] = min(c.confidence, lowest.get(key, 1.0))
    floor = min(lowest.values(), default=None) if doc.format == "image" else None
    return [
        f if f.confidence is not None else f._replace(confidence=lowest.get((f.raw or "").strip(), floor))
        for f in facts
    ]  # a confidence the mapper carried from the fact's own cell wins


def _identities(found: dict[Key, float], keys: set[Key]) -> list[Identity]:
    """Table 三's identities as linear equations over cells (checks.py, same rules)."""
    ids: list[Identity] = []
    for m in {m for m, a in keys if a is not None}:
        if all((m, a) in keys for a in APPLICANTS):
            ids.append(("row", {(m, "total"): 1, **{(m, a): -1 for a in APPLICANTS[:-1]}}))
    outcomes = _outcome_rows(found)
    new, carried_over, total, forward = _BALANCE
    for a in APPLICANTS:
        ids.append(("column", {(total, a): 1, (forward, a): 1, (new, a): -1, (carried_over, a): -1}))
        ids.append(("column", {(total, a): 1, **{(m, a): -1 for m in outcomes}}))
    return [(kind, eq) for kind, eq in ids if all(k in keys for k in eq)]


def _solve(eq: dict[Key, int], cell: Key, vals: dict[Key, float]) -> float:
    return -sum(c * vals[k] for k, c in eq.items() if k != cell) / eq[cell]


def _holds(eq: dict[Key, int], vals: dict[Key, float]) -> bool:
    return abs(sum(c * vals[k] for k, c in eq.items())) < 1e-6


def _agreed_value(cell: Key, ids: list[Identity], vals: dict[Key, float]) -> float | None:
    """The value every identity through `cell` implies, if a row and a column both say it."""
    mine = [(kind, eq) for kind, eq in ids if cell in eq and all(k in vals for k in eq if k != cell)]
    if not {"row", "column"} <= {kind for kind, _ in mine}:
        return None
    values = {round(_solve(eq, cell, vals), 6) for _, eq in mine}
    if len(values) != 1:
        return None
    v = values.pop()
    return v if v >= 0 and v == int(v) else None


def correct(facts: list[Fact], found: dict[Key, float]) -> tuple[list[Fact], list[str]]:
    """Facts with single misreads (or unreadable inked cells) of table 三 solved; messages."""
    by_key = {(f.metric, f.applicant): i for i, f in enumerate(facts) if f.applicant is not None}
    unreadable = {k for k, i in by_key.items() if facts[i].note == UNREADABLE_NOTE}
    ids = _identities(found, set(found) | unreadable)
    failing = [eq for _, eq in ids if all(k in found for k in eq) and not _holds(eq, found)]
    if unreadable:
        candidates = sorted(unreadable) if not failing else []
    elif failing:
        common = set.intersection(*(set(eq) for eq in failing))
        kinds = {kind for kind, eq in ids if eq in failing}
        candidates = sorted(common) if len(common) == 1 and kinds == {"row", "column"} else []
    else:
        candidates = []
    out, messages = list(facts), []
    for cell in candidates:
        f = facts[by_key[cell]]
        if (f.raw or "").strip() in NULL_MARKERS:  # never fill a blank
            continue
        if f.value is not None and (f.confidence is None or f.confidence >= UNSURE):
            continue  # a confident read: more likely the agency's own error
        others = {k: v for k, v in found.items() if k != cell}
        v = _agreed_value(cell, ids, others)
        if v is None:
            continue
        out[by_key[cell]] = f._replace(value=v, note=f"corrected by the identities: OCR read {f.raw!r}")
        found[cell] = v
        messages.append(f"{cell[0]}/{cell[1]}: OCR read {f.raw!r}, corrected to {v:g} by the identities")
    return out, messages


def apply(doc: Document, mapped) -> list[str]:
    """Provenance and identity corrections for a mapped OCR'd document; messages for `error`."""
    if not doc.ocr_pages:
        return []
    before = with_confidence(doc, mapped.facts)
    mapped.facts, messages = correct(before, mapped.found)
    solved = sum(1 for a, b in zip(before, mapped.facts) if a.value is None and b.value is not None)
    mapped.cells_found += solved
    return messages
