"""The bones: a stored link redirects and records one click."""
import pytest

from tests.factories import make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db


def test_it_redirects_and_records_one_click(client):
    link = make_link(destination_url="https://example.com/offer")
    response = client.get(f"/t/{link.token}")
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/offer"
    assert Click.objects.filter(link=link).count() == 1
