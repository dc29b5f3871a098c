"""Crawler (Scrapy): discover reports on portals and archive their raw bytes.

The spiders, the source registry and the raw archive are issue #3; normalize/ never
imports this package.
"""
