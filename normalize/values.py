"""Parse one printed cell into a number in the metric's unit, never guessing."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .templates import TEMPLATE
from .textnorm import norm

NULL_MARKERS = frozenset(TEMPLATE["null_markers"])
UNREADABLE = "\ufffd"  # OCR's mark before ink it could not read (extract/ocr.py): a value cell, no value

# sign word/character, digits with optional thousands separators, decimals, unit
VALUE_RE = re.compile(
    r"(?P<sign>[增减減+\-]|增加|减少|減少)?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|元|件|个|项|万)?"
)
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000), "亿元": Decimal(10**8),
                "件": None, "个": None, "项": None}


class CellError(ValueError):
    """A cell whose text is not a number the template allows."""


def is_value_text(raw: str) -> bool:
    """True when the cell reads as a value (number, signed change, or a null marker)."""
    if raw.isdigit() and raw.isascii():
        return True
    if raw.startswith(UNREADABLE):
        return True
    t = norm(raw).strip()
    return t in NULL_MARKERS or VALUE_RE.fullmatch(t) is not None


def parse_value(raw: str, printed_unit: str | None = None) -> float | None:
    """Value of a printed cell in the metric's unit (counts in 件, money in 元).

    `printed_unit` is the unit the table header prints for this column (e.g. 万元);
    a unit written inside the cell wins.  Blank, "/", "—", "无" → None.
    Raises CellError for text that is not a value.
    """
    if printed_unit is None and raw.isdigit() and raw.isascii():
        return float(raw)
    t = norm(raw).strip()
    if t in NULL_MARKERS:
        return None
    m = VALUE_RE.fullmatch(t)
    if m is None:
        raise CellError(f"not a number: {raw!r}")
    try:
        number = Decimal(m["num"].replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - regex guarantees digits
        raise CellError(f"not a number: {raw!r}") from exc
    unit = m["unit"] or printed_unit
    factor = UNIT_FACTORS.get(unit) if unit else None
    if factor is not None:
        number *= factor
    if m["sign"] and m["sign"][0] in "减減-":
        number = -number
    return float(number)
