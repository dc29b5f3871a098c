"""The scope rule, decided without a single request: URLs, resolved addresses (stub resolver), redirects."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from crawler.middlewares import (
    GuardedResolver,
    OgiMetaRefreshMiddleware,
    OgiRedirectMiddleware,
    ScopeMiddleware,
)
from crawler.registry import Source
from crawler.scope import Resolver, Scope, ScopeError, address_kind, site_of

PORTAL = "http://www.pingtan.gov.cn/zwgk/zfxxgknb/"
STUB = {
    "www.pingtan.gov.cn": ["202.101.1.1"],
    "files.pingtan.gov.cn": ["202.101.1.2"],
    "metadata.pingtan.gov.cn": ["169.254.169.254"],
    "intranet.pingtan.gov.cn": ["10.0.0.8"],
    "lo.pingtan.gov.cn": ["127.0.0.1"],
    "mapped.pingtan.gov.cn": ["::ffff:192.168.1.1"],
    "mixed.pingtan.gov.cn": ["202.101.1.3", "172.16.0.1"],
    "cgnat.pingtan.gov.cn": ["100.64.0.1"],
}


def stub_resolver(asked: list[str] | None = None) -> Resolver:
    def system(host: str) -> list[str]:
        if asked is not None:
            asked.append(host)
        if host not in STUB:
            raise OSError(f"no such host {host}")
        return STUB[host]

    return Resolver(system=system)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.pingtan.gov.cn/art/1.html",
        "https://www.pingtan.gov.cn/art/1.pdf",
        "HTTP://WWW.Pingtan.gov.cn/x",
        "http://files.pingtan.gov.cn/P0201.pdf",
        "http://pingtan.gov.cn/a.html",
    ],
)
def test_in_scope(url):
    Scope(PORTAL).check_url(url)


@pytest.mark.parametrize(
    "url,why",
    [
        ("http://evil:P@www.pingtan.gov.cn/", "user info"),
        ("http://www.pingtan.gov.cn@evil.com/", "user info"),
        ("JavaScript:void(0)", "not an http\\(s\\) link"),
        ("javascript:openWin('a')", "not an http\\(s\\) link"),
        ("mailto:gk@pingtan.gov.cn", "not an http\\(s\\) link"),
        ("ftp://www.pingtan.gov.cn/a.pdf", "not an http\\(s\\) link"),
        ("http://www.fujian.gov.cn/a.html", "off the portal's host"),
        ("http://pingtan.gov.cn.evil.com/a.html", "off the portal's host"),
        ("http://evilpingtan.gov.cn/a.html", "off the portal's host"),
        ("http://localhost/a.html", "off the portal's host"),
        ("http://169.254.169.254/latest/meta-data/", "off the portal's host"),
        ("http://www.pingtan.gov.cn:8080/a.html", "port 8080"),
        ("http://files.pingtan.gov.cn:8080/a.pdf", "off the portal's host"),
        ("http:///a.html", "without a host"),
    ],
)
def test_out_of_scope(url, why):
    with pytest.raises(ScopeError, match=why):
        Scope(PORTAL).check_url(url)


def test_non_gov_cn_portal_is_its_exact_host_only():
    scope = Scope("http://127.0.0.1:8000/col/")
    scope.check_url("http://127.0.0.1:8000/a.html")
    for url in ("http://127.0.0.1:8001/a.html", "http://localhost:8000/a.html", "http://127.0.0.2:8000/"):
        with pytest.raises(ScopeError):
            scope.check_url(url)
    assert site_of("www.a.b.gov.cn") == "b.gov.cn" and site_of("example.com") == "example.com"


@pytest.mark.parametrize(
    "ip,kind",
    [
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("100.64.0.1", "non-global"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("202.101.1.1", None),
    ],
)
def test_address_kinds(ip, kind):
    assert address_kind(ip) == kind


@pytest.mark.parametrize(
    "host,refused",
    [
        ("www.pingtan.gov.cn", None),
        ("files.pingtan.gov.cn", None),
        ("metadata.pingtan.gov.cn", "169.254.169.254, a link-local"),
        ("intranet.pingtan.gov.cn", "10.0.0.8, a private"),
        ("lo.pingtan.gov.cn", "127.0.0.1, a loopback"),
        ("mapped.pingtan.gov.cn", "a private"),
        ("mixed.pingtan.gov.cn", "172.16.0.1"),
        ("cgnat.pingtan.gov.cn", "100.64.0.1"),
    ],
)
def test_resolved_address_decides_with_a_stub_resolver(host, refused):
    asked: list[str] = []
    resolve = stub_resolver(asked)
    scope = Scope(PORTAL)
    scope.check_url(f"http://{host}/a.html")  # every one of these names passes the URL rule…
    if refused is None:
        scope.check_addresses(host, resolve(host))
    else:  # …and is refused by where it resolves to
        with pytest.raises(ScopeError, match=refused):
            scope.check_addresses(host, resolve(host))
    assert asked == [host]  # the stub answered; nothing else was asked


def test_private_sources_only_with_the_explicit_setting_and_only_the_row_host():
    off, on = Scope("http://portal.test:8000/"), Scope("http://portal.test:8000/", allow_private=True)
    with pytest.raises(ScopeError, match="OGI_ALLOW_PRIVATE_SOURCES is off"):
        off.check_addresses("portal.test", ["127.0.0.1"])
    on.check_addresses("portal.test", ["127.0.0.1"])
    with pytest.raises(ScopeError, match="link-local"):
        on.check_addresses("other.test", ["169.254.169.254"])
    with pytest.raises(ScopeError, match="loopback"):
        on.check_addresses("localhost", ["127.0.0.1"])


def test_static_map_and_static_only():
    r = Resolver(
        static={"www.x.gov.cn": "127.0.0.1"}, static_only=True, system=lambda h: pytest.fail("asked DNS")
    )
    assert r("WWW.X.gov.cn") == ["127.0.0.1"] and r("10.0.0.1") == ["10.0.0.1"]
    with pytest.raises(OSError, match="OGI_HOSTS_ONLY"):
        r("www.y.gov.cn")


def test_connection_resolver_refuses_private_addresses_again():
    from scrapy.settings import Settings

    settings = Settings(
        {
            "OGI_HOSTS": {"www.x.gov.cn": "127.0.0.1", "meta.x.gov.cn": "169.254.169.254"},
            "OGI_HOSTS_ONLY": True,
            "OGI_ALLOW_PRIVATE_SOURCES": True,
            "OGI_PRIVATE_OK_HOSTS": ["www.x.gov.cn"],
        }
    )
    res = GuardedResolver(None, 0, 5.0, settings)
    got = []
    res.getHostByName("www.x.gov.cn").addCallback(got.append)
    assert got == ["127.0.0.1"]
    for name in ("meta.x.gov.cn", "unknown.x.gov.cn"):
        errors = []
        res.getHostByName(name).addErrback(errors.append)
        assert errors and errors[0].check(DNSLookupError), name
    strict = GuardedResolver(
        None, 0, 5.0, Settings({**settings.copy_to_dict(), "OGI_ALLOW_PRIVATE_SOURCES": False})
    )
    errors = []
    strict.getHostByName("www.x.gov.cn").addErrback(errors.append)
    assert errors and "loopback" in str(errors[0].value)


# -- the middlewares: every request, every redirect hop ---------------------------------------


@pytest.fixture
def spider(tmp_path):
    from crawler.spiders import spider_class

    source = Source("pt", "平潭", "350128", PORTAL, "trs")
    crawler = get_crawler(spider_class(source), {"OGI_ALLOW_PRIVATE_SOURCES": False})
    sp = crawler.spidercls.from_crawler(crawler, source=source, data_dir=str(tmp_path))
    crawler.spider = sp
    return sp


def _scope_mw(spider) -> ScopeMiddleware:
    mw = ScopeMiddleware(spider.crawler)
    mw.resolve = stub_resolver()
    return mw


@pytest.mark.parametrize(
    "url,ok",
    [
        ("http://www.pingtan.gov.cn/a.html", True),
        ("http://files.pingtan.gov.cn/a.pdf", True),
        ("http://metadata.pingtan.gov.cn/latest/", False),
        ("http://www.fujian.gov.cn/a.html", False),
        ("http://u:p@www.pingtan.gov.cn/a.html", False),
    ],
)
def test_scope_middleware_checks_every_request_including_redirect_hops(spider, url, ok):
    mw = _scope_mw(spider)
    hop = Request(url, meta={"redirect_urls": ["http://www.pingtan.gov.cn/start.html"]})
    if ok:
        assert asyncio.run(mw.process_request(hop)) is None
    else:
        with pytest.raises(IgnoreRequest, match="refused"):
            asyncio.run(mw.process_request(hop))
        assert spider.crawler.stats.get_value("ogi/problems")["refused request"]["count"] == 1


def test_redirects_off_site_and_loops_are_stopped_and_named(spider):
    mw = OgiRedirectMiddleware.from_crawler(spider.crawler)
    req = Request("http://www.pingtan.gov.cn/a.html")
    off = Response(req.url, status=302, headers={"Location": "http://evil.example.com/a.html"})
    with pytest.raises(IgnoreRequest, match="redirect \\(302\\) to http://evil.example.com/a.html refused"):
        mw.process_response(req, off)
    hop = mw.process_response(req, Response(req.url, status=301, headers={"Location": "/b.html"}))
    assert (
        hop.url == "http://www.pingtan.gov.cn/b.html" and hop.dont_filter
    )  # checked, never silently dropped
    back = Response(hop.url, status=302, headers={"Location": "/a.html"})
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        mw.process_response(hop, back)
    meta = OgiMetaRefreshMiddleware.from_crawler(spider.crawler)
    page = HtmlResponse(
        req.url,
        body=b'<meta http-equiv="refresh" content="0; url=http://169.254.169.254/">',
        encoding="utf-8",
    )
    with pytest.raises(IgnoreRequest, match="meta refresh to http://169.254.169.254/ refused"):
        meta.process_response(req, page)
    assert set(spider.crawler.stats.get_value("ogi/problems")) == {
        "redirect (302) refused",
        "redirect loop",
        "meta refresh refused",
    }
