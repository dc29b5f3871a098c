"""Split run-together digits ("801000081" → 80|1|0|0|0|0|81) where cell borders were lost.

Enumerates every way to cut the printed tokens into the template's cells (no leading
zeros, a sign only at a cell's start, a unit only at its end) and keeps the cuts the
caller's identity accepts.  The caller uses a split only when it is unique.  The search is
bounded (MAX_STEPS): 30 run-together digits have millions of cuts, and a search that
had to stop returns no split at all (the row stays ambiguous), never a partial list
from which a wrong split could be picked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

_TOKEN = re.compile(r"(?P<sign>[增减減+\-]?)(?P<body>[\d.]+)(?P<unit>万元|亿元|元|万)?")
_PART = re.compile(r"0|[1-9]\d*|(?:0|[1-9]\d*)\.\d+")
MAX_CANDIDATES = 20000
MAX_STEPS = 200_000  # candidate cuts tried per row (a real row needs a few thousand at most)


class _TooMany(Exception):
    pass


def _cuts(body: str, k: int) -> Iterator[list[str]]:
    """All ways to cut `body` into k valid numbers."""
    if k == 1:
        if _PART.fullmatch(body):
            yield [body]
        return
    for i in range(1, len(body) - k + 2):
        head = body[:i]
        if not _PART.fullmatch(head):
            if head != "0" and head.startswith("0"):
                break  # a longer head starting with 0 is never valid
            continue
        for rest in _cuts(body[i:], k - 1):
            yield [head, *rest]


def splits(tokens: list[str], n: int, accept: Callable[[list[str]], bool] | None = None) -> list[list[str]]:
    """Every split of `tokens` into n cells (as printed strings) that `accept` allows."""
    parsed = []
    for tok in tokens:
        m = _TOKEN.fullmatch(tok)
        if m is None or "," in tok:
            parsed.append(None)  # cannot be cut: must stay one cell
        else:
            parsed.append((m["sign"], m["body"], m["unit"] or ""))
    out: list[list[str]] = []
    steps = [0]

    def rec(i: int, remaining: int, acc: list[str]) -> None:
        steps[0] += 1
        if steps[0] > MAX_STEPS or len(out) >= MAX_CANDIDATES:
            raise _TooMany
        left = len(tokens) - i
        if i == len(tokens):
            if remaining == 0 and (accept is None or accept(acc)):
                out.append(list(acc))
            return
        if remaining < left:
            return
        p = parsed[i]
        max_k = 1 if p is None else min(remaining - (left - 1), len(p[1]))
        for k in range(1, max_k + 1):
            if p is None:
                rec(i + 1, remaining - 1, acc + [tokens[i]])
                continue
            sign, body, unit = p
            for parts in _cuts(body, k):
                parts = list(parts)
                parts[0] = sign + parts[0]
                parts[-1] = parts[-1] + unit
                rec(i + 1, remaining - k, acc + parts)

    try:
        rec(0, n, [])
    except _TooMany:
        return []
    return out
