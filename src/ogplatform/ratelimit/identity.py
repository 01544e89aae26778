"""Who is asking: the client address behind a CDN, or the API key, as a rate-limit key.

Forwarding headers are believed only when the socket peer is a configured trusted proxy; so a
client that writes its own ``X-Forwarded-For`` gains nothing. IPv6 clients are grouped by
prefix (a /64 by default), since one subscriber usually holds a whole /64.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = ["FORWARDING_HEADERS", "ClientAddress", "parse_networks"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Headers a trusted proxy may use to name the client; the list of X-Forwarded-For is read right
# to left, the others carry one address.
FORWARDING_HEADERS = ("x-forwarded-for", "cf-connecting-ip", "fastly-client-ip", "true-client-ip")


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse CIDRs or single addresses; raise ValueError naming the bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


class ClientAddress:
    """Decides the client address of a request from its peer and headers."""

    __slots__ = ("headers", "ipv6_prefix", "trusted")

    def __init__(
        self, trusted: Sequence[IPNetwork], headers: Sequence[str], ipv6_prefix: int = 64
    ) -> None:
        self.trusted = tuple(trusted)
        self.headers = tuple(h.lower() for h in headers)
        self.ipv6_prefix = ipv6_prefix

    def resolve(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> IPAddress | None:
        """The client's address, or None if the peer itself is not an IP (e.g. a unix socket)."""
        address = _parse(peer)
        if address is None or not self._is_trusted(address):
            return address
        found = _header_values(headers, self.headers)
        for name in self.headers:
            value = found.get(name)
            if value is None:
                continue
            client = self._from_forwarded_for(value) if name == "x-forwarded-for" else _parse(value)
            if client is not None:
                return client
        return address

    def key(self, address: IPAddress) -> str:
        """The rate-limit identity: the address, or its network for IPv6."""
        if isinstance(address, ipaddress.IPv6Address):
            network = ipaddress.IPv6Network((address, self.ipv6_prefix), strict=False)
            return f"ip:{network}"
        return f"ip:{address}"

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self.trusted)

    def _from_forwarded_for(self, value: str) -> IPAddress | None:
        # Right to left: each trusted proxy appended the address it saw; the first address
        # that is not one of ours is the client. Anything further left is the client's word.
        hops = [_parse(part) for part in value.split(",")]
        for hop in reversed(hops):
            if hop is None:
                return None  # a garbled chain: believe none of it
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else None


def _header_values(headers: Iterable[tuple[bytes, bytes]], wanted: Sequence[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        if name in wanted:
            found.setdefault(name, []).append(raw_value.decode("latin-1"))
    # Repeated headers are one comma-separated list (RFC 9110 5.3).
    return {name: ",".join(values) for name, values in found.items()}


def _parse(value: str | None) -> IPAddress | None:
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
