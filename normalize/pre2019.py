"""Headline figures of pre-2019 reports (2008–2018), from prose and statistics tables.

Before 2019 there was no national table: each report states its figures in sentences
("共收到政府信息公开申请9件") and, in some provinces, in a statistics table whose columns
are 本年度 then 历年累计.  The phrasings and table labels are data
(templates/pre2019.yaml); this module only applies them.  Rules (README of the corpus):
the table's 本年度 value wins and a disagreeing sentence is recorded as a failed check,
never silently dropped; cumulative columns and approximate numbers are never facts; a
run-together table cell is split only when its digits allow one split, or when exactly
one split agrees with the prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .checks import Check
from .mapping import Fact
from .stream import Stream
from .textnorm import norm

RULE = "pre2019.prose_vs_table"
AMBIGUOUS = "ambiguous: table cells run together and no split matches a sentence of the report"
SEVERAL = "ambiguous: the report's sentences give several different figures"
_SEP = "\x1e\x1f"
_CLAUSE_END = ",;。:\n!?"
_SENTENCE_END = "。;\n!?"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_RAW_MAX = 300


@dataclass(frozen=True)
class Pattern:
    metrics: tuple[str, ...]
    regex: re.Pattern[str]
    zero: bool
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrasebook:
    """pre2019.yaml, compiled."""

    patterns: tuple[Pattern, ...]
    part_of_agency: tuple[str, ...]
    not_this_period: re.Pattern[str]
    table_start: re.Pattern[str]
    year_column: re.Pattern[str]
    cumulative_column: re.Pattern[str]
    units: str
    row_labels: re.Pattern[str]
    label_metric: dict[str, str]
    title: re.Pattern[str]
    metrics: tuple[str, ...]
    same_as: dict[int, str]

    def norm(self, text: str) -> str:
        """The general normalisation plus this file's `same_as` (length kept, so offsets hold)."""
        return norm(text).translate(self.same_as)


def _number_group(cfg: dict[str, Any]) -> str:
    before = "|".join(map(re.escape, cfg["approximate"]["before"]))
    after = "|".join(map(re.escape, cfg["approximate"]["after"]))
    return rf"(?P<pre>{before})?\s*(?P<n>{cfg['number']})\s*(?P<post>{after})?"


def _pattern(metrics: tuple[str, ...], item: Any, number: str) -> Pattern:
    if isinstance(item, str):
        item = {"pattern": item}
    zero = "zero" in item
    source = item["zero"] if zero else item["pattern"]
    return Pattern(metrics, re.compile(source.replace("{n}", number)), zero, tuple(item.get("unless", ())))


def _loose(word: str) -> str:
    return r"\s*".join(re.escape(c) for c in norm(word) if not c.isspace())


@lru_cache(maxsize=1)
def phrasebook() -> Phrasebook:
    cfg = yaml.safe_load((Path(__file__).parent / "templates" / "pre2019.yaml").read_text(encoding="utf-8"))
    number = _number_group(cfg)
    pats = [_pattern((m,), item, number) for m, items in cfg["prose"].items() for item in items]
    pats += [_pattern(tuple(item["metrics"]), item, number) for item in cfg["prose_multi"]]
    tab = cfg["table"]
    label_metric = {norm(lab): m for m, labels in tab["rows"].items() for lab in labels}
    labels = sorted(label_metric, key=len, reverse=True)  # longer labels win
    return Phrasebook(
        patterns=tuple(pats),
        part_of_agency=tuple(cfg["part_of_agency"]),
        not_this_period=re.compile("|".join(cfg["not_this_period"])),
        table_start=re.compile("|".join(_loose(w) for w in tab["start"])),
        year_column=re.compile("|".join(tab["year_column"])),
        cumulative_column=re.compile("|".join(tab["cumulative_column"])),
        units="|".join(map(re.escape, tab["units"])),
        row_labels=re.compile("|".join(f"(?P<l{i}>{_loose(lab)})" for i, lab in enumerate(labels))),
        label_metric={f"l{i}": label_metric[lab] for i, lab in enumerate(labels)},
        title=re.compile(cfg["title"]),
        metrics=tuple(dict.fromkeys(list(cfg["prose"]) + list(tab["rows"]))),
        same_as={ord(k): v for k, v in cfg.get("same_as", {}).items()},
    )


