"""What mapping produces: one Fact per template cell, collected in a Mapped.

Shared by the grid mapper (cells by position) and the text mapper (text dumps), so
both add cells through the same door: `Mapped.add` parses the printed text once and
records an unreadable cell as null with its raw text and a note, never as a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .locate import Hit
from .values import NULL_MARKERS, CellError, clean, parse_cell

AMBIGUOUS = "ambiguous: cell borders lost and the identities allow several splits"
UNREADABLE = "unreadable cell"


class Fact(NamedTuple):
    metric: str
    applicant: str | None
    value: float | None
    raw: str | None
    note: str | None = None
    confidence: float | None = None  # 0–1 when the cell's text came from OCR (interfaces.md #2)


_new_fact = tuple.__new__  # Fact(...) without NamedTuple's keyword handling: ~200 per report


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
    tables: set[str] = field(default_factory=set)  # "active", "requests", "appeals" when located

    def add(
        self,
        metric: str,
        applicant: str | None,
        raw: str,
        unit: str | None = None,
        confidence: float | None = None,
    ) -> None:
        if unit is None and raw.isdigit() and raw.isascii() and len(raw) <= 15:  # the common case, inline
            value = float(raw)
            self.facts.append(_new_fact(Fact, (metric, applicant, value, raw, None, confidence)))
            self.cells_found += 1
            self.found[(metric, applicant)] = value
            return
        try:
            value = parse_cell(raw, metric, unit)
        except CellError as exc:
            self.facts.append(Fact(metric, applicant, None, raw.strip(), f"{UNREADABLE}: {exc}", confidence))
            where = f"{metric}/{applicant}" if applicant else metric
            self.problems.append(f"{where}: {UNREADABLE} {raw.strip()!r}")
            return
        self.facts.append(Fact(metric, applicant, value, raw.strip(), None, confidence))
        self.cells_found += 1
        self.found[(metric, applicant)] = 0.0 if value is None else value

    def add_cells(self, metric: str, applicants, cells) -> None:
        """One table-三 row: a cell per applicant, each as `add` would take it, with plain digits
        and blanks handled inline (a report holds some 200 such cells; the rest go to `add`)."""
        facts, found, new = self.facts, self.found, _new_fact
        for applicant, (raw, _, confidence) in zip(applicants, cells):  # Cell(text, span_copy, confidence)
            if raw.isdigit() and raw.isascii() and len(raw) <= 15:
                value = float(raw)
                facts.append(new(Fact, (metric, applicant, value, raw, None, confidence)))
                self.cells_found += 1
                found[(metric, applicant)] = value
            elif not raw or clean(raw) in NULL_MARKERS:  # blank, "/", "—": a cell without a number
                facts.append(new(Fact, (metric, applicant, None, raw.strip(), None, confidence)))
                self.cells_found += 1
                found[(metric, applicant)] = 0.0
            else:
                self.add(metric, applicant, raw, None, confidence)

    def unresolved(self, metric: str, applicants: list[str | None], raw: str, note: str = AMBIGUOUS) -> None:
        for a in applicants:
            self.facts.append(Fact(metric, a, None, raw, note))
