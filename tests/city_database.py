"""A small real city database in MaxMind's format (GeoLite2-City layout), written at test time with
mmdb-writer and read by the real maxminddb reader, as an operator's GEOIP_MMDB_PATH file is.

| network           | record                          | iptocc's country of its addresses |
| 90.84.10.0/24     | Paris, FR                       | FR                                |
| 85.214.132.0/24   | Berlin, DE                      | DE                                |
| 2a01:e0a::/32     | Lyon, FR (IPv6)                 | FR                                |
| 40.94.0.0/16      | country US only, no city        | US                                |
| anything else     | no record                       |                                   |
"""

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

PARIS_ADDRESS = "90.84.10.17"
BERLIN_ADDRESS = "85.214.132.117"
LYON_ADDRESS = "2a01:e0a:1f3:5c40:8d2f:3a1b:c2d4:9e10"
COUNTRY_ONLY_ADDRESS = "40.94.1.2"
UNLISTED_ADDRESS = "8.8.8.8"


def city(name, country):
    return {"city": {"names": {"en": name, "fr": name}}, "country": {"iso_code": country}}


NETWORKS = {
    "90.84.10.0/24": city("Paris", "FR"),
    "85.214.132.0/24": city("Berlin", "DE"),
    "2a01:e0a::/32": city("Lyon", "FR"),
    "40.94.0.0/16": {"country": {"iso_code": "US"}},
}


def write_city_database(directory: Path, networks: dict = NETWORKS, database_type: str = "GeoLite2-City") -> str:
    """Write `networks` (CIDR -> record) as <database_type>.mmdb in `directory`; return its path.
    IPv6 with IPv4 mapped in, as MaxMind's own city databases are."""
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type=database_type, languages=["en", "fr"], description="test"
    )
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    path = directory / f"{database_type}.mmdb"
    writer.to_db_file(str(path))
    return str(path)
