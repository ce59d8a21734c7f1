"""Where a click comes from: the country its IP address is registered to, resolved offline, and,
when the operator provides a city database (GEOIP_MMDB_PATH), the city it is located in.

iptocc ships the regional internet registries' allocation data inside its wheel (no download, no
key, ~0.2 µs a lookup). It answers the country an address block is registered to, which for
corporate networks, VPNs and mobile carriers may differ from where the person sits.

The city comes from a MaxMind-format database in the GeoLite2-City / GeoIP2-City layout (MaxMind's
GeoLite2-City, DB-IP's City Lite, ...), which its licence keeps out of the repository: the operator
downloads it. Each process opens it once, on its first click, memory-mapped, and keeps it open:
a new file is read after a restart. The country stays iptocc's, with or without that database.
"""

import functools
import ipaddress
import logging

import iptocc
import maxminddb
from django.conf import settings

logger = logging.getLogger(__name__)

UNKNOWN_COUNTRY = ""
UNKNOWN_CITY = ""
CITY_NAME_LANGUAGE = "en"
# Addresses whose city was looked up lately: a prospect's clicks and a scanner's bursts repeat them.
CITY_CACHE_SIZE = 4096

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def country_of(address: IPAddress | None) -> str:
    """Return the ISO 3166 alpha-2 code of the country `address` is registered to, or "" when
    unknown (no address, private or reserved ranges)."""
    if address is None:
        return UNKNOWN_COUNTRY
    return iptocc.country_code(str(address)) or UNKNOWN_COUNTRY


def city_of(address: IPAddress | None) -> str:
    """Return the English name of the city `address` is located in according to the GEOIP_MMDB_PATH
    database, or "" without a database, without an address, or when the database has no city for
    it (a network known by its country only, or not at all). Never raises (see city_in)."""
    if address is None or not settings.GEOIP_MMDB_PATH:
        return UNKNOWN_CITY
    return city_in(settings.GEOIP_MMDB_PATH, address)


@functools.lru_cache(maxsize=CITY_CACHE_SIZE)
def city_in(path: str, address: IPAddress) -> str:
    """The city of `address` in the database at `path`, "" when unknown.

    The city is a nicety of the figures while the click is the product: whatever goes wrong with
    the operator's file (unreadable, damaged, another layout than a city database's) costs the
    click its city and a log line, never the redirect."""
    database = open_city_database(path)
    if database is None:
        return UNKNOWN_CITY
    try:
        record = database.get(address)
        if not record or "city" not in record:
            return UNKNOWN_CITY
        return str(record["city"]["names"].get(CITY_NAME_LANGUAGE, UNKNOWN_CITY))
    except Exception:
        logger.exception("City lookup of %s failed in %s: the click is stored without its city", address, path)
        return UNKNOWN_CITY


@functools.cache
def open_city_database(path: str) -> maxminddb.Reader | None:
    """The city database at `path`, opened once per process (memory-mapped, through the C extension
    when it is installed), or None when it cannot be opened: logged once, clicks then get no city
    until the file is fixed and the process restarted (`manage.py check` names the problem)."""
    try:
        return maxminddb.open_database(path, maxminddb.MODE_AUTO)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
        logger.error("The city database GEOIP_MMDB_PATH=%s cannot be read, clicks get no city: %s", path, error)
        return None
