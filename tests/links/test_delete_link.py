"""GET and DELETE /api/links/<id>/: one link, and removing it with its clicks."""

import pytest

from links.models import Link
from tests.factories import make_click, make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db


def test_one_link_is_answered_with_its_click_summary(api):
    """GET /api/links/<id>/ answers the same row as the list."""
    link = make_link(email="john@company.com")
    make_click(link, verdict="scanner")

    response = api.get(f"/api/links/{link.id}/")

    assert response.status_code == 200
    assert (response.json()["email"], response.json()["clicks"], response.json()["status"]) == (
        "john@company.com",
        0,
        "Scanner only",
    )


def test_delete_removes_the_link_and_its_clicks(api):
    """204; the prospect's clicks go with the link, others stay."""
    link = make_link(email="john@company.com")
    make_click(link)
    make_click(link, verdict="scanner")
    other = make_link(email="jane@company.com")
    make_click(other)

    response = api.delete(f"/api/links/{link.id}/")

    assert response.status_code == 204
    assert list(Link.objects.values_list("email", flat=True)) == ["jane@company.com"]
    assert list(Click.objects.values_list("link_id", flat=True)) == [other.id]


def test_deleting_an_unknown_link_answers_404(api):
    """Deleting twice is harmless: the second answers 404."""
    link = make_link()
    api.delete(f"/api/links/{link.id}/")

    assert api.delete(f"/api/links/{link.id}/").status_code == 404


def test_anonymous_users_cannot_delete(anonymous_api):
    """401 and the link stays."""
    link = make_link()

    assert anonymous_api.delete(f"/api/links/{link.id}/").status_code == 401
    assert Link.objects.count() == 1


def test_a_logged_in_operator_can_delete_from_the_dashboard(client, operator):
    """The dashboard's Delete button uses the session (with its CSRF token)."""
    link = make_link()
    client.force_login(operator)

    assert client.delete(f"/api/links/{link.id}/").status_code == 204
    assert Link.objects.count() == 0
