"""Which listing links are annual reports: by title, never by column alone."""
from __future__ import annotations

import re

from normalize.textnorm import norm

_REPORT = re.compile(r"((?:19|20)\d{2})\s*年?\s*度?.{0,30}?(?:政府信息公开|政务公开|信息公开).{0,12}?(?:年度报告|年报|工作报告)")
_SHORT = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:政府信息公开)?\s*年报")
# items in the same columns that are not reports
_NOT_REPORT = re.compile(r"要点|通知|方案|函$|的函|落实情况|解读|图解|目录|指南|征求意见|统计表$")


def report_year(title: str) -> int | None:
    """The year a listed title reports on, or None if it is not an annual report."""
    t = norm(title).strip()
    if not t or _NOT_REPORT.search(t):
        return None
    m = _REPORT.search(t) or _SHORT.search(t)
    return int(m.group(1)) if m else None
