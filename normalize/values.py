"""Parse one printed cell into a number in the metric's unit, never guessing.

Anything that is not a plain number of the metric's kind is unreadable (CellError):
"约12", ".5", "1.", "12%", "一百", a count printed with 万, more digits than a float
holds exactly.  The caller keeps such a cell null with its raw text and a note.
Every minus a printer uses (U+2212, U+FF0D, U+2013 …) is a sign: textnorm maps them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .templates import METRICS, TEMPLATE
from .textnorm import norm

NULL_MARKERS = frozenset(TEMPLATE["null_markers"])
UNREADABLE = "\ufffd"  # OCR's mark before ink it could not read (extract/ocr.py): a value cell, no value
MAX_DIGITS = 15  # a float holds 15 significant decimal digits exactly
_ENTITY = re.compile(r"&(?:nbsp|#160|#x0*a0|ensp|emsp|thinsp);?", re.I)  # HTML text left literally in a cell

# sign word/character, digits with optional thousands separators, decimals, unit
VALUE_RE = re.compile(
    r"(?P<sign>[增减減+\-]|增加|减少|減少)?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|元|件|个|项|条|万)?"
)
UNIT_FACTORS = {
    "元": Decimal(1),
    "万元": Decimal(10000),
    "万": Decimal(10000),
    "亿元": Decimal(10**8),
    "件": None,
    "个": None,
    "项": None,
    "条": None,
}
_MONEY_UNITS = frozenset(("元", "万元", "万", "亿元"))


class CellError(ValueError):
    """A cell whose text is not a number the template allows."""


@lru_cache(maxsize=16384)  # cell texts repeat ("0", "", "/"): these run for every cell of every grid
def clean(raw: str) -> str:
    """Normalised cell text: full-width folded, literal `&nbsp;` removed, stripped."""
    t = norm(raw)
    if "&" in t:
        t = _ENTITY.sub("", t)
    return t.strip()


@lru_cache(maxsize=16384)
def is_value_text(raw: str) -> bool:
    """True when the cell reads as a value (number, signed change, or a null marker)."""
    if raw.isdigit() and raw.isascii():
        return True
    if raw.startswith(UNREADABLE):
        return True
    t = clean(raw)
    return t in NULL_MARKERS or VALUE_RE.fullmatch(t) is not None


@lru_cache(maxsize=16384)
def is_number_text(raw: str) -> bool:
    """True when the cell prints a number (not blank, not a null marker)."""
    if raw.isdigit() and raw.isascii():
        return True
    t = clean(raw)
    return t not in NULL_MARKERS and VALUE_RE.fullmatch(t) is not None


def parse_value(raw: str, printed_unit: str | None = None, money: bool | None = None) -> float | None:
    """Value of a printed cell in the metric's unit (counts in 件, money in 元).

    `printed_unit` is the unit the table header prints for this column (e.g. 万元);
    a unit written inside the cell wins.  `money` False (a count) refuses money units
    and fractions; None accepts both.  Blank, "/", "—", "无" → None.
    Raises CellError for text that is not a value.
    """
    if printed_unit is None and raw.isdigit() and raw.isascii() and len(raw) <= MAX_DIGITS:
        return float(raw)
    t = clean(raw)
    if t in NULL_MARKERS:
        return None
    m = VALUE_RE.fullmatch(t)
    if m is None:
        raise CellError(f"not a number: {raw.strip()!r}")
    digits = m["num"].replace(",", "").replace(".", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise CellError(f"{len(digits)} digits: more than can be stored exactly")
    try:
        number = Decimal(m["num"].replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - regex guarantees digits
        raise CellError(f"not a number: {raw!r}") from exc
    unit = m["unit"]
    if money is False and (unit in _MONEY_UNITS or number != number.to_integral_value()):
        raise CellError(f"not a whole count: {raw.strip()!r}")
    if money is True and unit is not None and unit not in _MONEY_UNITS:
        raise CellError(f"not an amount of money: {raw.strip()!r}")
    unit = unit or printed_unit
    factor = UNIT_FACTORS.get(unit) if unit else None
    if factor is not None:
        number *= factor
    if m["sign"] and m["sign"][0] in "减減-":
        number = -number
    return float(number)


def parse_cell(raw: str, metric: str, printed_unit: str | None = None) -> float | None:
    """parse_value with the metric's kind (count or money) from metrics.csv."""
    row = METRICS.get(metric)
    money = None if row is None else row["unit"] == "元"
    return parse_value(raw, printed_unit, money)
