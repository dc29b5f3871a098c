"""Fixture portals served over HTTP on 127.0.0.1, built like the real ones (PORTALS.md).

Three CMS families: TRS (index.html, index_N.html, createPageHTML), Hanweb (column page
with an embedded <datastore>, more records by POST to dataproxy.jsp) and a generic site
("下一页" links).  Mixed columns (non-report items), report pages with HTML tables and
pages that only link a PDF/DOCX attachment (real corpus PDFs), GBK pages served with a
wrong or missing charset, a robots.txt disallowing part of the site, a link to another
host, a 503 that succeeds on retry, a permanent 404 attachment and a page slower than
the crawl's timeout.  Every request is logged for the tests to assert on.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import synth

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass
class Route:
    body: bytes
    ctype: str = "text/html; charset=utf-8"
    status: int = 200
    fail_first: int = 0  # answer 503 this many times first
    delay: float = 0.0
    etag: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Location for a redirect


@dataclass
class Expected:
    """A report the crawl must find, with the values normalisation must produce."""

    url: str
    spec: synth.Spec | None = None  # None: a corpus document (checked by its own expected JSON)
    corpus_file: str | None = None


class PortalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.vhosts: dict[tuple[str, str], Route] = {}  # (host name, path) → route, before `routes`
        self.dynamic: dict[str, callable] = {}  # path prefix → fn(path?query) → Route | None
        self.posts: dict[str, callable] = {}
        # path → fn(method, path?query, form, headers) → Route | None: answers computed per request
        # (APIs paging by query, downloads checking the Referer); None answers 404
        self.handlers: dict[str, callable] = {}
        self.log: list[tuple[str, str, str]] = []  # (method, host header, path?query)
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, method: str) -> None:
                server.log.append((method, self.headers.get("Host", ""), self.path))
                path = urlparse(self.path).path
                if path.endswith("/"):
                    path += "index.html"  # as web servers do for a column's folder
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode() if length else ""
                if path in server.handlers:
                    route = server.handlers[path](method, self.path, form, self.headers)
                elif method == "POST" and path in server.posts:
                    route = Route(server.posts[path](self.path, form), "text/xml; charset=utf-8")
                else:
                    vhost = self.headers.get("Host", "").rsplit(":", 1)[0].lower()
                    route = server.vhosts.get((vhost, path)) or server.routes.get(path)
                    for prefix, make in server.dynamic.items():
                        if route is None and path.startswith(prefix):
                            route = make(self.path)
                if route is None:
                    return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
                n = server.hits[path] = server.hits.get(path, 0) + 1
                if n <= route.fail_first:
                    return self._send(503, b"busy", "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._send(304, b"", route.ctype, route.etag)
                self._send(route.status, route.body, route.ctype, route.etag, route.headers)

            def _send(
                self,
                status: int,
                body: bytes,
                ctype: str,
                etag: str | None = None,
                headers: dict[str, str] | None = None,
            ) -> None:
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    if ctype:
                        self.send_header("Content-Type", ctype)
                    if etag:
                        self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # a killed crawler resets its connections
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "PortalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, body: bytes, **kw) -> None:
        self.routes[path] = Route(body, **kw)

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, _, p in self.log if method is None or m == method]


# --- page builders -----------------------------------------------------------------------


def _list_page(title: str, items: list[tuple[str, str, str]], paging: str, gbk: bool = False) -> bytes:
    lis = "\n".join(
        f'<li><a href="{href}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>'
        for href, t, d in items
    )
    html = f"""<!DOCTYPE html><html><head><meta charset="{"gbk" if gbk else "utf-8"}">\
<title>{title}</title></head><body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="list"><ul>{lis}</ul></div>
<div class="page">{paging}</div>
<div class="footer">版权所有 网站标识码1234567890</div></body></html>"""
    return html.encode("gbk" if gbk else "utf-8", "xmlcharrefreplace")


def _attachment_page(title: str, link: str, name: str) -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="TRS_Editor"><h1>{title}</h1><p>详见附件。</p>
<p>附件：<a href="{link}">{name}</a></p></div></body></html>""".encode()


NOISE = [
    ("关于2021年政务公开工作要点的通知", "2021-03-01"),
    ("政府信息公开指南", "2020-01-01"),
    ("2022年政府信息公开工作要点落实情况的函", "2022-06-01"),
]


@dataclass
class Portal:
    sources_rows: list[str] = field(default_factory=list)
    expected: dict[str, list[Expected]] = field(default_factory=dict)  # source id → reports
    listing_pages: dict[str, int] = field(default_factory=dict)


