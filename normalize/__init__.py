"""ogi-reports normaliser: bytes of a published report → rows of the common schema.

Pure library: no Scrapy, no network.  Entry point: `normalize_bytes`.
"""

from .report import Provenance, Report, normalize_bytes

__all__ = ["Provenance", "Report", "normalize_bytes"]
