"""`ogi demo`: the whole pipeline against a bundled portal served on 127.0.0.1, offline."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "data" / "demo_portal"
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
    "OGI_ALLOW_PRIVATE_SOURCES": True,  # the bundled portal is on 127.0.0.1
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path = PORTAL) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def sources_csv(base: str, path: Path) -> Path:
    path.write_text(
        "id,name,region_code,url,platform,enabled,obey_robots,notes\n"
        f"demo_portal,演示门户 政府信息公开年报,,{base}/zwgk/zfxxgknb/,auto,true,true,"
        "bundled portal column: real reports and synthetic ones\n",
        encoding="utf-8",
    )
    return path


def comparison(parquet: Path) -> str:
    """Requests per agency and year, with the share granted, failed checks and the synthetic flag.

    Real documents first, then the fictional agencies, each of their rows marked SYNTHETIC."""
    import pandas as pd

    reports = pd.read_parquet(parquet / "reports")
    facts = pd.read_parquet(parquet / "facts")
    total = facts[(facts["applicant"] == "total")].pivot_table(
        index="report_id", columns="metric", values="value", aggfunc="first"
    )
    total = total.reindex(columns=["requests.new", "requests.granted", "requests.total"])
    cols = ["agency", "year", "template", "format", "status", "checks_failed", "synthetic"]
    table = reports.set_index("report_id")[cols].join(total)
    table["granted_%"] = (100 * table["requests.granted"] / table["requests.total"]).round(1)
    # counts are whole numbers: never 131.0
    table["new_requests"] = table["requests.new"].map(lambda v: "–" if pd.isna(v) else f"{v:.0f}")
    table["year"] = table["year"].astype("Int64")
    table["data"] = table["synthetic"].map({True: "SYNTHETIC", False: "real"})
    table = table.sort_values(["synthetic", "agency", "year"])
    out = table[
        [
            "data",
            "agency",
            "year",
            "template",
            "format",
            "status",
            "checks_failed",
            "new_requests",
            "granted_%",
        ]
    ].to_string(index=False, na_rep="–")
    n = int(table["synthetic"].sum())
    return (
        out + f"\n\nreal: each agency's own published report, copied byte for byte into the demo portal."
        f"\nSYNTHETIC ({n} rows): fictional agencies (示例…) with invented numbers, for the charts only;"
        " never cite them (reports.synthetic = true)."
    )
