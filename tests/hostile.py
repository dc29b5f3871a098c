"""A hostile fixture portal (issues #14, #11.7, #10.9): every trick a portal can play on a crawler.

All of it is served on 127.0.0.1.  Portal names (www.hostile.gov.cn, …) reach the
server through the static map OGI_HOSTS with OGI_HOSTS_ONLY set, so no DNS query and no
packet leaves 127.0.0.0/8; the off-site names the portal points to are mapped to the same
server, so a request that escaped the scope would show up in its log with its Host.
Names mapped to a metadata or private address are never connected to: the crawl's
scope check refuses them, and the connection resolver would refuse them again.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field

import synth
from portal import PortalServer, Route, _list_page


def _html(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


class RawServer:
    """A TCP port that resets every connection (a geo-fence) or accepts and never answers."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            if self.mode == "reset":
                conn.recv(1024)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()  # RST, as a fence in front of a portal does
            else:
                self.held.append(conn)  # silent: never a byte back

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def refused_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here any more: connections are refused
    return port


@dataclass
class Hostile:
    srv: PortalServer
    rows: list[str] = field(default_factory=list)
    hosts: dict[str, str] = field(default_factory=dict)
    good: list[str] = field(default_factory=list)  # report URLs that must be archived
    raw: list[RawServer] = field(default_factory=list)

    def row(self, sid: str, url: str, robots: bool = True) -> None:
        self.rows.append(f"{sid},{sid} 栏目,,{url},static,true,{str(robots).lower()},hostile fixture")

    def settings(self) -> list[str]:
        sets = {
            "OGI_HOSTS": json.dumps(self.hosts),
            "OGI_HOSTS_ONLY": "true",
            "OGI_ROBOTS_TIMEOUT": "2.5",  # under rslow's 4 s; a loaded machine still answers the others
            "OGI_MAX_LISTING_PAGES": "25",
            "DOWNLOAD_TIMEOUT": "5",  # a silent host still times out; a loaded CI machine answers in time
            "CLOSESPIDER_TIMEOUT": "60",
        }
        return [x for k, v in sets.items() for x in ("--set", f"{k}={v}")]


