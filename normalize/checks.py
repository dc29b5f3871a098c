"""Evaluate the template's arithmetic identities (SCHEMA.md `checks`).

A blank cell counts as zero, as agencies use it.  Every identity whose cells were
all found is recorded, passing or not; printed numbers are never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .templates import APPLICANTS, TEMPLATE
from .textnorm import norm

TOL = 1e-6


@dataclass
class Check:
    rule: str
    subject: str
    expected: float
    actual: float

    @property
    def ok(self) -> bool:
        return abs(self.expected - self.actual) <= TOL * max(1.0, abs(self.expected))


_BALANCE = ("requests.new", "requests.carried_over", "requests.total", "requests.carried_forward")
_OUTCOMES = [
    r["metric"] for r in TEMPLATE["requests"]["rows"] if "metric" in r and r["metric"] not in _BALANCE
]
_SUBROWS = [m for m in _OUTCOMES if m.startswith("requests.other.")]
# 2021 with its three （六） sub-rows printed: they replace the single （六） row
_OUTCOMES_2021 = [m for m in _OUTCOMES if m != "requests.other"]
_OUTCOMES_2019 = [m for m in _OUTCOMES if not m.startswith("requests.other.")]


def _outcome_rows(found: dict) -> list[str]:
    if any((m, a) in found for m in _SUBROWS for a in APPLICANTS):
        return _OUTCOMES_2021
    return _OUTCOMES_2019


def _values(found: dict, metrics, applicant: str | None) -> list[float] | None:
    """The cells of `metrics` in one column, or None unless every one was found."""
    out = [found.get((m, applicant)) for m in metrics]
    return None if None in out else out


def evaluate(found: dict[tuple[str, str | None], float]) -> list[Check]:
    """`found` maps (metric, applicant) → value (blank = 0) for every cell found."""
    checks: list[Check] = []
    outcomes = _outcome_rows(found)
    for a in APPLICANTS:
        balance = _values(found, _BALANCE, a)
        if balance is not None:
            new, carried_over, total, carried_forward = balance
            checks.append(Check("requests.balance", a, total + carried_forward, new + carried_over))
        total = found.get(("requests.total", a))
        parts = _values(found, outcomes, a) if total is not None else None
        if parts is not None:
            checks.append(Check("requests.outcomes_sum", a, total, sum(parts)))
    metrics = dict.fromkeys(m for (m, a) in found if a is not None)
    for m in metrics:
        row = [found.get((m, a)) for a in APPLICANTS]  # the six applicant columns, then the total
        if None not in row:
            checks.append(Check("requests.row_sum", m, row[-1], sum(row[:-1])))
    for group, ms in TEMPLATE["appeals"]["groups"].items():
        cells = _values(found, ms, None)
        if cells is not None:
            checks.append(Check("appeals.group_sum", group, cells[4], sum(cells[:4])))
    return checks


@lru_cache(maxsize=1)
def _prose_rules() -> list[tuple[str, str, str | None, list[re.Pattern[str]]]]:
    return [
        (r["rule"], r["metric"], r.get("applicant"), [re.compile(p) for p in r["patterns"]])
        for r in TEMPLATE["prose_figures"]
    ]


def prose_checks(prose: str, found: dict[tuple[str, str | None], float]) -> list[Check]:
    """Headline figures stated in the prose vs the table (e.g. 申请 2 件 in prose, 4 in table 三).

    `prose` is the report's text without its tables.  A figure whose sentences disagree
    among themselves is not read (no check rather than a wrong one).
    """
    text = norm(prose)
    out = []
    for rule, metric, applicant, patterns in _prose_rules():
        if (metric, applicant) not in found:
            continue
        numbers = {int(m.group(1)) for p in patterns for m in p.finditer(text)}
        if len(numbers) == 1:
            out.append(Check(rule, metric, found[(metric, applicant)], float(numbers.pop())))
    return out
