"""Downloader middlewares: scope on every request, redirects, robots.txt, retries with backoff.

Order (process_request runs lowest first): ScopeMiddleware (50) refuses a request off the
source's site, with user info, or to a private/metadata address BEFORE anything else,
robots.txt included; a redirect or meta refresh is a new request and passes it again
(the redirect middlewares also check the target first, to name the hop in the report,
and stop loops instead of letting the duplicate filter drop them silently).
"""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.scope import ScopeError, address_kind, resolver_from_settings

logger = logging.getLogger(__name__)
ROBOTS_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def _spider(mw):
    return mw.crawler.spider


class ScopeMiddleware:
    """Every request (redirect hops, refreshes and robots.txt included) passes the source's scope."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.resolve = resolver_from_settings(crawler.settings)
        self.timeout = crawler.settings.getfloat("DNS_TIMEOUT", 10.0)
        self._addresses: dict[str, list[str] | Exception] = {}

    @classmethod
    def from_crawler(cls, crawler) -> "ScopeMiddleware":
        return cls(crawler)

    async def _lookup(self, host: str) -> list[str]:
        if host not in self._addresses:
            try:
                self._addresses[host] = await asyncio.wait_for(
                    asyncio.to_thread(self.resolve, host), self.timeout
                )
            except (OSError, asyncio.TimeoutError) as exc:
                self._addresses[host] = exc
        found = self._addresses[host]
        if isinstance(found, Exception):
            raise DNSLookupError(f"{host}: {found or 'lookup timed out'}")
        return found

    async def process_request(self, request: Request, spider=None):
        spider = _spider(self)
        scope = spider.scope
        try:
            scope.check_url(request.url)
            host = urlparse_cached(request).hostname or ""
            scope.check_addresses(host, await self._lookup(host))
        except ScopeError as exc:
            spider.problem("refused request", request.url, str(exc))
            raise IgnoreRequest(f"refused: {exc}") from None
        return None


class _LoopSafeRedirect:
    """Shared by both redirect kinds: check the target's scope, stop loops, never drop silently."""

    def _redirect(self, redirected: Request, request: Request, reason):
        spider = _spider(self)
        hop = "meta refresh" if reason == "meta refresh" else f"redirect ({reason})"
        try:
            spider.scope.check_url(redirected.url)
        except ScopeError as exc:
            spider.problem(f"{hop} refused", request.url, f"to {redirected.url}: {exc}")
            raise IgnoreRequest(f"{hop} to {redirected.url} refused: {exc}") from None
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in seen:
            kind = "meta-refresh loop" if reason == "meta refresh" else "redirect loop"
            spider.problem(kind, seen[0], " → ".join([*seen, redirected.url])[:300])
            raise IgnoreRequest(f"{kind}: {' → '.join([*seen, redirected.url])[:300]}")
        out = super()._redirect(redirected, request, reason)
        out.dont_filter = True  # loops are stopped above; the duplicate filter would drop hops silently
        return out


class OgiRedirectMiddleware(_LoopSafeRedirect, RedirectMiddleware):
    pass


class OgiMetaRefreshMiddleware(_LoopSafeRedirect, MetaRefreshMiddleware):
    pass


class OgiRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt by RFC 9309: 4xx or absent → allow; 5xx, timeout or no connection → disallow all.

    The robots.txt request gets its own short timeout (OGI_ROBOTS_TIMEOUT) and is not
    retried, so a host that never answers costs one timeout, not minutes.
    """

    async def robot_parser(self, request: Request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = defer.Deferred()
            robotsreq = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={
                    "dont_obey_robotstxt": True,
                    "dont_retry": True,
                    "kind": "robots",
                    "download_timeout": self.crawler.settings.getfloat("OGI_ROBOTS_TIMEOUT", 20),
                },
                callback=NO_CALLBACK,
            )
            try:
                resp = await self.crawler.engine.download_async(robotsreq)
                await self._parse_robots(resp, netloc, request)
            except Exception as exc:  # noqa: BLE001 - every failure is a policy decision below
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, defer.Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(self, response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            _spider(self).robots_unreadable(f"{netloc}/robots.txt answered HTTP {response.status}", None)
            response = response.replace(body=ROBOTS_DISALLOW_ALL)
        elif response.status >= 300:  # 3xx not followed (off-site) or 4xx: no robots.txt
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc).__name__}")
        rp_dfd = self._parsers[netloc]
        if isinstance(exc, IgnoreRequest):  # its redirect was refused: as if absent (RFC 9309 2.3.1.3)
            _spider(self).problem(
                "robots.txt redirect not followed", f"{netloc}/robots.txt", f"{exc}; treated as absent"
            )
            parser = None
        else:
            logger.warning("robots.txt of %s unreadable: %r (cause %r)", netloc, exc, exc.__cause__)
            _spider(self).robots_unreadable(f"{netloc}/robots.txt: {type(exc).__name__}: {exc}"[:300], exc)
            from scrapy.utils.misc import build_from_crawler

            parser = build_from_crawler(self._parserimpl, self.crawler, ROBOTS_DISALLOW_ALL)
        self._parsers[netloc] = parser
        rp_dfd.callback(parser)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but waiting base × 2^n seconds before retry n (OGI_RETRY_BACKOFF).

    A host that has not answered once in this run is not retried after a connection
    failure (OGI_DEAD_HOST_RETRIES, default 0): a dead or fenced host costs one timeout.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("OGI_RETRY_BACKOFF", 1.0)
        self.dead_host_retries = settings.getint("OGI_DEAD_HOST_RETRIES", 0)
        self.answered: set[str] = set()

    async def _wait(self, request) -> None:
        n = request.meta.get("retry_times", 0)
        if self.backoff > 0:
            await asyncio.sleep(min(self.backoff * (2**n), 60))

    async def process_response(self, request, response, spider=None):
        self.answered.add(urlparse_cached(request).netloc)
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason=f"HTTP {response.status}",
            max_retry_times=self.max_retry_times,
        )
        if retry is None:
            return response
        await self._wait(request)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            limit = self.max_retry_times
            if urlparse_cached(request).netloc not in self.answered:
                limit = min(limit, self.dead_host_retries)
            retry = get_retry_request(
                request,
                spider=spider or self.crawler.spider,
                reason=exception.__class__.__name__,
                max_retry_times=limit,
            )
            if retry is not None:
                await self._wait(request)
                return retry
        return None


class GuardedResolver(CachingThreadedResolver):
    """The resolver connections use: OGI_HOSTS first, and never a private address by surprise.

    A second, process-wide line behind ScopeMiddleware (and against DNS rebinding between
    the check and the connection): a name resolving to a non-public address fails the
    lookup unless OGI_ALLOW_PRIVATE_SOURCES is set and the name is a registry row's host.
    """

    def __init__(self, reactor, cache_size: int, timeout: float, settings=None):
        super().__init__(reactor, cache_size, timeout)
        self.static = {k.lower(): v for k, v in (settings.getdict("OGI_HOSTS") if settings else {}).items()}
        self.static_only = bool(settings and settings.getbool("OGI_HOSTS_ONLY"))
        allow = bool(settings and settings.getbool("OGI_ALLOW_PRIVATE_SOURCES"))
        self.private_ok = {h.lower() for h in (settings.getlist("OGI_PRIVATE_OK_HOSTS") if allow else [])}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        s = crawler.settings
        size = s.getint("DNSCACHE_SIZE") if s.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, size, s.getfloat("DNS_TIMEOUT"), s)

    def getHostByName(self, name: str, timeout=()):
        key = name.lower()
        if key in self.static:
            d = defer.succeed(self.static[key])
        elif self.static_only:
            return defer.fail(DNSLookupError(f"{name} is not in OGI_HOSTS (OGI_HOSTS_ONLY)"))
        else:
            d = super().getHostByName(name, timeout)
        return d.addCallback(self._guard, key)

    def _guard(self, ip: str, name: str) -> str:
        kind = address_kind(ip)
        if kind and name not in self.private_ok:
            raise DNSLookupError(f"{name} resolves to {ip}, a {kind} address: refused")
        return ip


_FAILURE_KINDS = (  # (exception class names anywhere in the cause chain, status word, kind)
    (("DNSLookupError", "CannotResolveHostError", "gaierror"), "unreachable", "DNS failure"),
    (("ConnectionRefusedError", "DownloadConnectionRefusedError"), "unreachable", "connection refused"),
    (("TimeoutError", "TCPTimedOutError", "DownloadTimeoutError", "UserTimeout"), "unreachable", "timeout"),
)
_RESET = (
    "ConnectionLost",
    "ConnectionDone",
    "ResponseNeverReceived",
    "ResponseFailed",
    "ConnectionResetError",
)


def _chain(exc: BaseException | None) -> list[BaseException]:
    out: list[BaseException] = []
    while exc is not None and exc not in out and len(out) < 10:
        out.append(exc)
        reasons = getattr(exc, "reasons", None) or []  # twisted ResponseFailed wraps Failures
        out.extend(
            getattr(r, "value", r) for r in reasons if isinstance(getattr(r, "value", r), BaseException)
        )
        exc = exc.__cause__ or exc.__context__
    return out


def describe_failure(exc: BaseException | None) -> tuple[str, str] | None:
    """(status word, kind) for a failure that says the host itself is unreachable or fenced."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(f"{type(e).__name__} {e}" for e in chain)
    for classes, word, kind in _FAILURE_KINDS:
        if names & set(classes):
            return word, kind
    if "SSL" in text or "TLS" in text or "certificate" in text:
        return "unreachable", "TLS"
    if names & set(_RESET) or "reset" in text.lower():
        return "blocked", "connection reset"
    return None
