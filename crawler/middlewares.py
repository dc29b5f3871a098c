"""Retries with exponential backoff on 5xx, timeouts and connection resets."""
from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but waiting base × 2^n seconds before retry n (OGI_RETRY_BACKOFF)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("OGI_RETRY_BACKOFF", 1.0)

    async def _wait(self, request) -> None:
        n = request.meta.get("retry_times", 0)
        if self.backoff > 0:
            await asyncio.sleep(min(self.backoff * (2 ** n), 60))

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = get_retry_request(request, spider=spider or self.crawler.spider, reason=f"HTTP {response.status}",
                                  max_retry_times=self.max_retry_times)
        if retry is None:
            return response
        await self._wait(request)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            retry = get_retry_request(request, spider=spider or self.crawler.spider, reason=exception.__class__.__name__,
                                      max_retry_times=self.max_retry_times)
            if retry is not None:
                await self._wait(request)
                return retry
        return None
