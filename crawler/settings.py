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
DOWNLOAD_TIMEOUT = 30  # seconds per request; a host that never answers costs one timeout (no retry)
DNS_TIMEOUT = 10
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024  # a larger response is dropped with a logged error
DOWNLOAD_WARNSIZE = 30 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
OGI_RETRY_BACKOFF = 2.0  # seconds, doubled per retry
OGI_DEAD_HOST_RETRIES = 0  # retries after a connection failure on a host that has not answered yet
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ScopeMiddleware": 50,  # before robots.txt: nothing off-site is ever requested
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.OgiRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.OgiMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.OgiRedirectMiddleware": 600,
}
# Hostile portals: limits per source (see README "Crawling: limits")
OGI_MAX_LISTING_PAGES = 200  # listing pages read per source and run; more is reported, not followed
OGI_ROBOTS_TIMEOUT = 20  # robots.txt: 5xx, timeout or no connection = whole site disallowed this run
CLOSESPIDER_TIMEOUT = 1800  # seconds: a source still running after this is stopped and reported
REDIRECT_MAX_TIMES = 5
# Scope (crawler/scope.py): never a private, loopback, link-local or metadata address unless set
# (tests and `ogi demo` serve on 127.0.0.1; a registry row's own host only, never another host)
OGI_ALLOW_PRIVATE_SOURCES = False
OGI_PRIVATE_OK_HOSTS: list[str] = []  # filled by crawler/run.py with the registry hosts of the run
OGI_HOSTS: dict[str, str] = {}  # static name → address map, like curl --resolve
OGI_HOSTS_ONLY = False  # names not in OGI_HOSTS fail as DNS failures (tests: no DNS query leaves the box)
TWISTED_DNS_RESOLVER = "crawler.middlewares.GuardedResolver"
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
