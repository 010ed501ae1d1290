"""Where webhooks may be sent: public addresses over HTTPS, plus the hosts an operator allows.

A webhook URL is chosen by whoever holds an operator key, and the server then POSTs to it from
inside the deployment. Without a check, that is a way to reach what only the server can reach:
the cloud metadata service (169.254.169.254), the database, an admin port on 127.0.0.1. So:

* the URL must be `https`, except to a host the operator allows explicitly;
* every address its host resolves to must be a public unicast address: loopback, private,
  link-local (metadata included), shared, multicast, reserved and unspecified addresses are
  refused, also when embedded in an IPv6 address (IPv4-mapped, 6to4, Teredo, NAT64);
* this is checked when the URL is registered, and again on every delivery, on the very addresses
  the connection then uses (`GuardedTransport`): a name that resolved to a public address at
  registration and to 127.0.0.1 afterwards (DNS rebinding) is refused at delivery.

`MANDAT_WEBHOOK_ALLOW_HOSTS` (comma-separated) names the exceptions: host names or IP literals as
written in the URL (`localhost`, `127.0.0.1`, `::1`, `hooks.internal`), and networks in CIDR form
(`10.20.0.0/16`) whose addresses are accepted wherever a name resolves to them.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

ALLOW_HOSTS_ENV = "MANDAT_WEBHOOK_ALLOW_HOSTS"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not private by name, not public either


class EgressRefused(httpcore.ConnectError):
    """A destination the policy refuses. A ConnectError, so a delivery records it as a failed attempt
    (and retries it: the DNS may be fixed) instead of crashing the dispatcher."""


def resolve(host: str, port: int) -> list[str]:
    """Every address of a host, as the system resolver gives them (TCP only)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_v4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    out = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        out += list(ip.teredo)
    if ip in _NAT64:
        out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def address_problem(ip: IpAddress) -> str | None:
    """Why an address is not a public unicast one, or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        for v4 in _embedded_v4(ip):
            why = address_problem(v4)
            if why is not None:
                return f"{why} (embedded in {ip})"
    for test, why in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata services live there)"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "shared (carrier-grade NAT)"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not a public address"),
    ):
        if test:
            return f"{ip} is {why}"
    return None


def _host_key(host: str) -> str:
    """A host as compared with the allow-list: lower case, no brackets, no trailing dot, IPs canonical."""
    h = host.strip().strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(h))
    except ValueError:
        return h


@dataclass(frozen=True)
class EgressPolicy:
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IpNetwork, ...] = ()
    resolver: Resolver = field(default=resolve, compare=False)

    @classmethod
    def parse(cls, entries: Iterable[str], resolver: Resolver = resolve) -> EgressPolicy:
        """From allow-list entries: host names, IP literals, CIDR networks (blank entries ignored)."""
        hosts: set[str] = set()
        networks: list[IpNetwork] = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                except ValueError:
                    raise ValueError(f"{ALLOW_HOSTS_ENV}: {entry!r} is not a network (CIDR)") from None
            else:
                hosts.add(_host_key(entry))
        return cls(frozenset(hosts), tuple(networks), resolver)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EgressPolicy:
        env = os.environ if environ is None else environ
        return cls.parse(env.get(ALLOW_HOSTS_ENV, "").split(","))

    def explicitly_allowed(self, host: str) -> bool:
        key = _host_key(host)
        if key in self.allow_hosts:
            return True
        try:
            ip = ipaddress.ip_address(key)
        except ValueError:
            return False
        return any(ip in net for net in self.allow_networks)

    def url_problem(self, url: str) -> str | None:
        """What is wrong with a webhook URL without looking its host up (scheme, host), or None."""
        parts = urlsplit(url)
        host = parts.hostname
        if not host:
            return "the URL has no host"
        if parts.scheme == "https":
            return None
        if parts.scheme == "http" and self.explicitly_allowed(host):
            return None
        if parts.scheme == "http":
            return f"use https (http only to a host listed in {ALLOW_HOSTS_ENV})"
        return "the URL must be https"

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for host:port, every one checked unless the host is allowed
        explicitly; EgressRefused otherwise."""
        try:
            found = self.resolver(host.strip("[]"), port)
        except (OSError, UnicodeError) as exc:
            raise EgressRefused(f"{host} does not resolve: {exc}") from None
        if not found:
            raise EgressRefused(f"{host} does not resolve")
        if self.explicitly_allowed(host):
            return found
        for text in found:
            ip = ipaddress.ip_address(text)
            if any(ip in net for net in self.allow_networks):
                continue
            why = address_problem(ip)
            if why is not None:
                raise EgressRefused(
                    f"{host} resolves to {why}; refused (add the host to {ALLOW_HOSTS_ENV} to allow it)"
                )
        return found

    def check_url(self, url: str) -> str | None:
        """Registration check: the URL's form, then every address of its host. None when acceptable."""
        why = self.url_problem(url)
        if why is not None:
            return why
        parts = urlsplit(url)
        assert parts.hostname is not None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "the URL's port is not a number from 0 to 65535"
        try:
            self.addresses(parts.hostname, port)
        except EgressRefused as exc:
            return str(exc)
        return None


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy accepts: the name is resolved once, checked, and the
    socket opened on those checked addresses (the TLS name stays the URL's host)."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressRefused("webhooks are not sent to unix sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the policy at connect time. No proxy from the environment: through a
    proxy the check would apply to the proxy's address, not the destination's."""

    def __init__(self, policy: EgressPolicy) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_GuardedBackend(policy)
        )


def guarded_client(policy: EgressPolicy) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(policy), follow_redirects=False, trust_env=False)