def build(srv: PortalServer, rng) -> Hostile:
    h = Hostile(srv)
    port = srv.port
    for name in (
        "www.hostile.gov.cn",
        "evil.example.com",
        "www.other.gov.cn",
        "loop.hostile.gov.cn",
        "www.endless.gov.cn",
        "www.echo.gov.cn",
        "www.r503.gov.cn",
        "www.rslow.gov.cn",
        "www.ts412.gov.cn",
        "www.jsl.gov.cn",
        "www.waf.gov.cn",
        "www.stub.gov.cn",
    ):
        h.hosts[name] = "127.0.0.1"
    h.hosts["meta.hostile.gov.cn"] = "169.254.169.254"  # the cloud metadata address, by name
    h.hosts["intra.hostile.gov.cn"] = "10.1.2.3"
    base = f"http://www.hostile.gov.cn:{port}"
    evil = f"http://evil.example.com:{port}"
    other = f"http://www.other.gov.cn:{port}"

    def report(i: int) -> bytes:
        spec = synth.make_spec(rng, "2021", year=2023, agency=synth.AGENCIES[i % len(synth.AGENCIES)])
        return synth.render_html(spec)

    def add(path: str, body: bytes = b"", status: int = 200, **kw) -> None:
        srv.vhosts[("www.hostile.gov.cn", path)] = Route(body, status=status, **kw)

    t = "某单位2023年度政府信息公开工作年度报告"
    items = [
        ("/art/good1.html", t + "一", "2024-01-10"),
        ("/art/good2.html", t + "二", "2024-01-11"),
        ("/art/to-evil.html", t + "（跳转）", "2024-01-12"),  # report link → 302 off-host
        ("/art/with-annex.html", t + "（附件）", "2024-01-13"),  # its attachment → 302 off-host
        ("/art/meta-off.html", t + "（刷新）", "2024-01-14"),  # meta refresh off-host
        (f"http://evil:P@www.hostile.gov.cn:{port}/art/good1.html", t + "（用户信息）", "2024-01-15"),
        (f"http://localhost:{port}/art/good2.html", t + "（本机）", "2024-01-16"),
        ("http://169.254.169.254/latest/meta-data/", t + "（元数据）", "2024-01-17"),
        ("http://meta.hostile.gov.cn/art/m.html", t + "（元数据名）", "2024-01-18"),
        ("http://intra.hostile.gov.cn/art/i.html", t + "（内网名）", "2024-01-19"),
        ("JavaScript:openReport('2023')", t + "（脚本）", "2024-01-20"),
        (f"{other}/art/o.html", t + "（外站）", "2024-01-21"),
        ("/art/loop1.html", t + "（循环）", "2024-01-22"),
    ]
    add("/col/list.html", _list_page("年报", items, '<a href="list_2.html">下一页</a>'))
    add("/col/list_2.html", status=302, headers={"Location": f"{evil}/col/list_2.html"})  # listing off-host
    add("/robots.txt", status=302, headers={"Location": f"{evil}/robots.txt"})  # robots off-host
    add("/art/good1.html", report(1), ctype="text/html; charset=utf-8")
    add("/art/good2.html", report(2), ctype="text/html; charset=utf-8")
    add("/art/to-evil.html", status=302, headers={"Location": f"{evil}/stolen.html"})
    add("/art/with-annex.html", _html('<p>附件：<a href="/files/annex.pdf">年报.pdf</a></p>'))
    add("/files/annex.pdf", status=302, headers={"Location": f"{other}/files/foreign.pdf"})
    add("/art/meta-off.html", _html(f'<meta http-equiv="refresh" content="0; url={evil}/meta.html">'))
    add("/art/loop1.html", status=302, headers={"Location": "/art/loop2.html"})
    add("/art/loop2.html", status=302, headers={"Location": "/art/loop1.html"})
    for path in ("/stolen.html", "/meta.html", "/files/foreign.pdf", "/art/o.html", "/col/list_2.html"):
        srv.routes.setdefault(path, Route(report(9)))  # what escaping would have fetched
    h.row("hostile", f"{base}/col/list.html")
    h.good = [f"{base}/art/good1.html", f"{base}/art/good2.html"]

    # endless pagination: every page new, forever → stopped at OGI_MAX_LISTING_PAGES
    def endless(path_qs: str) -> Route:
        n = int(path_qs.rsplit("=", 1)[1]) if "=" in path_qs else 1
        items = [(f"/endless/r{n}.html", f"第{n}单位2023年度政府信息公开工作年度报告", "2024-01-01")]
        return Route(_list_page("年报", items, f'<a href="/endless/list.html?page={n + 1}">下一页</a>'))

    srv.dynamic["/endless/list.html"] = endless
    srv.dynamic["/endless/r"] = lambda p: Route(report(3))
    h.row("endless", f"http://www.endless.gov.cn:{port}/endless/list.html?page=1")

    # the same page again and again under new numbers → repeating page detected
    def echo(path_qs: str) -> Route:
        n = int(path_qs.split("_")[-1].split(".")[0]) if "_" in path_qs else 1
        items = [("/echo/r1.html", "回声单位2023年度政府信息公开工作年度报告", "2024-01-01")]
        return Route(_list_page("年报", items, f'<a href="/echo/list_{n + 1}.html">下一页</a>'))

    srv.dynamic["/echo/list"] = echo
    srv.routes["/echo/r1.html"] = Route(report(4))
    h.row("echo", f"http://www.echo.gov.cn:{port}/echo/list_1.html")

    # robots.txt that fails: 503, and one slower than OGI_ROBOTS_TIMEOUT
    srv.vhosts[("www.r503.gov.cn", "/robots.txt")] = Route(b"busy", status=503, ctype="text/plain")
    srv.vhosts[("www.rslow.gov.cn", "/robots.txt")] = Route(
        b"User-agent: *\nAllow: /\n", delay=4, ctype="text/plain"
    )
    for sid in ("r503", "rslow"):
        srv.vhosts[(f"www.{sid}.gov.cn", f"/{sid}/list.html")] = Route(_list_page("年报", items[:2], ""))
        h.row(sid, f"http://www.{sid}.gov.cn:{port}/{sid}/list.html")

    # anti-bot answers (#10.9): 瑞数 412, __jsl_clearance, a 2-byte WAF body, a meta-refresh stub
    ts = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html"><script>$_ts=window["$_ts"];'
        b'if(!$_ts)$_ts={};$_ts.nsd=12345;</script><script src="/x.js" r="m"></script></head></html>'
    )
    srv.vhosts[("www.ts412.gov.cn", "/ts/list.html")] = Route(ts, status=412)
    jsl = (
        b"<script>document.cookie=('_')+('_jsl_clearance_s')+('=')+(1700000000)+'|0|';"
        b"location.href=location.pathname</script>"
    )
    srv.vhosts[("www.jsl.gov.cn", "/jsl/list.html")] = Route(jsl, status=521)
    srv.vhosts[("www.waf.gov.cn", "/waf/list.html")] = Route(b"{}", ctype="application/json")
    srv.vhosts[("www.stub.gov.cn", "/stub/list.html")] = Route(
        _html('<meta http-equiv="refresh" content="0; url=/stub/list.html">')
    )
    for sid in ("ts", "jsl", "waf", "stub"):
        host = {"ts": "www.ts412.gov.cn"}.get(sid, f"www.{sid}.gov.cn")
        h.row(f"fence_{sid}", f"http://{host}:{port}/{sid}/list.html")

    # dead and fenced hosts (#11.7): reset, silent, refused, no DNS answer
    reset, silent = RawServer("reset"), RawServer("silent")
    h.raw = [reset, silent]
    h.hosts.update(
        {"www.geo.gov.cn": "127.0.0.1", "www.silent.gov.cn": "127.0.0.1", "www.gone.gov.cn": "127.0.0.1"}
    )
    h.row("geo_reset", f"http://www.geo.gov.cn:{reset.port}/col/list.html")
    h.row("silent", f"http://www.silent.gov.cn:{silent.port}/col/list.html")
    h.row("silent_norobots", f"http://www.silent.gov.cn:{silent.port}/col2/list.html", robots=False)
    h.row("refused", f"http://www.gone.gov.cn:{refused_port()}/col/list.html")
    h.row("no_dns", "http://www.nodns.gov.cn/col/list.html")  # not in OGI_HOSTS: a DNS failure
    return h
