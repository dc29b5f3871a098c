"""One spider class drives every platform; a source is a registry row, not code.

A listing page is parsed by its family's parser (crawler/platforms); report links are
opened unless the archive already holds them (nightly runs fetch only what is new);
every attachment a report page has (PDF, DOC, DOCX, WPS, OFD, XLS/XLSX, JPG/PNG scans; as
links, script arrays or an API's files[]) is kept, fetched with the article as Referer.
Listing pages are re-read every run with conditional headers (ETag/Last-Modified).
"""
from __future__ import annotations

from urllib.parse import urlparse

import scrapy

from crawler.archive import RawArchive
from crawler.platforms import DOC_EXT, Entry, PageRequest, is_document_url, page_attachments, parse_listing
from crawler.registry import Source
from normalize.extract.encoding import decode_html

DOC_TYPES = ("application/pdf", "application/msword", "application/vnd.openxmlformats", "application/vnd.ms-",
             "application/ofd", "application/octet-stream", "application/kswps", "application/wps", "image/")
__all__ = ["DOC_EXT", "DOC_TYPES", "ReportSpider"]


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class ReportSpider(scrapy.Spider):
    """Base for every source: `source` (a registry row) and `data_dir` are given at crawl time."""

    name = None  # a base: only per-source subclasses (crawler/spiders/__init__.py) are crawlable
    source: Source | None = None

    def __init__(self, source: Source | None = None, data_dir: str = "data", refresh: bool = False,
                 listing_only: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.listing_only = listing_only  # `ogi sources check`: read the column, open no report
        self.source = source or type(self).source
        if self.source is None:
            raise ValueError("a ReportSpider needs a source (registry row)")
        self.archive = RawArchive(data_dir)
        self.known = self.archive.latest_by_url(self.source.id)
        self.refresh = refresh
        self.host = urlparse(self.source.url).netloc.lower()

    # -- scope ---------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        """The portal's own host, or a *.gov.cn host it links to; never mirrors."""
        parts = urlparse(url)
        host = parts.netloc.lower()
        ok = parts.scheme in ("http", "https") and (host == self.host or parts.hostname and parts.hostname.endswith(".gov.cn"))
        if not ok:
            self.crawler.stats.inc_value("ogi/offsite_skipped")
        return bool(ok)

    def _conditional(self, url: str) -> dict[str, str]:
        prev = self.known.get(url) or {}
        headers = {}
        if prev.get("etag"):
            headers["If-None-Match"] = prev["etag"]
        if prev.get("last_modified"):
            headers["If-Modified-Since"] = prev["last_modified"]
        return headers

    # -- listings ------------------------------------------------------------------------
    async def start(self):
        yield self._listing_request(PageRequest(self.source.url), dont_filter=True)

    def start_requests(self):  # Scrapy < 2.13
        yield self._listing_request(PageRequest(self.source.url), dont_filter=True)

    def _listing_request(self, page: PageRequest, dont_filter: bool = False, family: str | None = None) -> scrapy.Request:
        """A listing page; pages a parser planned carry its family, form data and fallbacks."""
        meta = {"handle_httpstatus_list": [304], "kind": "listing", "platform": family, "fallback": page.fallback,
                "form": dict(page.formdata) if page.formdata else None}
        if page.formdata:
            return scrapy.FormRequest(page.url, formdata=dict(page.formdata), callback=self.parse_listing,
                                      errback=self.on_error, meta=meta, dont_filter=dont_filter)
        return scrapy.Request(page.url, callback=self.parse_listing, errback=self.on_error, meta=meta,
                              headers=self._conditional(page.url), dont_filter=dont_filter)

    def parse_listing(self, response):
        stats = self.crawler.stats
        stats.inc_value("ogi/listing_pages")
        if response.status == 304 and response.url in self.known:
            body = self.archive.get(self.known[response.url]["sha256"])
            charset = self.known[response.url].get("charset")
        else:
            body = response.body
            charset = header(response, "Content-Type")
            yield self._fetch_item(response, "listing", {"listing_url": response.url})
        text, encoding = decode_html(body, charset)
        planned = response.meta.get("platform")
        listing = parse_listing(planned or self.source.platform, response.url, text, response.meta.get("form"),
                                planned=bool(planned))
        if not planned:
            stats.set_value("ogi/platform", listing.platform)
        for entry in listing.entries:
            stats.inc_value("ogi/reports_found")
            stats.max_value("ogi/newest_year", entry.year)
            if self.allowed(entry.url) and not self.listing_only:
                yield from self._entry_requests(entry, response.url)
        for page in listing.pages:
            if self.allowed(page.url):
                yield self._listing_request(page, family=listing.platform)

    def _entry_requests(self, entry: Entry, listing_url: str):
        """The report page, and the attachments an API listed beside it (article as Referer)."""
        extra = {"listing_url": listing_url, "title": entry.title, "listed_date": entry.date, "year": entry.year}
        if entry.url in self.known and not self.refresh:
            self.crawler.stats.inc_value("ogi/reports_known")
        else:
            yield scrapy.Request(entry.url, callback=self.parse_report, errback=self.on_error,
                                 meta={"kind": "page", "entry": entry, "listing_url": listing_url},
                                 headers=self._conditional(entry.url), priority=1)
        yield from self._attachment_requests(entry.files, entry.url, extra)

    def _attachment_requests(self, urls, page_url: str, extra: dict):
        for url in urls:
            if url in self.known and not self.refresh or not self.allowed(url):
                continue
            yield scrapy.Request(url, callback=self.parse_attachment, errback=self.on_error,
                                 headers={"Referer": page_url},  # downfile.jsp refuses a download without it
                                 meta={"kind": "attachment", **extra, "page_url": page_url}, priority=2)

    # -- reports and attachments ---------------------------------------------------------
    def parse_report(self, response):
        entry = response.meta["entry"]
        extra = {"listing_url": response.meta["listing_url"], "title": entry.title, "listed_date": entry.date,
                 "year": entry.year}
        ctype = (header(response, "Content-Type") or "").lower()
        if is_document_url(response.url) or ctype.startswith(DOC_TYPES):
            yield self._fetch_item(response, "attachment", {**extra, "page_url": response.url})
            return
        text, encoding = decode_html(response.body, header(response, "Content-Type"))
        found = page_attachments(response.url, text) + list(entry.files)
        links = [u for u in dict.fromkeys(found) if self.allowed(u)]
        yield self._fetch_item(response, "page", {**extra, "encoding": encoding, "attachments": len(links)})
        yield from self._attachment_requests(links, response.url, extra)

    def parse_attachment(self, response):
        meta = response.meta
        extra = {k: meta.get(k) for k in ("listing_url", "title", "listed_date", "year", "page_url")}
        yield self._fetch_item(response, "attachment", extra)

    # -- bookkeeping ---------------------------------------------------------------------
    def _fetch_item(self, response, kind: str, extra: dict) -> dict:
        redirects = response.meta.get("redirect_urls") or []
        return {
            "_body": response.body, "kind": kind, "source_id": self.source.id, "url": redirects[0] if redirects else response.url,
            "final_url": response.url, "status": response.status, "content_type": header(response, "Content-Type"),
            "etag": header(response, "ETag"), "last_modified": header(response, "Last-Modified"),
            "charset": header(response, "Content-Type"), "size": len(response.body), **extra,
        }

    def on_error(self, failure):
        request = failure.request
        if request.meta.get("fallback"):  # the site lacks this endpoint: ask the other one, no error
            self.crawler.stats.inc_value("ogi/fallbacks")
            for page in request.meta["fallback"]:
                if self.allowed(page.url):
                    yield self._listing_request(page, family=request.meta.get("platform"))
            return
        status = getattr(getattr(failure.value, "response", None), "status", None)
        message = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        if "robots.txt" in message:  # policy, not a failure: counted apart
            self.crawler.stats.inc_value("ogi/robots_skipped")
            return
        self.crawler.stats.inc_value("ogi/errors")
        self.logger.warning("fetch failed: %s %s", request.url, message)
        errors = self.crawler.stats.get_value("ogi/error_list") or []
        if len(errors) < 50:
            errors.append({"url": request.url, "status": status, "error": message})
            self.crawler.stats.set_value("ogi/error_list", errors)
        self.archive.record({"source_id": self.source.id, "kind": request.meta.get("kind"), "url": request.url,
                             "status": status or 0, "error": message, "sha256": None})
