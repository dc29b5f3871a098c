"""Every fetch goes to the raw archive: bytes once by sha256, one manifest line per fetch."""
from __future__ import annotations


class ArchivePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> "ArchivePipeline":
        return cls(crawler)

    def process_item(self, item: dict) -> dict:
        spider = self.crawler.spider
        body = item.pop("_body")
        sha, new = spider.archive.put(body)
        prev = spider.known.get(item["url"])
        changed = prev is not None and prev.get("sha256") != sha
        spider.archive.record({**item, "sha256": sha, "new_blob": new,
                               "version_of": prev.get("sha256") if changed else None})
        spider.known[item["url"]] = {**item, "sha256": sha}
        if item["kind"] != "listing" and (new or changed):
            self.crawler.stats.inc_value("ogi/new_documents")
        return {k: v for k, v in item.items() if k != "charset"}
