"""Map the grids of a Document onto the template by cell position.

A row is named by its label cells (matched against templates/template.yaml); its
values are the cells after the label, one cell per template column, so a blank cell
stays a blank cell and nothing is re-split.  Tables are followed across grids (page
breaks, sub-tables, repeated headers) by a small state machine: a section heading or a
row label sets the table being read, header rows and page noise carry no values.
Rows printed without their label are placed by template order only when exactly the
missing rows fit and the identities confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .document import Cell, Document, Grid, Paragraph
from .locate import section_regexes
from .templates import TEMPLATE
from .textnorm import norm
from .values import clean, is_number_text, is_value_text

N_APPLICANTS = len(TEMPLATE["requests"]["applicants"])
APPEAL_GROUPS = list(TEMPLATE["appeals"]["groups"])
_COMPACT = re.compile(r"[\s“”\"'‘’]+")
_PUNCT = str.maketrans({"、": ".", ",": ".", "，": ".", "．": "."})


def compact(text: str) -> str:
    """Label text for lookup: normalised, no whitespace or quotes, one item-number dot."""
    return _COMPACT.sub("", norm(text)).translate(_PUNCT)


@lru_cache(maxsize=1)
def _labels() -> tuple[dict[str, tuple[str, str]], list[tuple[str, tuple[str, str]]]]:
    """compact alias → (table, key); also the aliases longest first for end/start matching."""
    table: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(TEMPLATE["active"]["rows"]):
        for label in row["labels"]:
            table.setdefault(compact(label), ("active", str(i)))
    for row in TEMPLATE["requests"]["rows"]:
        key = row.get("metric") or "group:" + row["group"]
        for label in row["labels"]:
            table.setdefault(compact(label), ("requests", key))
    ordered = sorted(table.items(), key=lambda kv: len(kv[0]), reverse=True)
    return table, ordered


@lru_cache(maxsize=4096)
def lookup_label(text: str) -> tuple[str, str] | None:
    """(table, key) of a label cell: exact alias, else an alias ending or starting it."""
    c = compact(text)
    if not c or len(c) > 80:
        return None
    exact, ordered = _labels()
    if c in exact:
        return exact[c]
    for alias, hit in ordered:
        if len(alias) >= 2 and c.endswith(alias) and not c[-len(alias) - 1 : -len(alias)].isdigit():
            return hit
    for alias, hit in ordered:
        if len(alias) >= 5 and c.startswith(alias):
            return hit
    return None


@lru_cache(maxsize=1)
def _appeal_words() -> tuple[str, ...]:
    return tuple(
        compact(w) for w in TEMPLATE["appeals"]["header_words"] if w != "总计"
    )  # 总计 heads table 三 too


@lru_cache(maxsize=1)
def _group_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    named = TEMPLATE["appeals"]["group_words"].items()
    return tuple((g, tuple(compact(w) for w in words)) for g, words in named)


def _appeal_hint(text: str) -> str | None:
    """Which group of table 四 a sub-table header names, if exactly one."""
    c = compact(text)
    hits = {g for g, words in _group_words() if any(w in c for w in words)}
    if "litigation_after_review" in hits or "litigation_direct" in hits:
        hits.discard("review")  # "复议后起诉" also contains 复议
    return hits.pop() if len(hits) == 1 else None


@dataclass
class GridRow:
    """One row of table 三 or 二 as read from a grid: its key (None: no label) and value cells."""

    key: str | None
    cells: list[Cell]
    header: list[str] | None = None  # column headers above the value cells (table 二)


@dataclass
class GridTables:
    requests: list[GridRow] = field(default_factory=list)
    active: list[GridRow] = field(default_factory=list)
    appeals: list[tuple[str | None, list[Cell]]] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)


def _trailing_artifact(grid: Grid) -> bool:
    """Every row ends in an empty cell: a converter's closing border, not a column."""
    rows = [r for r in grid.rows if len(r) >= 2]
    return bool(rows) and all(not r[-1].span_copy and not clean(r[-1].text) for r in rows)


def _row_label(row: list[Cell]) -> tuple[int, tuple[str, str]] | None:
    """The last cell that names a template row (group labels and copies come before it)."""
    best = None
    for i, cell in enumerate(row):
        t = cell.text
        if not t or is_value_text(t):
            continue
        hit = lookup_label(t)
        if hit is not None:
            best = (i, hit)
    return best


def _section(text: str) -> int | None:
    t = norm(text)
    for n, rx in section_regexes():
        m = rx.search(t)
        if m and not t[: m.start()].strip():
            return n
    return None


