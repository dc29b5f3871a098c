"""A Report as text laid out like the printed tables, for a person to check by eye."""

from __future__ import annotations

from decimal import Decimal

from .report import Report
from .templates import APPLICANTS, METRICS, TEMPLATE

_SHORT = ["自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"]


def number(v: float) -> str:
    """A value as a person writes it: 131, 7730.28, 77302800; never 131.0 or 7.73028e+07."""
    text = format(Decimal(repr(float(v))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fmt(v: float | None, raw: str | None, note: str | None, confidence: float | None = None) -> str:
    """One cell: value; "·" blank; "?" unreadable; OCR reads marked "~", corrections "!"."""
    if note and v is None:
        return "?"
    text = ("·" if not raw else raw) if v is None else number(v)
    if note:  # a value with a note: corrected by the identities
        return text + "!"
    return text + "~" if confidence is not None else text


def _cell(f) -> str:
    return _fmt(f.value, f.raw, f.note, f.confidence)


def _money(metric: str, v: float | None, raw: str | None, note: str | None) -> str:
    """Money as printed, with its unit, and the value in 元: '7730.28 万元 = 77302800 元'."""
    if note or v is None:
        return _fmt(v, raw, note)
    printed = (raw or "").strip()
    if not any(u in printed for u in ("元", "万")):
        unit = TEMPLATE["active"]["printed_units"].get(metric, METRICS[metric]["unit"])
        printed = f"{printed} {unit}".strip()
    return printed if printed.endswith(f"{number(v)} 元") else f"{printed} = {number(v)} 元"


_CHECK_WORDS = {
    "requests.outcomes_sum": "the outcome rows sum to",
    "requests.row_sum": "the applicant columns sum to",
    "appeals.group_sum": "the rows sum to",
}


def check_line(c) -> str:
    """A failed identity in words: what the report printed, then what its parts add up to."""
    if c.rule == "requests.balance":
        return (
            f"FAILED {c.rule} [{c.subject}]: 总计 + 结转下年度 = {number(c.expected)}, "
            f"but 新收 + 上年结转 = {number(c.actual)}"
        )
    words = _CHECK_WORDS.get(c.rule, "the parts sum to")
    return f"FAILED {c.rule} [{c.subject}]: printed {number(c.expected)}, {words} {number(c.actual)}"


def render(report: Report) -> str:
    m = report.meta
    lines = [
        f"{m.get('agency') or '(agency?)'} — {m.get('year') or '(year?)'} — template {m['template']} — "
        f"{m['format']} — {m['status']} ({m['cells_found']}/{m['cells_expected']} cells)"
    ]
    if m.get("error"):
        lines.append(f"  note: {m['error']}")
    if m.get("ocr_pages"):
        lines.append(
            f"  OCR: pages {m['ocr_pages']} were images; values read by OCR are marked ~, "
            "corrected by the identities !, unreadable ?"
        )
    facts = {(f.metric, f.applicant): f for f in report.facts}
    if m["template"] == "pre2019":
        lines.append("\n2019年以前：主要数字 (headline figures)")
        for metric in [k for k in METRICS if k.startswith("pre2019.")]:
            f = facts.get((metric, None))
            if f:
                value = _fmt(f.value, f.raw, f.note, f.confidence)
                lines.append(f"  {METRICS[metric]['zh_row']:<16} {value:>8}  {f.raw or ''}")
    lines.append("\n二、主动公开")
    for metric in [k for k in METRICS if k.startswith("active.")]:
        f = facts.get((metric, None))
        if f:
            text = (
                _money(metric, f.value, f.raw, f.note)
                if METRICS[metric]["unit"] == "元"
                else _fmt(f.value, f.raw, f.note, f.confidence)
            )
            lines.append(f"  {METRICS[metric]['zh_row']:<10} {METRICS[metric]['zh_column']:<22} {text:>14}")
    lines.append("\n三、申请  " + " ".join(f"{s:>7}" for s in _SHORT))
    for row in TEMPLATE["requests"]["rows"]:
        metric = row.get("metric")
        if not metric or not any((metric, a) in facts for a in APPLICANTS):
            continue
        cells = [facts.get((metric, a)) for a in APPLICANTS]
        vals = " ".join(f"{_cell(c) if c else '':>8}" for c in cells)
        lines.append(f"  {METRICS[metric]['zh_row'][:18]:<20}{vals}")
    lines.append("\n四、复议诉讼   维持   纠正   其他   未结   总计")
    for group, ms in TEMPLATE["appeals"]["groups"].items():
        cells = [facts.get((x, None)) for x in ms]
        if any(cells):
            lines.append(f"  {group:<24}" + " ".join(f"{_cell(c) if c else '':>6}" for c in cells))
    bad = [c for c in report.checks if not c.ok]
    lines.append(f"\nchecks: {len(report.checks)} evaluated, {len(bad)} failed")
    for c in bad:
        lines.append("  " + check_line(c))
    lines.append("\nsections: " + ", ".join(f"{s}:{h}" for s, h, _ in report.sections))
    return "\n".join(lines)
