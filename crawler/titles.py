"""Which listing links are annual reports: by title, never by column alone.

The words are data (crawler/titles.yaml): add a phrase there when a column mixes in a
new kind of non-report item.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from normalize.textnorm import norm

_WORDS = yaml.safe_load(Path(__file__).with_name("titles.yaml").read_text(encoding="utf-8"))
_alt = lambda words: "|".join(map(re.escape, words))  # noqa: E731
_REPORT = re.compile(
    rf"((?:19|20)\d{{2}})\s*年?\s*度?.{{0,30}}?(?:{_alt(_WORDS['subjects'])}).{{0,12}}?(?:{_alt(_WORDS['kinds'])})"
)
_SHORT = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:政府信息公开)?\s*年报")
_NOT_REPORT = re.compile(rf"{_alt(_WORDS['not_reports'])}|(?:{_alt(_WORDS['not_report_endings'])})$")


def report_year(title: str) -> int | None:
    """The year a listed title reports on, or None if it is not an annual report."""
    t = norm(title).strip()
    if not t or _NOT_REPORT.search(t):
        return None
    m = _REPORT.search(t) or _SHORT.search(t)
    return int(m.group(1)) if m else None


_COLUMN = re.compile(_alt(_WORDS["column_words"]))


def is_report_column(name: str) -> bool:
    """A category or column whose name says it holds the annual reports (e.g. a gkmlpt TREE node)."""
    return bool(_COLUMN.search(norm(name)))
