"""Scrapy settings shared by every spider: polite and robust by default."""
BOT_NAME = "ogi-reports"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# who we are: set OGI_CONTACT_URL to a page that says who runs the crawl and how to reach them
OGI_CONTACT_URL = "https://github.com/ogi-reports/ogi-reports"
USER_AGENT = f"ogi-reports/0.1 (+{OGI_CONTACT_URL}; research archive of government disclosure annual reports)"

ROBOTSTXT_OBEY = True  # per-source override: the registry's obey_robots column (logged)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024  # a larger response is dropped with a logged error
DOWNLOAD_WARNSIZE = 30 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
OGI_RETRY_BACKOFF = 2.0  # seconds, doubled per retry
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 100}
# our callbacks yield a handful of items each; Scrapy's default (100) spawns 100 tasks per response
CONCURRENT_ITEMS = 8
# government portals still serve old TLS: accept it (we only read public pages)
DOWNLOADER_CLIENT_TLS_METHOD = "TLS"
DOWNLOADER_CLIENT_TLS_CIPHERS = "DEFAULT:@SECLEVEL=0"
COOKIES_ENABLED = True  # WAFs answer the first request with a 302 and a cookie
REDIRECT_ENABLED = True
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
