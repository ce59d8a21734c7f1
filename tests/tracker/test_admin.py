"""The admin shows clicks read-only, with their verdict and reason, on their own page and on each link."""

import pytest

from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser(username="boss", password="s3cret-pass-phrase")
    client.force_login(admin_user)
    return client


def test_the_click_list_shows_verdict_and_reason(staff_client):
    """The operator sees why a click was not counted."""
    link = make_link(first_name="John", last_name="Doe")
    make_click(link, verdict="scanner", reason="network: Microsoft EOP 40.92.0.0/15", ip="40.92.12.0")
    response = staff_client.get("/admin/tracker/click/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "network: Microsoft EOP 40.92.0.0/15" in page
    assert "E-mail security scanner" in page
    assert "40.92.12.0" in page


def test_the_click_list_filters_by_verdict(staff_client):
    """?verdict=human lists only counted clicks."""
    link = make_link()
    make_click(link, verdict="human", reason="", user_agent="Human-Agent")
    make_click(link, verdict="preview", reason="ua: Slackbot", user_agent="Slackbot-Agent")
    page = staff_client.get("/admin/tracker/click/?verdict=human").content.decode()
    assert "Human-Agent" in page
    assert "Slackbot-Agent" not in page


def test_clicks_cannot_be_added_or_edited(staff_client):
    """Clicks are what happened: no add form, the change page is read-only."""
    click = make_click(make_link(), verdict="human")
    assert staff_client.get("/admin/tracker/click/add/").status_code == 403
    change_page = staff_client.get(f"/admin/tracker/click/{click.pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert staff_client.post(f"/admin/tracker/click/{click.pk}/change/", {"verdict": "bot"}).status_code == 403


def test_the_link_page_lists_its_clicks_read_only(staff_client):
    """Each link's admin page shows its clicks with verdict and reason, and no way to edit them."""
    link = make_link()
    make_click(link, verdict="preview", reason="ua: Slackbot")
    page = staff_client.get(f"/admin/links/link/{link.pk}/change/").content.decode()
    assert "ua: Slackbot" in page
    assert "Link preview" in page
    assert 'name="clicks-0-verdict"' not in page
    assert 'name="clicks-MAX_NUM_FORMS" value="0"' in page  # no "add another" row


def test_deleting_a_link_in_the_admin_deletes_its_clicks(staff_client):
    """Read-only clicks must not block the link's deletion."""
    link = make_link()
    make_click(link)
    response = staff_client.post(f"/admin/links/link/{link.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert link.clicks.count() == 0
