"""PDF page geometry → tables as Grids: character boxes + ruling lines → cells.

Reading-order text loses a blank cell (the row shifts), a label wrapped over three lines,
and a row cut by a page break.  The cells are all there in the geometry: every table in
these reports is drawn with ruling lines.  So a page's stroked lines (and thin filled
rectangles) give the column and row boundaries, a missing line between two base cells
means a merged cell, and each character goes to the cell its centre lies in.  The result
is the same `Grid` the HTML and DOCX readers make (merged cells expanded as span copies).

Coordinates are PDF points with y growing upwards, as pdfium reports them.
"""

from __future__ import annotations

import bisect
import ctypes
from dataclasses import dataclass, field
from typing import NamedTuple

SNAP = 2.0  # points: lines this close are one line
MIN_RULE = 4.0  # points: shorter strokes are glyph parts or dots, not rules
THIN = 3.0  # points: a filled rectangle thinner than this is a drawn line
COVER = 0.6  # a boundary exists where lines cover this share of it


class Char(NamedTuple):
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


class Rule(NamedTuple):
    """An axis-aligned line: `pos` is y for horizontal rules, x for vertical ones."""

    pos: float
    lo: float
    hi: float


@dataclass
class PCell:
    """A cell while tables are assembled; `full` = its last line runs to the right edge."""

    text: str
    copy: bool = False
    full: bool = False


@dataclass
class Table:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom (of the part on its first page)
    rows: list[list[PCell]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def left(self) -> float:
        return self.xs[0]

    @property
    def right(self) -> float:
        return self.xs[-1]


# --- characters -------------------------------------------------------------------------------


def page_chars(textpage, pdfium_c) -> list[Char]:
    """Printed characters with their loose boxes (pdfium's generated spaces/breaks dropped)."""
    tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(tp)
    rect = pdfium_c.FS_RECTF()
    out: list[Char] = []
    get_u, gen = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    box, tight = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharBox
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    for i in range(n):
        u = get_u(tp, i)
        if u <= 32 or u == 0x3000 or u == 0xA0 or gen(tp, i) == 1:
            continue
        if not box(tp, i, ctypes.byref(rect)):
            continue
        if rect.top - rect.bottom > 40 or rect.right - rect.left > 40:  # a bogus font size: tight box
            tight(tp, i, *(ctypes.byref(v) for v in (left, right, bottom, top)))
            rect.left, rect.right, rect.bottom, rect.top = left.value, right.value, bottom.value, top.value
        if 0xD800 <= u < 0xDC00:  # a surrogate pair: pdfium gives each half its own index
            low = get_u(tp, i + 1) if i + 1 < n else 0
            ch = chr(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)) if 0xDC00 <= low < 0xE000 else "\ufffd"
        elif 0xDC00 <= u < 0xE000:
            continue
        else:
            ch = chr(u)
        out.append(Char(ch, rect.left, rect.bottom, rect.right, rect.top))
    return out


# --- ruling lines -----------------------------------------------------------------------------


