"""Shared test fixtures: the regression corpus lives in ../shared (CI lays it there too)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
sys.path.insert(0, str(Path(__file__).parent))  # tests/synth.py


def corpus_cases() -> list[tuple[Path, dict]]:
    cases = []
    for exp in sorted(CORPUS.glob("*/expected/*.json")):
        src = exp.parent.parent / exp.name.removesuffix(".json")
        cases.append((src, json.loads(exp.read_text(encoding="utf-8"))))
    return cases


def expected_cells(facts: dict) -> dict[tuple[str, str | None], float | None]:
    out = {}
    for metric, v in facts.items():
        if isinstance(v, dict):
            out.update({(metric, a): x for a, x in v.items()})
        else:
            out[(metric, None)] = v
    return out


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.exists():
        pytest.fail(f"the regression corpus is missing: expected it at {CORPUS}")
    return CORPUS