def sources(metric: str) -> str:
    """Where a metric's figure is read from, in words (for the data dictionary)."""
    cfg = yaml.safe_load((Path(__file__).parent / "templates" / "pre2019.yaml").read_text(encoding="utf-8"))
    rows = cfg["table"]["rows"].get(metric, [])
    n = len(cfg["prose"].get(metric, [])) + sum(metric in p["metrics"] for p in cfg["prose_multi"])
    parts = [f"statistics table row {' / '.join(rows)} (本年度 column)"] if rows else []
    parts.append(f"a sentence matching one of {n} phrasings in normalize/templates/pre2019.yaml")
    return "; or ".join(parts)


# ----------------------------------------------------------------------------- year
def find_year(text: str) -> int | None:
    """The year in a pre-2019 title, also when the title is broken over two lines."""
    book = phrasebook()
    m = book.title.search(book.norm(text[:3000]))
    return int(m.group(1)) if m else None


# ----------------------------------------------------------------------------- prose
@dataclass
class Reading:
    """What the prose and the table say about one metric."""

    prose: dict[float, str] = field(default_factory=dict)  # value → sentence (first one)
    table_row: str | None = None
    table: list[float] | None = None  # candidate 本年度 values (exactly one when unambiguous)
    table_exact: bool = False


def _back_to(text: str, pos: int, stops: str, limit: int) -> int:
    start = pos
    floor = max(0, pos - limit)
    while start > floor and text[start - 1] not in stops:
        start -= 1
    return start


def _clause_end(text: str, pos: int) -> int:
    stop = min(len(text), pos + 60)
    while pos < stop and text[pos] not in _CLAUSE_END:
        pos += 1
    return pos


def _accept(book: Phrasebook, t: str, m: re.Match[str], pat: Pattern, year: int | None) -> bool:
    """A match counts only for the whole agency, this year, as an exact figure."""
    if not pat.zero and (m.group("pre") or m.group("post")):
        return False  # approximate: 约4900, 20多条, 5300余条
    clause = t[_back_to(t, m.start(), _CLAUSE_END, 80) : m.end()]
    if any(w in clause for w in book.part_of_agency) or book.not_this_period.search(clause):
        return False
    if any(w in clause for w in pat.unless):
        return False
    sentence = t[_back_to(t, m.start(), _SENTENCE_END, 200) : m.start()]
    years = _YEAR.findall(sentence)
    return year is None or not years or int(years[-1]) == year


def read_prose(stream: Stream, spans: list[tuple[int, int]], year: int | None) -> dict[str, dict[float, str]]:
    """metric → {value: the sentence it came from} for the text outside `spans` (tables)."""
    book = phrasebook()
    t = stream.norm.translate(book.same_as)
    out: dict[str, dict[float, str]] = {}
    taken: list[tuple[int, int]] = []
    for pat in book.patterns:
        for m in pat.regex.finditer(t):
            if any(a <= m.start() < b for a, b in spans) or not _accept(book, t, m, pat, year):
                continue
            if not pat.zero and any(a < m.end() and m.start() < b for a, b in taken):
                continue  # already read as another pattern's figure (unavailable before refused)
            value = 0.0 if pat.zero else float(m.group("n"))
            start = _back_to(t, m.start(), _SENTENCE_END, _RAW_MAX)
            end = _clause_end(t, m.end())  # "未收到…申请", "收到1份…行政复议申请": to the clause's end
            raw = stream.text[start:end].strip()
            if not pat.zero:
                taken.append((m.start(), m.end()))
            for metric in pat.metrics:
                out.setdefault(metric, {}).setdefault(value, raw)
    return out


