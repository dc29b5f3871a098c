"""One spider per registry row, made from crawler/sources.csv (no code per portal).

`scrapy list` shows every enabled source id; `scrapy crawl <id> -a data_dir=data`
crawls one.  `ogi crawl` builds the same classes from any --sources file.
"""

from __future__ import annotations

from crawler.registry import Source, load_sources
from crawler.spiders.base import ReportSpider


def spider_class(source: Source) -> type[ReportSpider]:
    settings = {"ROBOTSTXT_OBEY": source.obey_robots}
    return type(
        f"Spider_{source.id}",
        (ReportSpider,),
        {"name": source.id, "source": source, "custom_settings": settings, "__module__": __name__},
    )


for _source in load_sources():
    globals()[f"Spider_{_source.id}"] = spider_class(_source)
