"""Where a click comes from: the country its IP address is registered to, resolved offline.

iptocc ships the regional internet registries' allocation data inside its wheel (no download, no
key, ~0.2 µs a lookup). It answers the country an address block is registered to, which for
corporate networks, VPNs and mobile carriers may differ from where the person sits.
"""

import ipaddress

import iptocc

UNKNOWN_COUNTRY = ""


def country_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> str:
    """Return the ISO 3166 alpha-2 code of the country `address` is registered to, or "" when
    unknown (no address, private or reserved ranges)."""
    if address is None:
        return UNKNOWN_COUNTRY
    return iptocc.country_code(str(address)) or UNKNOWN_COUNTRY
