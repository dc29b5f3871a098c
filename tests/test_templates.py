"""The template data agrees with the spec's metric vocabulary."""

from __future__ import annotations

import csv

from conftest import SHARED

from normalize.pre2019 import phrasebook
from normalize.templates import METRICS, TEMPLATE


def test_metrics_csv_is_the_specs():
    spec = SHARED / "spec" / "metrics.csv"
    with open(spec, encoding="utf-8", newline="") as fh:
        assert {r["metric"]: r for r in csv.DictReader(fh)} == METRICS


def test_every_template_metric_is_in_the_vocabulary_and_every_metric_is_mapped():
    used = set()
    for row in TEMPLATE["active"]["rows"]:
        for tpl in ("2019", "2021"):
            used.update(row.get(tpl, []))
    used.update(r["metric"] for r in TEMPLATE["requests"]["rows"] if "metric" in r)
    used.update(m for g in TEMPLATE["appeals"]["groups"].values() for m in g)
    used.update(phrasebook().metrics)  # pre-2019 reports: templates/pre2019.yaml
    assert used <= set(METRICS)
    assert set(METRICS) <= used


def test_template_versions_match_metrics_csv():
    for row in TEMPLATE["active"]["rows"]:
        for tpl in ("2019", "2021"):
            for m in row.get(tpl, []):
                assert tpl in METRICS[m]["templates"].split(";"), m