_CONTEXT = {2: "active", 3: "requests", 4: "appeals"}


def read_grids(doc: Document) -> GridTables:
    """Walk paragraphs and grids in order; collect the rows of each table by position."""
    out = GridTables()
    context: str | None = None
    hint: str | None = None
    header: list[str] | None = None
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            n = _section(block.text) if len(block.text) < 80 else None
            if n is not None:
                context, hint = _CONTEXT.get(n), None
            elif context == "appeals":
                hint = _appeal_hint(block.text) or hint
            continue
        trailing = _trailing_artifact(block)
        for raw_row in block.rows:
            row = raw_row[:-1] if trailing and len(raw_row) >= 2 else raw_row
            label = _row_label(row)
            if label is not None:
                i, (table, key) = label
                context = table
                out.tables.add(table)
                if table == "requests" and not key.startswith("group:"):
                    out.requests.append(GridRow(key, [c for c in row[i + 1 :] if not c.span_copy]))
                elif table == "active":
                    heads = header if header is not None and len(header) == len(row) else None
                    out.active.append(GridRow(key, list(row[i + 1 :]), heads[i + 1 :] if heads else None))
                continue
            texts = [c.text for c in row if not c.span_copy]
            if context == "active":
                if sum(1 for t in texts if t and not is_value_text(t)) >= 2:
                    header = [c.text for c in row]
                continue
            if any(lookup_appeal_word(t) for t in texts):
                context, hint = "appeals", _appeal_hint(" ".join(texts)) or hint
                out.tables.add("appeals")
                continue
            cells = [c for c in row if not c.span_copy]
            if context == "requests" and _is_value_row(cells, N_APPLICANTS):
                out.requests.append(GridRow(None, cells))
            elif context == "appeals":
                values = _appeal_cells(cells)
                if values is not None:
                    out.appeals.append((hint, values))
    return out


@lru_cache(maxsize=4096)
def lookup_appeal_word(text: str) -> bool:
    c = compact(text)
    return bool(c) and any(w in c for w in _appeal_words())


def _is_value_row(cells: list[Cell], n: int) -> bool:
    """A row without a label that prints n values (at least one a number)."""
    vals = fit(cells, n)
    return (
        len(vals) == n
        and any(is_number_text(c.text) for c in vals)
        and all(is_value_text(c.text) or not _has_cjk_word(c.text) for c in vals)
    )


def _has_cjk_word(text: str) -> bool:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 3


def _appeal_cells(cells: list[Cell]) -> list[Cell] | None:
    """Table 四's value cells in a row (15, or 5/10 when printed as sub-tables), else None."""
    for start in (0, 1):
        vals = fit(cells[start:], 15) if len(cells) - start > 15 else cells[start:]
        if len(vals) in (5, 10, 15):
            readable = sum(1 for c in vals if is_value_text(c.text))
            if readable * 2 >= len(vals) and any(is_number_text(c.text) or not clean(c.text) for c in vals):
                return vals
    return None


def fit(cells: list[Cell], n: int) -> list[Cell]:
    """Drop blank cells a converter adds around a row (merged label columns, closing border)."""
    while len(cells) > n and not clean(cells[0].text):
        cells = cells[1:]
    while len(cells) > n and not clean(cells[-1].text):
        cells = cells[:-1]
    return cells


def column_values(row: GridRow, n: int) -> list[str] | None:
    """Table 二: one printed text per metric column, using the header's column groups.

    Converters print a merged cell as repeated or empty cells; under one header the
    non-empty texts must agree, else the row is unreadable (None).
    """
    cells = [c for c in row.cells if not c.span_copy]
    if len(cells) == n:
        return [c.text for c in cells]
    if row.header is not None:
        groups: list[list[Cell]] = []
        last = None
        for head, cell in zip(row.header, row.cells):
            h = compact(head)
            if not groups or (h and h != last):
                groups.append([])
                last = h or last
            groups[-1].append(cell)
        if len(groups) == n:
            return [_one(g) for g in groups] if all(_one(g) is not None for g in groups) else None
    cells = fit(cells, n)
    if len(cells) == n:
        return [c.text for c in cells]
    if n == 1 and cells:
        return [_one(cells)] if _one(cells) is not None else None
    return None


def _one(cells: list[Cell]) -> str | None:
    texts = {clean(c.text) for c in cells if clean(c.text)}
    if not texts:
        return cells[0].text if cells else ""
    if len(texts) == 1:
        return next(c.text for c in cells if clean(c.text))
    return None
