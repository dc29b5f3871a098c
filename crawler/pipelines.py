"""Every fetch goes to the raw archive: bytes once by sha256, one manifest line per fetch."""

from __future__ import annotations


class ArchivePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> "ArchivePipeline":
        return cls(crawler)

    def close_spider(self) -> None:
        self.crawler.spider.archive.close()

    async def process_item(self, item: dict) -> dict:
        """Archive in a worker thread (disk writes must not stall downloads); count on the reactor.

        A coroutine, not a Deferred: Scrapy ≥ 2.13 warns on every item for the latter."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        return self._count(await maybe_deferred_to_future(deferToThread(self._store, item)))

    def _store(self, item: dict) -> tuple[dict, bool]:
        spider = self.crawler.spider
        body = item.pop("_body")
        sha, new = spider.archive.put(body)
        prev = spider.known.get(item["url"])
        changed = prev is not None and prev.get("sha256") != sha
        spider.archive.record(
            {**item, "sha256": sha, "new_blob": new, "version_of": prev.get("sha256") if changed else None}
        )
        spider.known[item["url"]] = {**item, "sha256": sha}
        return item, item["kind"] != "listing" and (new or changed)

    def _count(self, result: tuple[dict, bool]) -> dict:
        item, is_new = result
        if is_new:
            self.crawler.stats.inc_value("ogi/new_documents")
        return {k: v for k, v in item.items() if k != "charset"}
