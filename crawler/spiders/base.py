"""One spider class drives every platform; a source is a registry row, not code.

A listing page is parsed by its family's parser (crawler/platforms); report links are
opened unless the archive already holds them (nightly runs fetch only what is new);
every attachment a report page links (PDF, DOC, DOCX, WPS, OFD, XLS/XLSX) is kept.
Listing pages are re-read every run with conditional headers (ETag/Last-Modified).
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import scrapy
from lxml import etree

from crawler.archive import RawArchive
from crawler.platforms import PageRequest, parse_listing
from crawler.registry import Source
from normalize.extract.encoding import decode_html

DOC_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|et)(?:$|[?#])", re.I)
DOC_TYPES = ("application/pdf", "application/msword", "application/vnd.openxmlformats", "application/vnd.ms-",
             "application/ofd", "application/octet-stream", "application/kswps", "application/wps")
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header ("text/html; charset=GBK" → "gbk"), or None."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:\-]+)", content_type or "", re.I)
    return m.group(1).lower() if m else None


class ReportSpider(scrapy.Spider):
    """Base for every source: `source` (a registry row) and `data_dir` are given at crawl time."""

    name = None  # a base: only per-source subclasses (crawler/spiders/__init__.py) are crawlable
    source: Source | None = None

    def __init__(self, source: Source | None = None, data_dir: str = "data", refresh: bool = False, **kwargs):
        super().__init__(**kwargs)
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

    def _listing_request(self, page: PageRequest, dont_filter: bool = False) -> scrapy.Request:
        meta = {"handle_httpstatus_list": [304], "kind": "listing"}
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
        listing = parse_listing(self.source.platform, response.url, text)
        stats.set_value("ogi/platform", listing.platform)
        for entry in listing.entries:
            stats.inc_value("ogi/reports_found")
            if not self.allowed(entry.url):
                continue
            meta = {"kind": "page", "entry": entry, "listing_url": response.url}
            if entry.url in self.known and not self.refresh:
                stats.inc_value("ogi/reports_known")
                continue
            kind_cb = self.parse_report
            yield scrapy.Request(entry.url, callback=kind_cb, errback=self.on_error, meta=meta,
                                 headers=self._conditional(entry.url), priority=1)
        for page in listing.pages:
            if self.allowed(page.url):
                yield self._listing_request(page)

    # -- reports and attachments ---------------------------------------------------------
    def parse_report(self, response):
        entry = response.meta["entry"]
        extra = {"listing_url": response.meta["listing_url"], "title": entry.title, "listed_date": entry.date,
                 "year": entry.year}
        ctype = (header(response, "Content-Type") or "").lower()
        if DOC_EXT.search(response.url) or ctype.startswith(DOC_TYPES):
            yield self._fetch_item(response, "attachment", {**extra, "page_url": response.url})
            return
        text, encoding = decode_html(response.body, header(response, "Content-Type"))
        links = self._attachments(response.url, text)
        yield self._fetch_item(response, "page", {**extra, "encoding": encoding, "attachments": len(links)})
        for url in links:
            if url in self.known and not self.refresh:
                continue
            yield scrapy.Request(url, callback=self.parse_attachment, errback=self.on_error,
                                 meta={"kind": "attachment", **extra, "page_url": response.url}, priority=2)

    def _attachments(self, page_url: str, text: str) -> list[str]:
        root = etree.fromstring(text.encode("utf-8"), _PARSER) if text.strip() else None
        if root is None:
            return []
        out: list[str] = []
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if href and DOC_EXT.search(href):
                url = urljoin(page_url, href)
                if url not in out and self.allowed(url):
                    out.append(url)
        return out

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
            "charset": charset_of(header(response, "Content-Type")), "size": len(response.body), **extra,
        }

    def on_error(self, failure):
        request = failure.request
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