# ----------------------------------------------------------------------------- table
@dataclass
class Table:
    span: tuple[int, int]
    columns: int  # value columns printed: 1 (本年度 only) or 2 (with 历年累计)
    year_index: int  # position of the 本年度 column among them
    rows: dict[str, tuple[str, list[str], bool]]  # metric → (row as printed, value tokens, grid cells)


_ORDINAL_BEFORE = re.compile(r"\d{1,2}\s*[.、]\s*$")


def _columns(header: str) -> tuple[int, int]:
    book = phrasebook()
    y = book.year_column.search(header)
    c = book.cumulative_column.search(header)
    if y and c:
        return 2, 0 if y.start() < c.start() else 1
    return (2, 0) if c else (1, 0)


def _row_values(text: str, t: str, start: int, end: int, units: str) -> tuple[list[str], bool, int]:
    """Value tokens after a row label (up to `end`), whether they were grid cells, and where they end."""
    m = re.compile(rf"[ \t\u3000]*(?:{units})?[ \t\u3000]*").match(t, start, end)
    pos = m.end() if m else start
    if pos < end and t[pos] == "\x1e":  # grid row: cells keep their borders, blanks included
        line_end = t.find("\n", pos, end)
        line_end = end if line_end < 0 else line_end
        return [c.strip() for c in text[pos + 1 : line_end].split("\x1f")], True, line_end
    run = re.compile(r"(?:\d+(?:\.\d+)?[ \t\u3000]*)+").match(t, pos, end)
    if not run:
        return [], False, pos
    stop = run.end()
    digits = t[run.start() : stop].rstrip()
    stop = run.start() + len(digits)
    if stop < len(t) and t[stop] in ".、" and not t[stop + 1 : stop + 2].isdigit():
        digits = digits[:-1].rstrip()  # the next row's number is glued on ("2192.同意")
        stop = run.start() + len(digits)
    return digits.split(), False, stop


def read_table(stream: Stream) -> Table | None:
    book = phrasebook()
    t, text = stream.norm.translate(book.same_as), stream.text
    start_m = book.table_start.search(t)
    if not start_m:
        return None
    hits = list(book.row_labels.finditer(t, start_m.start()))
    if not hits:
        return None
    columns, year_index = _columns(t[start_m.start() : hits[0].start()])
    rows: dict[str, tuple[str, list[str], bool]] = {}
    end = start_m.end()
    for i, h in enumerate(hits):
        metric = book.label_metric[h.lastgroup]
        seg_end = hits[i + 1].start() if i + 1 < len(hits) else len(t)
        values, grid, stop = _row_values(text, t, h.end(), seg_end, book.units)
        end = max(end, stop)
        if metric in rows:
            continue  # a label printed twice: the first row is the table's
        ordinal = _ORDINAL_BEFORE.search(t, max(0, h.start() - 6), h.start())
        row_start = ordinal.start() if ordinal else h.start()
        raw = text[row_start:stop].replace("\x1e", " ").replace("\x1f", " ").strip()
        rows[metric] = (raw, values, grid)
    return Table((start_m.start(), end), columns, year_index, rows)


