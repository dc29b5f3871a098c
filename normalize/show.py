"""A Report as text laid out like the printed tables, for a person to check by eye."""
from __future__ import annotations

from .report import Report
from .templates import APPLICANTS, METRICS, TEMPLATE

_SHORT = ["自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"]


def _fmt(f) -> str:
    """One cell: value; "·" blank; "?" unreadable; OCR reads marked "~", corrections "!"."""
    if f.note and f.value is None:
        return "?"
    text = ("·" if not f.raw else f.raw) if f.value is None else f"{f.value:g}"
    if f.note:  # a value with a note: corrected by the identities
        return text + "!"
    return text + "~" if f.confidence is not None else text


def render(report: Report) -> str:
    m = report.meta
    lines = [f"{m.get('agency') or '(agency?)'} — {m.get('year') or '(year?)'} — template {m['template']} — "
             f"{m['format']} — {m['status']} ({m['cells_found']}/{m['cells_expected']} cells)"]
    if m.get("error"):
        lines.append(f"  note: {m['error']}")
    if m.get("ocr_pages"):
        lines.append(f"  OCR: pages {m['ocr_pages']} were images; values read by OCR are marked ~, "
                     "corrected by the identities !, unreadable ?")
    facts = {(f.metric, f.applicant): f for f in report.facts}
    lines.append("\n二、主动公开")
    for metric in [k for k in METRICS if k.startswith("active.")]:
        f = facts.get((metric, None))
        if f:
            lines.append(f"  {METRICS[metric]['zh_row']:<10} {METRICS[metric]['zh_column']:<22} {_fmt(f):>14}")
    lines.append("\n三、申请  " + " ".join(f"{s:>7}" for s in _SHORT))
    for row in TEMPLATE["requests"]["rows"]:
        metric = row.get("metric")
        if not metric or not any((metric, a) in facts for a in APPLICANTS):
            continue
        cells = [facts.get((metric, a)) for a in APPLICANTS]
        vals = " ".join(f"{_fmt(c) if c else '':>8}" for c in cells)
        lines.append(f"  {METRICS[metric]['zh_row'][:18]:<20}{vals}")
    lines.append("\n四、复议诉讼   维持   纠正   其他   未结   总计")
    for group, ms in TEMPLATE["appeals"]["groups"].items():
        cells = [facts.get((x, None)) for x in ms]
        if any(cells):
            lines.append(f"  {group:<24}" + " ".join(f"{_fmt(c) if c else '':>6}" for c in cells))
    bad = [c for c in report.checks if not c.ok]
    lines.append(f"\nchecks: {len(report.checks)} evaluated, {len(bad)} failed")
    for c in bad:
        lines.append(f"  FAILED {c.rule} [{c.subject}]: expected {c.expected:g}, printed {c.actual:g}")
    lines.append("\nsections: " + ", ".join(f"{s}:{h}" for s, h, _ in report.sections))
    return "\n".join(lines)