def build_trs(
    srv: PortalServer,
    portal: Portal,
    rng: random.Random,
    n: int = 11,
    per_page: int = 4,
    sid: str = "trs_col",
    platform: str = "trs",
) -> None:
    col = "/trs/zwgk/zfxxgknb/"
    reports: list[tuple[str, str, str]] = []
    expected: list[Expected] = []
    for i in range(n):
        year = 2019 + i % 6
        spec = synth.make_spec(
            rng, "2019" if year < 2021 else "2021", year=year, agency=synth.AGENCIES[i % len(synth.AGENCIES)]
        )
        path = f"{col}{year + 1}01/t{year + 1}0120_{1000 + i}.html"
        title = f"{spec.agency}{year}年度政府信息公开工作年度报告"
        kw = {}
        if i % 3 == 1:  # GBK served with a wrong charset in the HTTP header
            body, kw = (
                synth.render_html(spec, encoding="gb18030", declared=None),
                {"ctype": "text/html; charset=utf-8"},
            )
        elif i % 3 == 2:  # GBK with no charset at all, Word markup, split tables
            body, kw = (
                synth.render_html(spec, encoding="gb18030", declared=None, word=True, split=True),
                {"ctype": "text/html"},
            )
        else:
            body = synth.render_html(spec)
        if i == 4:
            kw["fail_first"] = 1  # 503 once, then fine
        srv.add(path, body, **kw)
        reports.append((path, title, f"{year + 1}-01-20"))
        expected.append(Expected(srv.base + path, spec))
    # a report published only as a PDF attachment (a real one), and one as DOCX
    pdf_page = f"{col}202501/t20250110_2001.html"
    srv.add(
        pdf_page,
        _attachment_page(
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "./P020250110_1.pdf", "年报.pdf"
        ),
    )
    srv.add(
        f"{col}202501/P020250110_1.pdf",
        (CORPUS / "real/jiangsu_huaian_hongze_district_gov_2024.pdf").read_bytes(),
        ctype="application/pdf",
    )
    reports.append((pdf_page, "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "2025-01-10"))
    expected.append(
        Expected(
            srv.base + f"{col}202501/P020250110_1.pdf",
            None,
            "real/jiangsu_huaian_hongze_district_gov_2024.pdf",
        )
    )
    dspec = synth.make_spec(rng, "2021", year=2023, agency="大竹县周家镇人民政府")
    docx_page = f"{col}202402/t20240201_2002.html"
    srv.add(
        docx_page,
        _attachment_page(
            "大竹县周家镇人民政府2023年度政府信息公开工作年度报告", "./W020240201.docx", "年报.docx"
        ).replace(b"</div>", b'<p><a href="./missing_annex.pdf">missing.pdf</a></p></div>', 1),
    )
    srv.add(
        f"{col}202402/W020240201.docx",
        synth.render_docx(dspec),
        ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    reports.append((docx_page, "大竹县周家镇人民政府2023年度政府信息公开工作年度报告", "2024-02-01"))
    expected.append(Expected(srv.base + f"{col}202402/W020240201.docx", dspec))
    # robots.txt forbids /trs/private/, another host mirrors a report, one page is too slow
    private = "/trs/private/t20240101_9.html"
    srv.add(private, b"<html>secret</html>")
    slow = f"{col}202403/t20240301_3001.html"
    srv.add(slow, b"<html>late</html>", delay=6)
    items = [(p, t, d) for p, t, d in reports]
    items.insert(2, (private, "内部2023年政府信息公开工作年度报告", "2024-01-01"))
    items.insert(
        5,
        (f"http://localhost:{srv.port}/mirror/t1.html", "镜像站2022年政府信息公开工作年度报告", "2023-01-01"),
    )
    items.insert(7, (slow, "慢速单位2023年政府信息公开工作年度报告", "2024-03-01"))
    for t, d in NOISE:
        items.insert(rng.randrange(len(items)), (f"{col}notice_{abs(hash(t)) % 1000}.html", t, d))
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    for k, chunk in enumerate(pages):
        paging = f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script>'
        name = "index.html" if k == 0 else f"index_{k}.html"
        srv.add(
            col + name,
            _list_page(
                "政府信息公开年报",
                [(p if p.startswith("http") else p, t, d) for p, t, d in chunk],
                paging,
                gbk=(k == 1),
            ),
            ctype="text/html",
            etag=f'"trs-{k}"',
        )
    srv.add("/robots.txt", b"User-agent: *\nDisallow: /trs/private/\n", ctype="text/plain")
    srv.add("/mirror/t1.html", b"<html>mirror</html>")
    portal.sources_rows.append(f"{sid},TRS 测试栏目,350128,{srv.base}{col},{platform},true,true,fixture")
    portal.expected[sid] = expected
    portal.listing_pages[sid] = len(pages)


def build_hanweb(
    srv: PortalServer, portal: Portal, rng: random.Random, n: int = 20, sid: str = "hanweb_col"
) -> None:
    col_id, unit = "1229850102", "6061"
    records, expected = [], []
    for i in range(n):
        year = 2021 + i % 4
        spec = synth.make_spec(rng, "2021", year=year, agency=synth.AGENCIES[(i + 3) % len(synth.AGENCIES)])
        path = f"/art/{year + 1}/1/{i + 1}/art_{col_id}_{5000 + i}.html"
        srv.add(
            path,
            synth.render_html(spec, encoding="gb18030" if i % 2 else "utf-8"),
            ctype="text/html; charset=gbk" if i % 2 else "text/html; charset=utf-8",
        )
        title = f"{spec.agency}{year}年政府信息公开工作年度报告"
        records.append(
            f'<li><a href="{path}" title="{title}">{title}</a>'
            f"<span>{year + 1}-01-{i % 28 + 1:02d}</span></li>"
        )
        expected.append(Expected(srv.base + path, spec))
        if i % 5 == 0:
            records.append(
                '<li><a href="/art/2022/3/1/art_1_1.html" title="2022年政务公开工作要点">'
                "2022年政务公开工作要点</a><span>2022-03-01</span></li>"
            )
    total = len(records)
    first = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[:15])
    column = f"""<html><head><meta charset="utf-8"><title>年报</title></head><body>
<div id="4611045"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3001&path=/\
&columnid={col_id}&unitid={unit}&webname=%E5%98%89%E5%96%84&permissiontype=0"></a>]]></nextgroup>
<recordset>{first}</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>var jpage = new JPage({{ totalRecord: {total}, perPage: 15, unitid: {unit} }});</script>\
</div></body></html>"""
    srv.add(f"/col/col{col_id}/index.html", column.encode())

    def proxy(path_qs: str, form: str) -> bytes:
        from urllib.parse import parse_qs

        q = {k: v[0] for k, v in parse_qs(urlparse(path_qs).query).items()}
        f = {k: v[0] for k, v in parse_qs(form).items()}
        assert f.get("columnid") == col_id and f.get("unitid") == unit, f  # the real form fields
        s, e = int(q["startrecord"]), int(q["endrecord"])
        recs = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[s - 1 : e])
        return (
            f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{total}</totalrecord>"
            f"<recordset>{recs}</recordset></datastore>"
        ).encode()

    srv.posts["/module/web/jpage/dataproxy.jsp"] = proxy
    portal.sources_rows.append(
        f"{sid},Hanweb 测试栏目,330421,{srv.base}/col/col{col_id}/index.html,hanweb,true,true,fixture"
    )
    portal.expected[sid] = expected
    portal.listing_pages[sid] = 1 + -(-max(0, total - 15) // 45)


def build_generic(
    srv: PortalServer,
    portal: Portal,
    rng: random.Random,
    n: int = 7,
    sid: str = "generic_col",
    platform: str = "static",
) -> None:
    items, expected = [], []
    for i in range(n):
        year = 2020 + i % 5
        spec = synth.make_spec(
            rng,
            "2019" if year < 2021 else "2021",
            year=year,
            agency=synth.AGENCIES[(i + 5) % len(synth.AGENCIES)],
        )
        path = f"/gen/Content-{2786000 + i}.html"
        srv.add(
            path,
            synth.render_html(
                spec, chrome=True, traditional=(i == 3), encoding="big5hkscs" if i == 3 else "utf-8"
            ),
            ctype="text/html",
        )
        items.append((path, f"{spec.agency}{year}年度政府信息公开工作年度报告", f"{year + 1}-01-15"))
        expected.append(Expected(srv.base + path, spec))
    pages = [items[i : i + 3] for i in range(0, len(items), 3)]
    for k, chunk in enumerate(pages):
        name = "/gen/list.html" if k == 0 else f"/gen/list_{k + 1}.html"
        nav = (
            f'<a href="list_{k + 2}.html">下一页</a> <a href="list_{len(pages)}.html">尾页</a>'
            if k + 1 < len(pages)
            else ""
        )
        srv.add(name, _list_page("部门年报", chunk, nav))
    portal.sources_rows.append(
        f"{sid},Generic 测试栏目,611000,{srv.base}/gen/list.html,{platform},true,true,fixture"
    )
    portal.expected[sid] = expected
    portal.listing_pages[sid] = len(pages)


def write_sources(portal: Portal, path: Path) -> Path:
    path.write_text(
        "id,name,region_code,url,platform,enabled,obey_robots,notes\n"
        + "\n".join(portal.sources_rows)
        + "\n",
        encoding="utf-8",
    )
    return path


FAST = [
    "--set",
    "DOWNLOAD_DELAY=0",
    "--set",
    "AUTOTHROTTLE_ENABLED=false",
    "--set",
    "DOWNLOAD_TIMEOUT=3",
    "--set",
    "OGI_RETRY_BACKOFF=0.1",
    "--set",
    "RETRY_TIMES=1",
    "--set",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "--set",
    "LOG_LEVEL=WARNING",
    "--set",
    "OGI_ALLOW_PRIVATE_SOURCES=true",
]
