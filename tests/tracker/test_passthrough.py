"""Query parameters on a tracking URL are passed on to the destination, and can only add to its query."""

from urllib.parse import urlsplit

import pytest

from tests.factories import make_link
from tests.tracker.user_agents import CHROME

pytestmark = pytest.mark.django_db


def location(client, link, query):
    response = client.get(f"/t/{link.token}?{query}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    return response["Location"]


def test_parameters_are_added_to_a_destination_without_query(client):
    """?utm_content=v2 on the tracking URL reaches the page."""
    link = make_link(destination_url="https://wesser.fr/offre")
    assert location(client, link, "utm_content=v2&step=1") == "https://wesser.fr/offre?utm_content=v2&step=1"


def test_the_destinations_own_parameters_keep_their_order_and_spelling(client):
    """New parameters follow the destination's, which are left byte for byte."""
    link = make_link(destination_url="https://wesser.fr/offre?utm_source=clay&q=a%20b&lang=fr")
    assert location(client, link, "utm_content=v2") == (
        "https://wesser.fr/offre?utm_source=clay&q=a%20b&lang=fr&utm_content=v2"
    )


def test_a_tracking_parameter_overrides_the_same_named_one_in_place(client):
    """The tracking URL's value wins, at the destination's position."""
    link = make_link(destination_url="https://wesser.fr/offre?utm_source=clay&lang=fr&ref=mail")
    assert location(client, link, "lang=en&utm_content=v2") == (
        "https://wesser.fr/offre?utm_source=clay&lang=en&ref=mail&utm_content=v2"
    )


def test_a_repeated_parameter_replaces_every_same_named_one(client):
    """tag=a&tag=b on the tracking URL replaces the destination's tag values."""
    link = make_link(destination_url="https://wesser.fr/offre?tag=x&page=2&tag=y")
    assert location(client, link, "tag=a&tag=b") == "https://wesser.fr/offre?tag=a&tag=b&page=2"


def test_the_destinations_fragment_stays_at_the_end(client):
    """#apply anchors still work after the query grows."""
    link = make_link(destination_url="https://wesser.fr/offre?lang=fr#apply")
    assert location(client, link, "utm_content=v2") == "https://wesser.fr/offre?lang=fr&utm_content=v2#apply"


def test_no_query_keeps_the_destination_exactly(client):
    """Without parameters the Location is the stored URL, untouched."""
    link = make_link(destination_url="https://wesser.fr/offre?q=a+b#top")
    response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response["Location"] == "https://wesser.fr/offre?q=a+b#top"


def test_accented_values_are_percent_encoded(client):
    """Non-ASCII values reach the destination UTF-8 encoded."""
    link = make_link(destination_url="https://wesser.fr/offre")
    assert location(client, link, "prenom=%C3%89lo%C3%AFse") == "https://wesser.fr/offre?prenom=%C3%89lo%C3%AFse"


@pytest.mark.parametrize(
    "query",
    [
        "next=//evil.com",
        "next=https://evil.com/",
        "//evil.com",
        "@evil.com",
        "%2F%2Fevil.com",
        "x=1%23@evil.com",
        "x=%5C%5Cevil.com",
        "a=%0d%0aLocation:%20https://evil.com",
        "url=javascript:alert(1)",
    ],
)
def test_passed_parameters_can_never_change_scheme_host_or_path(client, query):
    """Whatever the query, the visitor lands on the stored site and page."""
    link = make_link(destination_url="https://wesser.fr/offre?lang=fr")
    parts = urlsplit(location(client, link, query))
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("https", "wesser.fr", "/offre", "")
    assert parts.query.startswith("lang=fr&")
    assert "\r" not in parts.query and "\n" not in parts.query and "/" not in parts.query


def test_an_open_redirect_payload_stays_an_encoded_value(client):
    """?next=//evil.com arrives as a harmless parameter value."""
    link = make_link(destination_url="https://wesser.fr/offre")
    assert location(client, link, "next=//evil.com") == "https://wesser.fr/offre?next=%2F%2Fevil.com"
