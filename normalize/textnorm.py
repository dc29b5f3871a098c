"""Text normalisation for matching: full-width → ASCII, traditional → simplified.

Every mapping is one character to one character, so offsets in the normalised text
are offsets in the printed text: headings and raw cells can be sliced from the
original while matching runs on the normalised copy.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path


def _opencc_chars() -> dict[int, str]:
    """Single-character traditional → simplified pairs from OpenCC's dictionary."""
    try:
        import opencc  # opencc-python-reimplemented ships the dictionary files
    except ImportError:  # pragma: no cover - dependency is required in pyproject
        return {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            simp = parts[1].split(" ")[0]
            if len(simp) == 1 and simp != parts[0]:
                table[ord(parts[0])] = simp
    return table


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = _opencc_chars()
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    table.update(
        {
            0x3000: " ",
            0x00A0: " ",
            0x2002: " ",
            0x2003: " ",
            0x2009: " ",
            0x200B: " ",
            0xFEFF: " ",
            0x3001: "、",
            0xFF64: "、",
            0x2212: "-",
            0x2018: "“",
            0x2019: "”",
            0x201C: "“",
            0x201D: "”",
            0x300C: "“",
            0x300D: "”",
            0x2027: ".",
            0x00B7: ".",
            0x3002: "。",
            0x2014: "—",
            0x2015: "—",
            0x2500: "—",
        }
    )
    # every minus a printer uses is a sign (U+FF0D is folded with the full-width block above)
    for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0x2796, 0xFE58, 0xFE63, 0x02D7):
        table[code] = "-"
    # Half-width quotes become the curly ones the template prints.
    table[ord('"')] = "“"
    return table


def norm(text: str) -> str:
    """Normalise for matching without changing the length of the text."""
    return text.translate(_table())


def loose_pattern(label: str, optional_tail: bool = False) -> str:
    """A regex for `label` that allows whitespace between any two characters.

    Wrapped labels ("商业\\n企业", "本年新\\n公开数量") and PDF text with spaces between
    glyphs then still match.  The label is normalised first.  With `optional_tail`,
    the last ~40% of the label may be missing: in PDFs a wrapped label's last line can
    be printed after the row's numbers ("5.属于三类内部事务信 0 0 … 0 / 息").
    """
    chars = [c for c in norm(label) if not c.isspace()]
    out = []
    for c in chars:
        if c in "“”":
            out.append('[“”"]?')  # quotes are often dropped or straightened
        elif c in ".、,，":
            out.append("[.、,，]")
        else:
            out.append(re.escape(c))
    if not optional_tail or len(out) <= 4:
        return r"\s*".join(out)
    required = max(4, -(-len(out) * 6 // 10))
    pattern = r"\s*".join(out[:required])
    tail = ""
    for piece in reversed(out[required:]):
        tail = rf"(?:\s*{piece}{tail})?"
    return pattern + tail