def _splits(token: str, year_index: int) -> list[float]:
    """本年度 values of a two-cell run ("728" → 7 | 28): integers without leading zeros, 年度 ≤ 累计."""
    out = []
    for i in range(1, len(token)):
        a, b = token[:i], token[i:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0") or "." in a + b:
            continue
        year, cum = (a, b) if year_index == 0 else (b, a)
        if int(year) <= int(cum):
            out.append(float(year))
    return out


def table_reading(table: Table, metric: str, spaced: bool) -> tuple[list[float], bool] | None:
    """(candidate 本年度 values, exact?) for a metric's row, None when the cell is blank or absent."""
    if metric not in table.rows:
        return None
    _, values, grid = table.rows[metric]
    if grid:
        if len(values) == table.columns:
            cell = values[table.year_index]
            return ([float(cell)], True) if re.fullmatch(r"\d+(?:\.\d+)?", cell) else None
        nums = [v for v in values if v]
        return ([float(v) for v in nums], False) if nums else None
    if len(values) == table.columns:
        return [float(values[table.year_index])], True
    if table.columns == 2 and len(values) == 1:
        if spaced:  # one cell printed where two were due: which one is unknown (trap 3)
            return [float(values[0])], False
        cands = _splits(values[0], table.year_index)
        return cands, len(cands) == 1
    if not values:
        return None
    return [float(v) for v in values], False


# ----------------------------------------------------------------------------- report
@dataclass
class Pre2019:
    facts: list[Fact]
    checks: list[Check]
    problems: list[str]
    table_span: tuple[int, int] | None
    metrics_stated: int
    metrics_read: int


def _fmt(v: float) -> str:
    return f"{v:g}"


def read(stream: Stream, year: int | None) -> Pre2019:
    """All headline figures of one pre-2019 report, with checks and what went wrong."""
    table = read_table(stream)
    spans = [table.span] if table else []
    prose = read_prose(stream, spans, year)
    spaced = bool(table) and any(len(v) >= 2 and not g for _, v, g in table.rows.values())
    facts: list[Fact] = []
    checks: list[Check] = []
    problems: list[str] = []
    for metric in phrasebook().metrics:
        said = prose.get(metric, {})
        reading = table_reading(table, metric, spaced) if table else None
        row = table.rows[metric][0] if table and metric in table.rows else None
        short = metric.removeprefix("pre2019.")
        if reading and reading[1]:
            value = reading[0][0]
            facts.append(Fact(metric, None, value, row))
            for p in said:
                checks.append(Check(RULE, metric, value, p))
                if p != value:
                    problems.append(f"{RULE}: {short} table {_fmt(value)} vs prose {_fmt(p)} ({said[p]!r})")
        elif reading:
            matches = [p for p in said if p in reading[0]]
            if len(matches) == 1:  # the one split a sentence confirms; other sentences disagree with it
                value = matches[0]
                facts.append(Fact(metric, None, value, said[value]))
                for p in said:
                    checks.append(Check(RULE, metric, value, p))
                    if p != value:
                        problems.append(
                            f"{RULE}: {short} table {_fmt(value)} vs prose {_fmt(p)} ({said[p]!r})"
                        )
            else:
                facts.append(Fact(metric, None, None, row, AMBIGUOUS))
                problems.append(f"{short}: {AMBIGUOUS} ({row!r})")
        elif len(said) == 1:
            ((value, raw),) = said.items()
            facts.append(Fact(metric, None, value, raw))
        elif said:
            facts.append(Fact(metric, None, None, " | ".join(said.values())[:2000], SEVERAL))
            problems.append(f"{short}: {SEVERAL} ({', '.join(map(_fmt, said))})")
    read_ok = sum(1 for f in facts if f.value is not None)
    if not facts:
        problems.append("pre-2019 report: no headline figure found")
    return Pre2019(facts, checks, problems, table.span if table else None, len(facts), read_ok)


def apply(
    meta: dict[str, Any],
    stream: Stream,
    template: str,
    year: int | None,
    warnings: list[str] | tuple[str, ...] = (),
) -> Pre2019 | None:
    """Fill `meta` for a pre-2019 report and return its figures; None for any other report.

    A report is pre-2019 when the template detector says so (its year is before 2019), or
    when it found no national table and the pre-2019 title reader finds a year before 2019
    (a title broken in two).
    """
    if template == "unknown" and year is None:
        year = find_year(stream.text)
        if year is None or year >= 2019:
            return None
    elif template != "pre2019":
        return None
    result = read(stream, year)
    problems = list(result.problems) + list(warnings)
    if year is None:
        problems.append("year not found (no title or statistics period naming it)")
    meta.update(
        year=year,
        template="pre2019",
        cells_expected=result.metrics_stated,
        cells_found=result.metrics_read,
        checks_failed=sum(1 for c in result.checks if not c.ok),
    )
    meta["status"] = "partial" if problems else "ok"
    meta["error"] = "; ".join(problems)[:2000] or None
    return result
