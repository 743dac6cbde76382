"""Who is on the other end of a request: the client's address, read through the proxies we trust.

One home for this, used by the audit trail and by the sign-in limits alike. `X-Forwarded-For` is believed
only when the request comes from an address in TRUSTED_PROXIES; anyone else could write any address there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `::1`); raises ValueError naming a bad one."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an address or network") from exc
    return networks


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str, networks: Iterable[Network] | None = None) -> bool:
    """True when `address` is one of the proxies in TRUSTED_PROXIES."""
    parsed = _address(address)
    if parsed is None:
        return False
    trusted = settings.TRUSTED_PROXIES if networks is None else networks
    return any(parsed in network for network in trusted)


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's address for a request's META: REMOTE_ADDR, or, from a trusted proxy, the nearest
    address in X-Forwarded-For that is not itself a trusted proxy. Empty when unknown."""
    remote = str(meta.get("REMOTE_ADDR") or "").strip()
    if _address(remote) is None:
        return ""
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    client = remote
    # Walk from the nearest hop outwards: each trusted proxy vouches for the hop before it.
    for hop in reversed([part for part in forwarded if part]):
        if _address(hop) is None:
            break  # garbage from the client: keep the last address a trusted proxy vouched for
        client = hop
        if not is_trusted_proxy(hop):
            break
    return str(_address(client))
