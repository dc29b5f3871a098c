"""Scrapy settings shared by every spider: polite by default."""
BOT_NAME = "ogi-reports"
SPIDER_MODULES: list[str] = []
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 3
USER_AGENT = "ogi-reports (+https://github.com/ogi-reports/ogi-reports; research crawler of annual disclosure reports)"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
