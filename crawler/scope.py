"""Where a source's requests may go: one rule for every request, redirect hop and refresh.

A registry row names one host.  Requests may go to that host (same port), or, when the
row is a `*.gov.cn` portal, to other hosts of the same site (`files.x.gov.cn` for
`www.x.gov.cn`): attachments are often served from a sibling host of the same agency.
Hosts of another site (`www.y.gov.cn`, any non-gov.cn host) are refused: their pages
would be archived as reports of an agency they do not belong to.  URLs with userinfo
(`http://evil@www.x.gov.cn/`) are refused outright.

A host may resolve anywhere, so the RESOLVED address is checked too: private, loopback,
link-local (cloud metadata 169.254.169.254), shared, reserved and multicast addresses
are refused.  Only with the explicit setting OGI_ALLOW_PRIVATE_SOURCES (tests, a demo on
127.0.0.1) may the registry row's own host be on such an address; never another host.
Names are resolved by `Resolver`: a static map (OGI_HOSTS, like curl --resolve), then
the system resolver under a timeout; OGI_HOSTS_ONLY makes unmapped names a DNS failure.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
ResolveFn = Callable[[str], list[str]]


class ScopeError(Exception):
    """A request outside the source's scope; the message names the rule it broke."""


def _port(parts) -> int | None:
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None


def site_of(host: str) -> str:
    """The agency's site of a gov.cn host: www.pingtan.gov.cn → pingtan.gov.cn."""
    labels = host.split(".")
    return ".".join(labels[-3:]) if host.endswith(".gov.cn") and len(labels) >= 3 else host


def address_kind(ip: str) -> str | None:
    """Why an address is not a public internet host (None when it is)."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "private", "multicast", "reserved"):
        if getattr(addr, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if addr.is_global else "non-global"


@dataclass(frozen=True)
class Scope:
    """The scope of one registry row (its URL) and whether it may live on a private address."""

    url: str
    allow_private: bool = False

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def port(self) -> int | None:
        return _port(urlsplit(self.url))

    def check_url(self, url: str) -> None:
        """Raise ScopeError unless `url` is http(s), without userinfo, on this source's site."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise ScopeError(f"not an http(s) link ({scheme or 'no scheme'}:)")
        if "@" in parts.netloc:
            raise ScopeError("URL with user info (user@host) refused")
        host = (parts.hostname or "").lower()
        if not host:
            raise ScopeError("URL without a host")
        port = _port(parts)
        defaults = set(DEFAULT_PORTS.values())
        if host == self.host:
            if port != self.port and not {port, self.port} <= defaults:
                raise ScopeError(f"port {port} is not the portal's port {self.port}")
            return
        if self.host.endswith(".gov.cn") and site_of(host) == site_of(self.host) and port in defaults:
            return
        raise ScopeError(f"off the portal's host ({host}, not {self.host})")

    def check_addresses(self, host: str, addresses: Iterable[str]) -> None:
        """Raise ScopeError when `host` resolves to an address a crawl must never reach."""
        for ip in addresses:
            kind = address_kind(ip)
            if kind is None:
                continue
            if self.allow_private and host.lower() == self.host:
                continue
            why = "" if self.allow_private else " (OGI_ALLOW_PRIVATE_SOURCES is off)"
            raise ScopeError(f"{host} resolves to {ip}, a {kind} address{why}")


class Resolver:
    """Name → addresses: the static map first, then the system resolver (bounded by `timeout`)."""

    def __init__(
        self,
        static: dict[str, str] | None = None,
        static_only: bool = False,
        timeout: float = 10.0,
        system: ResolveFn | None = None,
    ):
        self.static = {k.lower(): v for k, v in (static or {}).items()}
        self.static_only = static_only
        self.timeout = timeout
        self.system = system or self._getaddrinfo

    @staticmethod
    def _getaddrinfo(host: str) -> list[str]:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        return sorted({info[4][0] for info in infos})

    def __call__(self, host: str) -> list[str]:
        host = host.lower()
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        if host in self.static:
            return [self.static[host]]
        if self.static_only:
            raise socket.gaierror(f"{host} is not in OGI_HOSTS and OGI_HOSTS_ONLY is set")
        return self.system(host)


def resolver_from_settings(settings) -> Resolver:
    return Resolver(
        static=settings.getdict("OGI_HOSTS"),
        static_only=settings.getbool("OGI_HOSTS_ONLY"),
        timeout=settings.getfloat("DNS_TIMEOUT", 10.0),
    )
