"""The links admin: the changelist with click counts and status, search, filters, edit, delete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from links.admin import LinkAdmin
from links.models import Campaign, Link
from tests.factories import make_click, make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/links/link/"


def listed(response):
    """The e-mails of the changelist's rows, in order."""
    assert response.status_code == 200
    return [row.email for row in response.context["cl"].result_list]


def test_the_changelist_shows_human_clicks_first_and_last_click_and_status(admin_client):
    """One row per link with its all-time human clicks; a scanner alone is "Scanner only"."""
    john = make_link(email="john@company.com", icp=None)
    make_click(john)
    make_click(john)
    make_click(john, verdict="scanner")
    scanned = make_link(email="scanned@company.com")
    make_click(scanned, verdict="scanner")

    response = admin_client.get(CHANGELIST)

    rows = {row.email: (row.click_count, row.status) for row in response.context["cl"].result_list}
    assert rows == {"john@company.com": (2, "Clicked"), "scanned@company.com": (0, "Scanner only")}
    page = response.content.decode()
    assert "Non défini" in page
    for header in ("Name", "Email", "ICP", "Campaign", "Human clicks", "First click", "Last click", "Status"):
        assert header in page


def test_the_click_columns_sort(admin_client):
    """Human clicks, first and last click are sortable columns (annotated in SQL)."""
    quiet = make_link(email="quiet@company.com")
    busy = make_link(email="busy@company.com")
    make_click(busy)
    make_click(busy)
    assert quiet

    column = LinkAdmin.list_display.index("human_clicks") + 1  # the action checkbox is column 0
    assert listed(admin_client.get(CHANGELIST, {"o": f"-{column}"})) == ["busy@company.com", "quiet@company.com"]
    assert listed(admin_client.get(CHANGELIST, {"o": f"{column}"})) == ["quiet@company.com", "busy@company.com"]


def test_search_finds_names_and_emails(admin_client):
    """The search box looks in first name, last name and e-mail."""
    make_link(email="john@company.com", first_name="John", last_name="Doe")
    make_link(email="jane@startup.io", first_name="Jane", last_name="Smith")

    assert listed(admin_client.get(CHANGELIST, {"q": "smith"})) == ["jane@startup.io"]
    assert listed(admin_client.get(CHANGELIST, {"q": "JOHN@"})) == ["john@company.com"]


def test_filters_by_campaign_icp_and_status(admin_client):
    """The sidebar filters: campaign, ICP (with Non défini), status."""
    clicked = make_link(email="ceo@aura.camp", icp="CEO", campaign="aura.camp")
    make_click(clicked)
    make_link(email="none@wesser.fr", icp=None, campaign="wesser-recrutement.fr")
    aura = Campaign.objects.get(name="aura.camp")

    assert listed(admin_client.get(CHANGELIST, {"campaign__id__exact": aura.id})) == ["ceo@aura.camp"]
    assert listed(admin_client.get(CHANGELIST, {"icp": "Non défini"})) == ["none@wesser.fr"]
    assert listed(admin_client.get(CHANGELIST, {"icp": "CEO"})) == ["ceo@aura.camp"]
    assert listed(admin_client.get(CHANGELIST, {"status": "Clicked"})) == ["ceo@aura.camp"]
    assert listed(admin_client.get(CHANGELIST, {"status": "Not clicked"})) == ["none@wesser.fr"]


def test_filter_by_creation_date(admin_client):
    """ "Created at: past 7 days" hides older links."""
    make_link(email="old@company.com", created_at=timezone.now() - timedelta(days=30))
    make_link(email="new@company.com")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = str(midnight - timedelta(days=7)), str(midnight + timedelta(days=1))  # as the filter's links

    response = admin_client.get(CHANGELIST, {"created_at__gte": since, "created_at__lt": until})

    assert listed(response) == ["new@company.com"]


def test_an_operator_edits_a_link_and_the_token_stays(admin_client):
    """The change form edits prospect fields; the token is read-only."""
    link = make_link(email="john@company.com", icp=None)

    response = admin_client.post(
        f"{CHANGELIST}{link.id}/change/",
        {
            "first_name": "Johnny",
            "last_name": "Doe",
            "email": "john@company.com",
            "icp": "CTO",
            "campaign": link.campaign_id,
            "destination_url": "https://example.com/offer",
            "channel": "email",
            "sent_at_0": "",
            "sent_at_1": "",
            "token": "stolen-token",
            # the read-only clicks inline's management form
            "clicks-TOTAL_FORMS": "0",
            "clicks-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    edited = Link.objects.get()
    assert (edited.first_name, edited.icp, edited.channel, edited.token) == ("Johnny", "CTO", "email", link.token)


def test_deleting_a_link_asks_for_confirmation_and_removes_its_clicks(admin_client):
    """Django's confirmation page, then the link and its clicks are gone."""
    link = make_link(email="john@company.com")
    make_click(link)

    confirmation = admin_client.get(f"{CHANGELIST}{link.id}/delete/")
    response = admin_client.post(f"{CHANGELIST}{link.id}/delete/", {"post": "yes"})

    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()
    assert response.status_code == 302
    assert (Link.objects.count(), Click.objects.count()) == (0, 0)


def test_the_bulk_delete_action_removes_links_and_clicks(admin_client):
    """ "Delete selected links" works on the annotated changelist."""
    first, second = make_link(email="a@company.com"), make_link(email="b@company.com")
    make_click(first)

    response = admin_client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [first.id, second.id],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert (Link.objects.count(), Click.objects.count()) == (0, 0)


def test_the_campaign_list_shows_links_sent(admin_client):
    """Campaigns with how many links each sent."""
    make_link(email="a@company.com", campaign="aura.camp")
    make_link(email="b@company.com", campaign="aura.camp")
    make_link(email="c@company.com", campaign="wesser-recrutement.fr")

    response = admin_client.get("/admin/links/campaign/")

    assert response.status_code == 200
    assert {c.name: c.links_sent for c in response.context["cl"].result_list} == {
        "aura.camp": 2,
        "wesser-recrutement.fr": 1,
    }


def test_the_admin_is_for_staff_only(client, operator):
    """A logged-in non-staff operator is sent to the admin login."""
    client.force_login(operator)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
