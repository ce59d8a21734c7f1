"""Who is clicking: the client's IP address, and its anonymised form that we store."""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPV4_KEPT_BITS = 24
IPV6_KEPT_BITS = 48
_IPV4_MASK = (2**32 - 1) ^ (2 ** (32 - IPV4_KEPT_BITS) - 1)
_IPV6_MASK = (2**128 - 1) ^ (2 ** (128 - IPV6_KEPT_BITS) - 1)


@lru_cache(maxsize=8192)
def parse_ip(value):
    """Return `value` as an IPv4Address/IPv6Address (IPv4-mapped IPv6 unwrapped), or None.
    Cached: ipaddress parsing is a visible share of the redirect, and clients come back."""
    try:
        address = ipaddress.ip_address(value.strip())
    except (ValueError, AttributeError):
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(meta):
    """Return the client's address from a request's META: the socket's REMOTE_ADDR, unless
    settings.TRUSTED_PROXY_HEADER names the header our own reverse proxy sets (e.g.
    X-Forwarded-For); then the right-most valid address in it, the one that proxy saw. Addresses
    further left were written by the client and can be forged, so they are never used."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        forwarded = meta.get("HTTP_" + header.upper().replace("-", "_"), "")
        for candidate in reversed(forwarded.split(",")):
            address = parse_ip(candidate)
            if address is not None:
                return address
    return parse_ip(meta.get("REMOTE_ADDR", ""))


@lru_cache(maxsize=8192)
def client_network(address):
    """Return the network an address belongs to, as the address of its IPv4 /24 or IPv6 /48:
    what we store when anonymising, and what the burst and miss-rate rules compare."""
    if address is None:
        return None
    if address.version == 4:
        return ipaddress.IPv4Address(int(address) & _IPV4_MASK)
    return ipaddress.IPv6Address(int(address) & _IPV6_MASK)


def stored_ip(address):
    """Return the IP as we store it: anonymised (IPv4 /24, IPv6 /48) unless ANONYMIZE_IPS=false."""
    if address is None:
        return None
    return network_text(address) if settings.ANONYMIZE_IPS else str(address)


@lru_cache(maxsize=8192)
def network_text(address):
    """The text of an address's network (client_network), cached as it is: ipaddress's str()
    costs as much as the lookup."""
    return str(client_network(address))