def _matrix(obj, pdfium_c) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_points(obj, m: tuple[float, ...], pdfium_c) -> list[list[tuple[float, float]]]:
    """The path's subpaths as point lists in page space (curves reduced to their end points)."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([pt])
        else:
            subpaths[-1].append(pt)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and len(subpaths[-1]) > 1:
            subpaths[-1].append(subpaths[-1][0])
    return subpaths


def _add_path(obj, m, pdfium_c, hs: list[Rule], vs: list[Rule]) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    for pts in _path_points(obj, m, pdfium_c):
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if not stroke.value:  # filled shapes: only thin bars are lines (backgrounds are not)
            if fill.value and h < THIN and w >= MIN_RULE:
                hs.append(Rule((max(ys) + min(ys)) / 2, min(xs), max(xs)))
            elif fill.value and w < THIN and h >= MIN_RULE:
                vs.append(Rule((max(xs) + min(xs)) / 2, min(ys), max(ys)))
            continue
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if abs(y1 - y0) < 1 and abs(x1 - x0) >= MIN_RULE:
                hs.append(Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) < 1 and abs(y1 - y0) >= MIN_RULE:
                vs.append(Rule((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def page_rules(page, pdfium_c, max_objects: int) -> tuple[list[Rule], list[Rule]]:
    """Horizontal and vertical rules drawn on the page, inside form XObjects too."""
    hs: list[Rule] = []
    vs: list[Rule] = []
    budget = [max_objects]

    def walk(count: int, get, outer: tuple[float, ...] | None, depth: int) -> None:
        for i in range(count):
            budget[0] -= 1
            if budget[0] < 0:
                return
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            m = _matrix(obj, pdfium_c)
            m = _compose(m, outer) if outer else m
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                _add_path(obj, m, pdfium_c, hs, vs)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 4:
                walk(
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    lambda k, o=obj: pdfium_c.FPDFFormObj_GetObject(o, k),
                    m,
                    depth + 1,
                )

    raw = page.raw
    walk(pdfium_c.FPDFPage_CountObjects(raw), lambda k: pdfium_c.FPDFPage_GetObject(raw, k), None, 0)
    return _merge(hs), _merge(vs)


def _merge(rules: list[Rule]) -> list[Rule]:
    """Join collinear pieces (a border drawn cell by cell becomes one rule)."""
    rules.sort()
    out: list[Rule] = []
    for r in rules:
        for k in range(len(out) - 1, -1, -1):
            o = out[k]
            if r.pos - o.pos > SNAP:
                out.append(r)
                break
            if r.lo <= o.hi + SNAP and o.lo <= r.hi + SNAP:
                out[k] = Rule(o.pos, min(o.lo, r.lo), max(o.hi, r.hi))
                break
        else:
            out.append(r)
    return out


# --- tables -----------------------------------------------------------------------------------


def _clusters(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _edges(cuts: list[float], across: list[Rule]) -> list[float]:
    """Add an outer edge that is not drawn but where the crossing rules end together.

    WPS leaves out the bottom line of a table cut by the page break (the column lines run
    on to the page's end), and open-sided tables have no outer verticals.
    """
    if not cuts:
        return cuts
    low = min(r.lo for r in across)
    high = max(r.hi for r in across)
    out = list(cuts)
    if low < cuts[0] - 2 * SNAP and sum(abs(r.lo - low) <= SNAP for r in across) >= 2:
        out.insert(0, low)
    if high > cuts[-1] + 2 * SNAP and sum(abs(r.hi - high) <= SNAP for r in across) >= 2:
        out.append(high)
    return out


def _components(hs: list[Rule], vs: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Groups of rules that touch each other: one group per table."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.lo - SNAP <= v.pos <= h.hi + SNAP and v.lo - SNAP <= h.pos <= v.hi + SNAP:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if g[0] and g[1]]


def _covered(rules: list[Rule], pos: float, lo: float, hi: float) -> bool:
    """Do rules at `pos` cover most of [lo, hi]?"""
    got = 0.0
    for r in rules:
        if abs(r.pos - pos) <= SNAP:
            got += max(0.0, min(hi, r.hi) - max(lo, r.lo))
    return got >= COVER * (hi - lo)


def _line_text(chars: list[Char]) -> str:
    chars.sort(key=lambda c: c.x0)
    parts = [chars[0].text]
    for prev, ch in zip(chars, chars[1:]):
        if ch.x0 - prev.x1 > 0.5 * max(ch.y1 - ch.y0, 1.0):
            parts.append(" ")
        parts.append(ch.text)
    return "".join(parts)


def text_lines(chars: list[Char]) -> list[tuple[str, list[Char]]]:
    """Characters → lines top to bottom (a char joins a line its centre lies within)."""
    out: list[tuple[str, list[Char]]] = []
    line: list[Char] = []
    lo = hi = 0.0
    for ch in sorted(chars, key=lambda c: -c.cy):
        if line and lo <= ch.cy <= hi:
            line.append(ch)
            continue
        if line:
            out.append((_line_text(line), line))
        line, lo, hi = [ch], ch.y0, ch.y1
    if line:
        out.append((_line_text(line), line))
    return out


def join_lines(lines: list[str], wrapped: list[bool] | None = None) -> str:
    """Lines of one cell as one text: wrapped CJK joins directly, Latin/digits with a space.

    `wrapped[i]` says line i+1 continues a word of line i (a number too wide for its
    cell); those join directly, so "1009"/"2" is 10092 but "12"/"34" stays "12 34".
    """
    text = ""
    for i, line in enumerate(lines):
        if (
            text
            and text[-1].isascii()
            and text[-1].isalnum()
            and line[0].isascii()
            and line[0].isalnum()
            and not (wrapped and wrapped[i - 1])
        ):
            text += " "
        text += line
    return text


_PAD = 6.0  # points: the widest inner cell margin seen (Word/LibreOffice use 5.4)


def _cell(chars: list[Char], right: float) -> PCell:
    if not chars:
        return PCell("")
    lines = text_lines(chars)
    # the next line's first character would not have fitted at the end of this line
    wrapped = [
        nxt[0].x1 - nxt[0].x0 > right - cur[-1].x1 - _PAD for (_, cur), (_, nxt) in zip(lines, lines[1:])
    ]
    end = lines[-1][1][-1]  # no room after the last character for one more like it: a cut may follow
    return PCell(join_lines([t for t, _ in lines], wrapped), full=right - end.x1 - _PAD < end.x1 - end.x0)


def build_table(hs: list[Rule], vs: list[Rule], chars: list[Char]) -> tuple[Table, list[Char]] | None:
    """One group of rules + the page's characters → a Table, and the characters it did not take."""
    xs = _edges(_clusters([v.pos for v in vs]), hs)
    ys = _edges(_clusters([h.pos for h in hs]), vs)[::-1]  # top to bottom
    if len(xs) < 2 or len(ys) < 2 or (len(xs) == 2 and len(ys) == 2):
        return None  # a framed paragraph, not a table
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vs, xs[c + 1], ys[r + 1], ys[r]):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _covered(hs, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    inside: dict[int, list[Char]] = {}
    rest: list[Char] = []
    neg_ys = [-y for y in ys]
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        if not (xs[0] <= cx <= xs[-1] and ys[-1] <= cy <= ys[0]):
            rest.append(ch)
            continue
        c = min(max(bisect.bisect_right(xs, cx) - 1, 0), nc - 1)
        r = min(max(bisect.bisect_right(neg_ys, -cy) - 1, 0), nr - 1)
        inside.setdefault(find(r * nc + c), []).append(ch)
    right: dict[int, float] = {}
    for i in range(nr * nc):
        root = find(i)
        right[root] = max(right.get(root, 0.0), xs[i % nc + 1])
    cells = {root: _cell(inside.get(root, []), right[root]) for root in right}
    rows: list[list[PCell]] = []
    for r in range(nr):
        row = []
        for c in range(nc):
            i = r * nc + c
            root = find(i)
            cell = cells[root]
            row.append(cell if root == i else PCell(cell.text, True, cell.full))
        rows.append(row)
    return Table(xs, ys, rows), rest


def page_tables(hs: list[Rule], vs: list[Rule], chars: list[Char]) -> tuple[list[Table], list[Char]]:
    """All tables on a page (top to bottom) and the characters outside them."""
    tables: list[Table] = []
    for group in _components(hs, vs):
        built = build_table(*group, chars)
        if built is not None:
            table, chars = built
            tables.append(table)
    tables.sort(key=lambda t: -t.top)
    return tables, chars


# --- across pages -----------------------------------------------------------------------------


def _regrid(table: Table, xs: list[float]) -> list[list[PCell]]:
    """The table's rows over finer column boundaries `xs` (new columns are span copies)."""
    if len(xs) == len(table.xs):
        return table.rows
    out = []
    for row in table.rows:
        new: list[PCell] = []
        for c, cell in enumerate(row):
            n = sum(1 for x in xs[:-1] if table.xs[c] - SNAP <= x < table.xs[c + 1] - SNAP)
            new.append(cell)
            new.extend(PCell(cell.text, True, cell.full) for _ in range(max(n, 1) - 1))
        out.append(new)
    return out


def continues(first: Table, second: Table) -> bool:
    """Is `second` (top of the next page) the rest of `first` (bottom of this page)?"""
    if abs(first.left - second.left) > 3 * SNAP or abs(first.right - second.right) > 3 * SNAP:
        return False
    a, b = first.xs, second.xs
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return all(any(abs(x - y) <= SNAP for y in big) for x in small)


_ENUM = ("一、", "二、", "三、", "四、", "五、", "（", "(")


def _starts_item(text: str) -> bool:
    t = text.lstrip()
    return t.startswith(_ENUM) or (len(t) > 1 and t[0].isdigit() and t[1] in ".．、")


def _split_row(a: list[PCell], b: list[PCell]) -> bool:
    """Are `a` (last row on a page) and `b` (first row on the next) one row cut by the break?

    Yes when they never both print in the same cell, except where `a`'s text runs to the
    cell's edge (a label or a wrapped number cut mid-way) and `b` does not start a new
    numbered item.
    """
    cut = False
    for x, y in zip(a, b):
        if x.copy and y.copy:
            continue
        if x.text and y.text:
            if not (x.full and not _starts_item(y.text)):
                return False
            cut = True
    a_vals = any(c.text for c in a[len(a) // 2 :])
    b_labels = any(c.text for c in b[: max(1, len(b) // 3)])
    return cut or (not a_vals and not b_labels and any(c.text for c in b))


def join(first: Table, second: Table) -> Table:
    """Append the next page's part: repeated header rows dropped, a cut row re-joined."""
    xs = _clusters(first.xs + second.xs)
    top, rest = _regrid(first, xs), _regrid(second, xs)
    texts = [tuple(c.text for c in r) for r in top]
    k = 0
    while k < len(rest) and k < len(top) - 1 and tuple(c.text for c in rest[k]) == texts[k]:
        k += 1
    rest = rest[k:]
    if rest and _split_row(top[-1], rest[0]):
        merged = [
            PCell(
                join_lines([t for t in (x.text, y.text) if t], [x.full]),
                x.copy and y.copy,
                y.full or not y.text,
            )
            for x, y in zip(top[-1], rest[0])
        ]
        top = top[:-1] + [merged]
        rest = rest[1:]
    _carry_labels(top[-1], rest)
    return Table(xs, first.ys, top + rest)


def _carry_labels(above: list[PCell], rest: list[list[PCell]]) -> None:
    """A merged label cut by the page break ("（四）无法提供" over three rows, one on this
    page): its empty part on the next page becomes copies of it, as the DOCX reader
    gives.  Only labels (with ideographs) and only empty parts merged over several rows."""
    if len(rest) < 2:
        return
    for c, cell in enumerate(above):
        if not any("\u4e00" <= ch <= "\u9fff" for ch in cell.text):
            continue
        if rest[0][c].text or rest[1][c].text or not rest[1][c].copy:
            continue
        r = 0
        while r < len(rest) and not rest[r][c].text and (r == 0 or rest[r][c].copy):
            rest[r][c] = PCell(cell.text, True, cell.full)
            r += 1
