"""Rule 1: browsers that announce a prefetch, prerender or preview are not clicks by a person."""

import pytest

from tests.factories import make_link
from tests.tracker.click_facts import click_facts
from tracker.classification import classify
from tracker.models import Click

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Sec-Purpose": "prefetch"}, ("prefetch", "header: Sec-Purpose prefetch")),
        ({"Sec-Purpose": "prefetch;prerender"}, ("prefetch", "header: Sec-Purpose prerender")),
        ({"Purpose": "prefetch"}, ("prefetch", "header: Purpose prefetch")),
        ({"X-Purpose": "preview"}, ("preview", "header: X-Purpose preview")),
        ({"X-Moz": "prefetch"}, ("prefetch", "header: X-Moz prefetch")),
    ],
)
def test_speculative_loads_are_told_apart_by_their_header(headers, expected):
    """Chrome's Sec-Purpose, the older Purpose, Safari's X-Purpose, Firefox's X-Moz."""
    assert classify(click_facts(headers=headers)) == expected


def test_an_unrelated_purpose_value_is_still_a_human():
    """Only prefetch/prerender/preview values count."""
    assert classify(click_facts(headers={"Sec-Purpose": "navigate"})) == ("human", "")


def test_a_prefetch_still_redirects_but_is_stored_as_prefetch(client):
    """Chrome's prefetch gets the 302 and a prefetch click, never a human one."""
    link = make_link()
    response = client.get(f"/t/{link.token}", HTTP_SEC_PURPOSE="prefetch", HTTP_USER_AGENT="Mozilla/5.0 Chrome")
    assert response.status_code == 302
    assert list(Click.objects.values_list("verdict", "reason")) == [("prefetch", "header: Sec-Purpose prefetch")]
