"""Validation messages Clay's operator can act on: under the key they sent, and only the true ones."""

import pytest

from links.models import Link

pytestmark = pytest.mark.django_db

ROW = {
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@company.com",
    "campaign": "wesser-recrutement.fr",
    "destination_url": "https://wesser.fr/offre",
}


def test_a_bad_icp_sent_as_ICP_is_reported_under_ICP(api):
    """Clay's column is "ICP": the error comes back under "ICP", not "icp"."""
    response = api.post("/api/links/", {**ROW, "ICP": "x" * 101}, format="json")

    assert response.status_code == 400
    assert response.json() == {"ICP": ["Ensure this field has no more than 100 characters."]}
    assert not Link.objects.exists()


def test_a_bad_icp_sent_as_icp_is_reported_under_icp(api):
    response = api.post("/api/links/", {**ROW, "icp": 7}, format="json")

    assert response.status_code == 400
    assert response.json() == {"icp": ["Not a valid string."]}


def test_in_a_list_each_row_reports_icp_under_its_own_spelling(api):
    rows = [{**ROW, "ICP": "x" * 101}, {**ROW, "email": "b@company.com", "icp": "y" * 101}, ROW]

    response = api.post("/api/links/", rows, format="json")

    assert response.status_code == 400
    message = ["Ensure this field has no more than 100 characters."]
    assert response.json() == [{"ICP": message}, {"icp": message}, {}]


def test_a_valid_but_over_long_url_gets_only_the_length_message(api):
    """A well-formed https URL of 2,049 characters: the length is the problem, nothing else."""
    url = "https://wesser.fr/offre?ref=" + "a" * (2049 - len("https://wesser.fr/offre?ref="))

    response = api.post("/api/links/", {**ROW, "destination_url": url}, format="json")

    assert response.status_code == 400
    assert response.json() == {"destination_url": ["Ensure this field has no more than 2048 characters."]}


def test_a_url_that_is_not_web_still_gets_the_url_message(api):
    response = api.post("/api/links/", {**ROW, "destination_url": "javascript:alert(1)"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"destination_url": ["Enter an absolute http:// or https:// URL with a host."]}
