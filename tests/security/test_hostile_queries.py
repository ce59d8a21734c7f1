"""Hostile input that once gave a 500: each answers a 4xx (JSON under /api/) or is ignored."""

import pytest

from tests.factories import make_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_api(api):
    api.raise_request_exception = True  # a 500 fails the test with its traceback
    return api


def test_an_empty_ordering_on_the_links_list_is_ignored(strict_api):
    """`ordering=,` names no column: the default order, 200."""
    older, newer = make_link(email="a@company.com"), make_link(email="b@company.com")

    response = strict_api.get("/api/links/", {"ordering": ","})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.id, older.id]


def test_an_empty_ordering_on_the_export_is_ignored(strict_api):
    """The CSV export takes the same filters: `ordering=,` is the default order."""
    make_link(email="a@company.com")

    response = strict_api.get("/api/export.csv", {"ordering": ","})

    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[2] for line in lines] == ["Email", "a@company.com"]


def test_json_nested_a_thousand_deep_in_one_field_is_a_400(strict_api):
    """2 KB of [[[[...]]]] in first_name: a parse error, not a RecursionError."""
    nested = "[" * 1000 + "]" * 1000
    body = '{"first_name": ' + nested + ', "email": "a@b.co", "campaign": "c", "destination_url": "https://x.y/"}'

    response = strict_api.post("/api/links/", data=body, content_type="application/json")

    assert len(body) < 2100
    assert (response.status_code, response.json()) == (400, {"detail": "JSON parse error - nested too deeply."})


def test_an_id_that_is_not_a_number_is_a_json_404(strict_api):
    """/api/links/0.5/ matches no route: JSON 404, like every error under /api/."""
    response = strict_api.get("/api/links/0.5/")

    assert (response.status_code, response["Content-Type"], response.json()) == (
        404,
        "application/json",
        {"detail": "There is no API route at /api/links/0.5/. The routes are listed at /api/docs/."},
    )


def test_pages_outside_the_api_keep_the_html_404(client):
    """A missing page is still the 404 page (the page's, not the tracking link's)."""
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
