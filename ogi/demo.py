"""`ogi demo`: the whole pipeline against a bundled portal served on 127.0.0.1, offline."""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "data" / "demo_portal"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "LOG_LEVEL": "WARNING", "OGI_ALLOW_PRIVATE_SOURCES": True}  # the bundled portal is on 127.0.0.1


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path = PORTAL) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def sources_csv(base: str, path: Path) -> Path:
    path.write_text("id,name,region_code,url,platform,enabled,obey_robots,notes\n"
                    f"demo_portal,演示门户 政府信息公开年报,,{base}/zwgk/zfxxgknb/,auto,true,true,bundled copy of a TRS column\n",
                    encoding="utf-8")
    return path


def comparison(parquet: Path) -> str:
    """Requests per agency and year, with the share granted and failed checks."""
    import pandas as pd

    reports = pd.read_parquet(parquet / "reports")
    facts = pd.read_parquet(parquet / "facts")
    total = facts[(facts["applicant"] == "total")].pivot_table(index="report_id", columns="metric", values="value",
                                                             aggfunc="first")
    cols = [c for c in ("requests.new", "requests.granted", "requests.total") if c in total]
    table = reports.set_index("report_id")[["agency", "year", "template", "format", "status", "checks_failed"]].join(total[cols])
    table["granted_%"] = (100 * table["requests.granted"] / table["requests.total"]).round(1)
    table = table.rename(columns={"requests.new": "new_requests"}).drop(columns=["requests.granted", "requests.total"])
    return table.sort_values(["agency", "year"]).to_string(index=False)
