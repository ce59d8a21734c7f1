"""Every error under /api/ is JSON naming what to fix; a refused host names ALLOWED_HOSTS."""

import json

import pytest
from django.test import Client

from links.models import Link

pytestmark = pytest.mark.django_db


def clay_rows(count):
    """Realistic Clay rows: ~400 bytes each once encoded."""
    return [
        {
            "first_name": "Marie-Charlotte",
            "last_name": "de La Fontaine-Dubois",
            "email": f"marie-charlotte.delafontaine{index}@entreprise-exemple.fr",
            "ICP": "Responsable Développement Commercial",
            "campaign": "wesser-recrutement.fr",
            "destination_url": f"https://wesser-recrutement.fr/offres/commercial-senior?utm_source=clay&utm_medium=email&utm_campaign=recrutement-2026&ref={index}",
            "sent_at": "2026-11-30T09:15:00+01:00",
            "channel": "email",
        }
        for index in range(count)
    ]


def test_ten_thousand_realistic_clay_rows_are_accepted_in_one_post(api):
    """10,000 rows of ~400 bytes (~4 MB, over Django's 2.5 MB default) create 10,000 links."""
    body = json.dumps(clay_rows(10_000))
    assert 3_500_000 < len(body.encode()) < 5_000_000

    response = api.post("/api/links", body, content_type="application/json")

    assert response.status_code == 201
    assert len(response.json()) == 10_000
    assert Link.objects.count() == 10_000


def test_a_body_over_the_limit_answers_json_413_naming_the_limit_and_how_to_split(api, settings):
    """Over API_MAX_BODY_BYTES: 413, JSON, the limit in bytes, the setting and the per-request link cap."""
    settings.API_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000

    response = api.post("/api/links/", json.dumps(clay_rows(300)), content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than this server accepts: 100,000 bytes (the API_MAX_BODY_BYTES "
        "setting). Split the list of links into several requests (at most 10,000 links each, and under that "
        "size), or raise API_MAX_BODY_BYTES."
    }
    assert not Link.objects.exists()


def test_a_host_not_allowed_gets_json_naming_allowed_hosts_under_api(api):
    """A tunnel's host missing from ALLOWED_HOSTS: 400 JSON saying which setting to change."""
    response = api.post("/api/links/", clay_rows(1), format="json", HTTP_HOST="abc123.ngrok-free.app")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "This server does not answer to the host abc123.ngrok-free.app. Add it to the ALLOWED_HOSTS "
        "setting (comma-separated, e.g. ALLOWED_HOSTS=127.0.0.1,localhost,abc123.ngrok-free.app) and restart "
        "the server; set PUBLIC_BASE_URL too if tracking URLs must use this name."
    }
    assert not Link.objects.exists()


def test_a_host_not_allowed_gets_a_short_page_naming_allowed_hosts_elsewhere(client):
    """The same refusal on a page: HTML, escaped, naming the setting."""
    response = client.get("/accounts/login/", HTTP_HOST="tunnel.example.com")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>Request refused</h1>" in page
    assert "This server does not answer to the host tunnel.example.com. Add it to the ALLOWED_HOSTS setting" in page


def test_a_refused_host_is_escaped_on_the_page(client):
    response = Client().get("/dashboard/", HTTP_HOST="<b>x</b>.example.com")

    assert response.status_code == 400
    assert "<b>x</b>" not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/nothing-here/", 404),
        ("get", "/api/links/999999/", 404),
        ("put", "/api/links/", 405),
        ("patch", "/api/icp-stats", 405),
        ("post", "/api/export.csv", 405),
        ("get", "/api/stats/overview/?range=year", 400),
    ],
)
def test_every_api_error_is_json(api, method, path, status):
    """Resolver 404, object 404, 405 and 400 under /api/ all answer application/json with a message."""
    response = getattr(api, method)(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_an_anonymous_api_call_gets_json_401(anonymous_api):
    response = anonymous_api.get("/api/links")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
