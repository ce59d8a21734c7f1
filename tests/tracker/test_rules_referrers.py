"""Rule 3: a Referer on a mail-security service means its sandbox opened the link."""

import pytest

from tests.tracker.click_facts import click_facts
from tracker.classification import classify


@pytest.mark.parametrize(
    "referer, reason",
    [
        (
            "https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fgo.example.com",
            "referer: safelinks.protection.outlook.com",
        ),
        ("https://url.emailprotection.link/?bWnz", "referer: url.emailprotection.link"),
        ("https://urldefense.com/v3/__https://go.example.com/t/x__;!!abc", "referer: urldefense.com"),
        ("https://www.urlsand.com/", "referer: urlsand.com"),
        ("https://protect-eu.mimecast.com/s/abc", None),
        ("https://protect-us.mimecastprotect.com/s/abc?domain=go.example.com", "referer: mimecastprotect.com"),
        ("https://statics.teams.cdn.office.net/evergreen-assets/", "referer: statics.teams.cdn.office.net"),
        ("https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fgo.example.com", "referer: linkprotect.cudasvc.com"),
    ],
)
def test_scanner_service_referrers_are_scanners(referer, reason):
    """The host or any subdomain of a listed service matches; the reason names the listed host."""
    expected = ("scanner", reason) if reason else ("human", "")
    assert classify(click_facts(referer=referer)) == expected


@pytest.mark.parametrize(
    "referer",
    [
        "https://mail.google.com/",
        "https://www.linkedin.com/",
        "https://outlook.office.com/mail/",
        "https://notsafelinks.protection.outlook.com.evil.example/",
        "http://[broken",
    ],
)
def test_ordinary_or_malformed_referrers_are_human(referer):
    """Webmail and social referrers are people; a look-alike host or a broken URL is no match."""
    assert classify(click_facts(referer=referer)) == ("human", "")
