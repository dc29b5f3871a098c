"""One spider class drives every platform; a source is a registry row, not code.

A listing page is parsed by its family's parser (crawler/platforms); report links are
opened unless the archive already holds them (nightly runs fetch only what is new);
every attachment a report page has (PDF, DOC, DOCX, WPS, OFD, XLS/XLSX, JPG/PNG scans; as
links, script arrays or an API's files[]) is kept, fetched with the article as Referer.
Listing pages are re-read every run with conditional headers (ETag/Last-Modified).

Hostile portals are bounded here: pagination stops at OGI_MAX_LISTING_PAGES and at a
page repeating an earlier one; links that are not http(s) or off the site are not counted
as reports; a challenge page or a fenced host stops the source as `blocked (<kind>)`;
what went wrong is collected per source (`problem`) for the run report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import cached_property

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest

from crawler.archive import RawArchive
from crawler.fences import fence_kind
from crawler.middlewares import describe_failure
from crawler.platforms import DOC_EXT, Entry, PageRequest, is_document_url, page_attachments, parse_listing
from crawler.registry import Source
from crawler.scope import Scope, ScopeError
from normalize.extract.encoding import decode_html

DOC_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats",
    "application/vnd.ms-",
    "application/ofd",
    "application/octet-stream",
    "application/kswps",
    "application/wps",
    "image/",
)
_DIGITS = re.compile(rb"\d+")
MAX_PROBLEM_EXAMPLES = 5
__all__ = ["DOC_EXT", "DOC_TYPES", "ReportSpider"]


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _age_days(when: str | None, now: dt.date) -> int | None:
    try:
        return (now - dt.date.fromisoformat(str(when)[:10])).days if when else None
    except ValueError:
        return None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header ("text/html; charset=GBK" → "gbk"), or None."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:\-]+)", content_type or "", re.I)
    return m.group(1).lower() if m else None


class ReportSpider(scrapy.Spider):
    """Base for every source: `source` (a registry row) and `data_dir` are given at crawl time."""

    name = None  # a base: only per-source subclasses (crawler/spiders/__init__.py) are crawlable
    source: Source | None = None

    def __init__(
        self,
        source: Source | None = None,
        data_dir: str = "data",
        refresh: bool = False,
        refresh_days: int | None = None,
        listing_only: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.listing_only = listing_only  # `ogi sources check`: read the column, open no report
        self.source = source or type(self).source
        if self.source is None:
            raise ValueError("a ReportSpider needs a source (registry row)")
        self.archive = RawArchive(data_dir)
        self.index = self.archive.index(self.source.id)
        self.known = self.index.latest
        self.refresh = refresh
        self.refresh_days = None if refresh_days in (None, "") else int(refresh_days)
        self.today = dt.date.today()
        self.listings_planned: set[tuple] = set()
        self.page_digests: set[str] = set()
        self.report_urls: set[str] = set()
        self.answered = False

    @cached_property
    def scope(self) -> Scope:
        return Scope(self.source.url, allow_private=self.settings.getbool("OGI_ALLOW_PRIVATE_SOURCES"))

    # -- what went wrong, for the run report ---------------------------------------------
    def problem(self, kind: str, url: str, detail: str = "") -> None:
        """Count one problem of a kind (with a few examples) in the source's run report."""
        problems = self.crawler.stats.get_value("ogi/problems") or {}
        entry = problems.setdefault(kind, {"count": 0, "examples": []})
        entry["count"] += 1
        if len(entry["examples"]) < MAX_PROBLEM_EXAMPLES:
            entry["examples"].append(f"{url} {detail}".strip()[:300])
        self.crawler.stats.set_value("ogi/problems", problems)

    def set_fence(self, status: str, reason: str) -> None:
        """The source as a whole is blocked or unreachable (the first cause found is kept)."""
        if not self.crawler.stats.get_value("ogi/fence"):
            self.crawler.stats.set_value("ogi/fence", {"status": status, "reason": reason})
            self.logger.warning("source %s: %s: %s", self.source.id, status, reason)

    def block(self, kind: str, url: str) -> None:
        """A challenge or WAF answer: stop this source now (no retry loop; the next run tries again)."""
        self.set_fence(f"blocked ({kind})", f"{url} answered with a {kind}; not retried in this run")
        raise CloseSpider("ogi_blocked")

    def robots_unreadable(self, detail: str, exc: BaseException | None) -> None:
        self.problem("robots.txt unreadable: disallowed for this run", detail)
        desc = describe_failure(exc) if exc is not None else None
        status = f"{desc[0]} ({desc[1]})" if desc else "unreachable (robots.txt unreadable)"
        reason = f"{detail}: robots.txt unreadable, so the whole site is disallowed for this run"
        self.crawler.stats.set_value("ogi/robots_failure", {"status": status, "reason": reason})

    def _check_fence(self, response, kind: str) -> None:
        if kind in ("listing", "page"):
            found = fence_kind(response.status, response.body)
            if found:
                self.block(found, response.url)

    def _conditional(self, url: str) -> dict[str, str]:
        prev = self.known.get(url) or {}
        headers = {}
        if prev.get("etag"):
            headers["If-None-Match"] = prev["etag"]
        if prev.get("last_modified"):
            headers["If-Modified-Since"] = prev["last_modified"]
        return headers

    def recheck(self, url: str) -> bool:
        """Fetch an archived document again? `--refresh`: all; `--refresh-days N`: the young ones."""
        if url not in self.known:
            return True
        if self.refresh:
            return True
        if self.refresh_days is None:
            return False
        rec = self.known[url]
        age = _age_days(rec.get("listed_date"), self.today)
        if age is None:
            age = _age_days(self.index.first_seen.get(url), self.today)
        return age is not None and age <= self.refresh_days

    # -- listings ------------------------------------------------------------------------
    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):  # Scrapy < 2.13
        src = self.source  # the registry row as crawled, for normalisation (manifest/sources.jsonl)
        self.archive.append_source(
            {
                "id": src.id,
                "name": src.name,
                "region_code": src.region_code,
                "platform": src.platform,
                "url": src.url,
            }
        )
        first = PageRequest(self.source.url)
        self.listings_planned.add((first.url, first.formdata))
        yield self._listing_request(first, dont_filter=True, start=True)
        for url, page in self.archive.pending_attachments(self.index, self._links_of_record):
            self.crawler.stats.inc_value("ogi/attachments_resumed")
            extra = {k: page.get(k) for k in ("listing_url", "title", "listed_date", "year")}
            yield self._attachment_request(url, {**extra, "page_url": page.get("final_url") or page["url"]})

    def _listing_request(
        self, page: PageRequest, dont_filter: bool = False, start: bool = False, family: str | None = None
    ) -> scrapy.Request:
        """A listing page; pages a parser planned carry its family, form data and fallbacks."""
        meta = {
            "handle_httpstatus_list": [304],
            "kind": "listing",
            "start": start,
            "platform": family,
            "fallback": page.fallback,
            "form": dict(page.formdata) if page.formdata else None,
        }
        if page.formdata:
            return scrapy.FormRequest(
                page.url,
                formdata=dict(page.formdata),
                callback=self.parse_listing,
                errback=self.on_error,
                meta=meta,
                dont_filter=dont_filter,
            )
        return scrapy.Request(
            page.url,
            callback=self.parse_listing,
            errback=self.on_error,
            meta=meta,
            headers=self._conditional(page.url),
            dont_filter=dont_filter,
        )

    def _digest(self, entries, body: bytes) -> str:
        """What makes a listing page the same page again: its report links, else its digit-free bytes."""
        if entries:
            key = "\n".join(sorted(e.url for e in entries)).encode()
        else:
            key = _DIGITS.sub(b"", body)
        return hashlib.sha256(key).hexdigest()

    def parse_listing(self, response):
        stats = self.crawler.stats
        self.answered = True
        stats.inc_value("ogi/listing_pages")
        if response.status == 304 and response.url in self.known:
            body = self.archive.get(self.known[response.url]["sha256"])
            charset = self.known[response.url].get("charset")
        else:
            self._check_fence(response, "listing")
            body = response.body
            charset = header(response, "Content-Type")
            yield self._fetch_item(response, "listing", {"listing_url": response.url})
        text, encoding = decode_html(body, charset)
        planned = response.meta.get("platform")
        family = planned or self.source.platform
        listing = parse_listing(family, response.url, text, response.meta.get("form"), planned=bool(planned))
        if not planned:
            stats.set_value("ogi/platform", listing.platform)
        digest = self._digest(listing.entries, body)
        repeated = digest in self.page_digests
        self.page_digests.add(digest)
        if repeated:
            self.problem(
                "repeating listing page (pager not followed)",
                response.url,
                "same content as an earlier listing page",
            )
        for entry in listing.entries:
            try:
                self.scope.check_url(entry.url)
            except ScopeError as exc:
                self.problem("report link not counted", entry.url, str(exc))
                continue
            self.report_urls.add(entry.url)
            stats.set_value("ogi/reports_found", len(self.report_urls))
            stats.max_value("ogi/newest_year", entry.year)
            if not self.listing_only:
                yield from self._entry_requests(entry, response.url)
        if not repeated:
            yield from self._more_pages(listing.pages, response.url, listing.platform)

    def _entry_requests(self, entry: Entry, listing_url: str):
        """The report page, and the attachments an API listed beside it (the article as Referer)."""
        if not self.recheck(entry.url):
            self.crawler.stats.inc_value("ogi/reports_known")
        else:
            meta = {
                "kind": "page",
                "entry": entry,
                "listing_url": listing_url,
                "handle_httpstatus_list": [304],
            }
            yield scrapy.Request(
                entry.url,
                callback=self.parse_report,
                errback=self.on_error,
                meta=meta,
                headers=self._conditional(entry.url),
                priority=1,
            )
        extra = {
            "listing_url": listing_url,
            "title": entry.title,
            "listed_date": entry.date,
            "year": entry.year,
            "page_url": entry.url,
        }
        for url in self._in_scope(entry.files, "attachment link not followed"):
            if self.recheck(url):
                yield self._attachment_request(url, extra)

    def _more_pages(self, pages: list[PageRequest], from_url: str, family: str):
        limit = self.settings.getint("OGI_MAX_LISTING_PAGES", 200)
        for page in pages:
            key = (page.url, page.formdata)
            if key in self.listings_planned:
                continue
            try:
                self.scope.check_url(page.url)
            except ScopeError as exc:
                self.problem("listing page not followed", page.url, str(exc))
                continue
            if len(self.listings_planned) >= limit:
                self.problem(
                    f"listing page limit reached (OGI_MAX_LISTING_PAGES={limit})",
                    from_url,
                    "further listing pages not read",
                )
                return
            self.listings_planned.add(key)
            yield self._listing_request(page, family=family)

    # -- reports and attachments ---------------------------------------------------------
    def parse_report(self, response):
        self.answered = True
        entry = response.meta["entry"]
        extra = {
            "listing_url": response.meta["listing_url"],
            "title": entry.title,
            "listed_date": entry.date,
            "year": entry.year,
        }
        if response.status == 304:  # unchanged since the archived copy: a success, not an error
            self.crawler.stats.inc_value("ogi/not_modified")
            prev = self.known.get(response.url) or {}
            for url in prev.get("attachment_urls") or []:  # its attachments are re-checked as well
                if self.recheck(url):
                    yield self._attachment_request(url, {**extra, "page_url": response.url})
            return
        ctype = (header(response, "Content-Type") or "").lower()
        if is_document_url(response.url) or ctype.startswith(DOC_TYPES):
            yield self._fetch_item(response, "attachment", {**extra, "page_url": response.url})
            return
        self._check_fence(response, "page")
        text, encoding = decode_html(response.body, header(response, "Content-Type"))
        links = list(dict.fromkeys(self._attachments(response.url, text) + list(entry.files)))
        yield self._fetch_item(
            response,
            "page",
            {**extra, "encoding": encoding, "attachments": len(links), "attachment_urls": links},
        )
        for url in links:
            if self.recheck(url):
                yield self._attachment_request(url, {**extra, "page_url": response.url})

    def _attachment_request(self, url: str, extra: dict) -> scrapy.Request:
        meta = {"kind": "attachment", **extra, "handle_httpstatus_list": [304]}
        headers = self._conditional(url)
        if extra.get("page_url"):
            headers["Referer"] = extra["page_url"]  # downfile.jsp refuses a download without its article
        return scrapy.Request(
            url, callback=self.parse_attachment, errback=self.on_error, meta=meta, headers=headers, priority=2
        )

    def _links_of_record(self, rec: dict, body: bytes) -> list[str]:
        text, _ = decode_html(body, rec.get("charset"))
        return self._attachments(rec.get("final_url") or rec["url"], text)

    def _attachments(self, page_url: str, text: str) -> list[str]:
        """The page's attachments (links, downfile.jsp, script arrays: crawler/platforms), in scope."""
        return self._in_scope(page_attachments(page_url, text), "attachment link not followed")

    def _in_scope(self, urls, problem: str) -> list[str]:
        out = []
        for url in urls:
            try:
                self.scope.check_url(url)
            except ScopeError as exc:
                self.problem(problem, url, str(exc))
                continue
            out.append(url)
        return out

    def parse_attachment(self, response):
        self.answered = True
        if response.status == 304:
            self.crawler.stats.inc_value("ogi/not_modified")
            return
        meta = response.meta
        extra = {k: meta.get(k) for k in ("listing_url", "title", "listed_date", "year", "page_url")}
        yield self._fetch_item(response, "attachment", extra)

    # -- bookkeeping ---------------------------------------------------------------------
    def _fetch_item(self, response, kind: str, extra: dict) -> dict:
        redirects = response.meta.get("redirect_urls") or []
        return {
            "_body": response.body,
            "kind": kind,
            "source_id": self.source.id,
            "url": redirects[0] if redirects else response.url,
            "final_url": response.url,
            "status": response.status,
            "content_type": header(response, "Content-Type"),
            "etag": header(response, "ETag"),
            "last_modified": header(response, "Last-Modified"),
            "charset": charset_of(header(response, "Content-Type")),
            "size": len(response.body),
            **extra,
        }

    def on_error(self, failure):
        request, exc = failure.request, failure.value
        kind = request.meta.get("kind")
        response = getattr(exc, "response", None)
        status = getattr(response, "status", None)
        if response is not None:
            self.answered = True
            self._check_fence(response, kind)
        if request.meta.get("fallback"):  # the site lacks this endpoint: ask the other one, no error
            self.crawler.stats.inc_value("ogi/fallbacks")
            fallback = list(request.meta["fallback"])
            return list(self._more_pages(fallback, request.url, request.meta.get("platform")))
        message = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        if isinstance(exc, IgnoreRequest) and "robots.txt" in message:  # policy, not a failure: counted apart
            self.crawler.stats.inc_value("ogi/robots_skipped")
            return
        permanent = isinstance(exc, IgnoreRequest)
        if permanent and "meta-refresh loop" in message and kind == "listing":
            self.block("meta-refresh stub", request.url)
        desc = None if permanent else describe_failure(exc)
        if desc and kind == "listing" and not self.answered:
            self.set_fence(f"{desc[0]} ({desc[1]})", f"{request.url}: {message}")
            if desc[0] == "blocked":
                raise CloseSpider("ogi_blocked")
        self.crawler.stats.inc_value("ogi/errors")
        self.logger.warning("fetch failed: %s %s", request.url, message)
        errors = self.crawler.stats.get_value("ogi/error_list") or []
        if len(errors) < 50:
            errors.append(
                {
                    "url": (request.meta.get("redirect_urls") or [request.url])[0],
                    "status": status,
                    "error": message,
                }
            )
            self.crawler.stats.set_value("ogi/error_list", errors)
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL the listing gave
        self.archive.record(
            {
                "source_id": self.source.id,
                "kind": kind,
                "url": first_url,
                "status": status or 0,
                "error": message,
                "sha256": None,
                **({"permanent": True} if permanent else {}),
            }
        )
