"""Template knowledge (rows, labels, metrics, identities) loaded from data files."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

HERE = Path(__file__).parent

with open(HERE / "template.yaml", encoding="utf-8") as fh:
    TEMPLATE: dict = yaml.safe_load(fh)

with open(HERE / "metrics.csv", encoding="utf-8", newline="") as fh:
    METRICS: dict[str, dict[str, str]] = {row["metric"]: row for row in csv.DictReader(fh)}

APPLICANTS: list[str] = TEMPLATE["requests"]["applicants"]

with open(HERE / "tables.yaml", encoding="utf-8") as fh:
    TABLES: dict = yaml.safe_load(fh)
