"""POST /api/links/ with one prospect: what Clay sends and what it gets back."""

import datetime

import pytest

from links.models import Campaign, Link
from tests.factories import make_link

pytestmark = pytest.mark.django_db

URL = "/api/links/"


def clay_row(**overrides):
    row = {
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@company.com",
        "ICP": "CEO",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://wesser.fr/offre",
    }
    row.update(overrides)
    return row


def test_a_clay_post_creates_the_link_and_answers_its_tracking_url(api):
    """201 with the link in docs/API.md's shape, tracking_url at the top level."""
    response = api.post(URL, clay_row(), format="json")

    link = Link.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": link.id,
        "token": link.token,
        "tracking_url": f"http://testserver/t/{link.token}",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@company.com",
        "icp": "CEO",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://wesser.fr/offre",
        "channel": "",
        "sent_at": None,
        "created_at": link.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert (link.first_name, link.last_name, link.email, link.icp, link.campaign.name) == (
        "John",
        "Doe",
        "john@company.com",
        "CEO",
        "wesser-recrutement.fr",
    )


def test_the_tracking_url_uses_the_public_base_url_when_set(api, settings):
    """PUBLIC_BASE_URL wins over the request's host (Clay calls an internal address)."""
    settings.PUBLIC_BASE_URL = "https://go.example.com"

    response = api.post(URL, clay_row(), format="json")

    assert response.json()["tracking_url"] == f"https://go.example.com/t/{Link.objects.get().token}"


def test_the_token_is_random_and_url_safe(api):
    """Tokens are 11 URL-safe characters (64 random bits), different for each prospect."""
    first = api.post(URL, clay_row(), format="json").json()["token"]
    second = api.post(URL, clay_row(email="jane@company.com"), format="json").json()["token"]

    assert len(first) == 11 and len(second) == 11
    assert first != second
    assert all(c.isalnum() or c in "-_" for c in first + second)


def test_the_same_prospect_posted_again_answers_200_with_the_same_link(api):
    """Clay re-runs rows: the same (email, campaign, destination_url) never makes a duplicate."""
    first = api.post(URL, clay_row(), format="json")
    again = api.post(URL, clay_row(), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Link.objects.count() == 1


def test_a_repeat_updates_the_fields_it_gives_and_keeps_the_token(api):
    """An edited Clay row re-sent updates the prospect; empty fields leave what was stored."""
    token = api.post(URL, clay_row(channel="email"), format="json").json()["token"]

    response = api.post(
        URL,
        clay_row(
            first_name="Johnny",
            last_name="",
            ICP="CTO",
            channel=None,
            sent_at="2026-11-20T09:15:00Z",
        ),
        format="json",
    )

    assert response.status_code == 200
    link = Link.objects.get()
    assert link.token == token
    assert (link.first_name, link.last_name, link.icp, link.channel) == ("Johnny", "Doe", "CTO", "email")
    assert link.sent_at == datetime.datetime(2026, 11, 20, 9, 15, tzinfo=datetime.UTC)


def test_the_email_is_stripped_and_lower_cased_before_the_duplicate_check(api):
    """ " John@Company.COM " is the same prospect as "john@company.com"."""
    api.post(URL, clay_row(email="john@company.com"), format="json")

    response = api.post(URL, clay_row(email="  John@Company.COM "), format="json")

    assert response.status_code == 200
    assert list(Link.objects.values_list("email", flat=True)) == ["john@company.com"]


def test_the_same_email_in_another_campaign_or_to_another_page_is_another_link(api):
    """The prospect is keyed on (email, campaign, destination_url), not on the destination alone."""
    api.post(URL, clay_row(), format="json")
    other_campaign = api.post(URL, clay_row(campaign="aura.camp"), format="json")
    other_page = api.post(URL, clay_row(destination_url="https://wesser.fr/autre"), format="json")
    other_prospect = api.post(URL, clay_row(email="jane@company.com"), format="json")

    assert (other_campaign.status_code, other_page.status_code, other_prospect.status_code) == (201, 201, 201)
    assert Link.objects.count() == 4


@pytest.mark.parametrize("not_given", ["absent", "", "   ", None], ids=["missing key", "empty", "blank", "null"])
def test_a_clay_post_without_icp_is_stored_as_non_defini(api, not_given):
    """Clay sends an empty column as a missing key, "" or null: all store ICP NULL."""
    row = clay_row()
    if not_given == "absent":
        del row["ICP"]
    else:
        row["ICP"] = not_given

    response = api.post(URL, row, format="json")

    assert response.status_code == 201
    assert response.json()["icp"] is None
    link = Link.objects.get()
    assert link.icp is None
    assert link.icp_label == "Non défini"


@pytest.mark.parametrize("not_given", ["absent", "", None], ids=["missing key", "empty", "null"])
def test_optional_fields_not_given_are_stored_empty(api, not_given):
    """first_name, last_name, channel and sent_at are optional in all three of Clay's forms."""
    row = {
        "email": "john@company.com",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://wesser.fr/offre",
    }
    if not_given != "absent":
        row.update(first_name=not_given, last_name=not_given, channel=not_given, sent_at=not_given)

    response = api.post(URL, row, format="json")

    assert response.status_code == 201
    link = Link.objects.get()
    assert (link.first_name, link.last_name, link.channel, link.sent_at) == ("", "", "", None)


def test_icp_is_also_accepted_in_lower_case(api):
    """`icp` works as well as Clay's `ICP` column."""
    row = clay_row()
    del row["ICP"]
    row["icp"] = "VP Sales"

    api.post(URL, row, format="json")

    assert Link.objects.get().icp == "VP Sales"


def test_strings_are_stripped(api):
    """Spaces around a spreadsheet cell are not part of the value."""
    api.post(
        URL,
        clay_row(
            first_name="  John ",
            last_name=" Doe ",
            ICP=" CEO ",
            campaign=" aura.camp ",
            destination_url=" https://aura.camp/x ",
            channel=" linkedin ",
        ),
        format="json",
    )

    link = Link.objects.get()
    assert (link.first_name, link.last_name, link.icp, link.campaign.name, link.destination_url, link.channel) == (
        "John",
        "Doe",
        "CEO",
        "aura.camp",
        "https://aura.camp/x",
        "linkedin",
    )


def test_the_campaign_is_created_on_first_use_and_reused_after(api):
    """Campaigns are named by Clay; the first link of a campaign creates it."""
    make_link(campaign="aura.camp")

    api.post(URL, clay_row(campaign="aura.camp"), format="json")
    api.post(URL, clay_row(campaign="wesser-recrutement.fr"), format="json")

    assert sorted(Campaign.objects.values_list("name", flat=True)) == ["aura.camp", "wesser-recrutement.fr"]
    assert Link.objects.filter(campaign__name="aura.camp").count() == 2


def test_sent_at_and_channel_are_stored(api):
    """sent_at is ISO 8601 with any offset; it is stored as the same instant."""
    response = api.post(URL, clay_row(sent_at="2026-11-20T10:15:00+01:00", channel="linkedin"), format="json")

    assert response.json()["sent_at"] == "2026-11-20T09:15:00Z"
    assert response.json()["channel"] == "linkedin"
    assert Link.objects.get().sent_at == datetime.datetime(2026, 11, 20, 9, 15, tzinfo=datetime.UTC)


def test_an_odd_utc_offset_is_normalised_not_a_server_error(api):
    """An offset like -20:06 is a valid ISO 8601 time; PostgreSQL gets it in UTC."""
    response = api.post(URL, clay_row(sent_at="2026-11-20T10:00:00-20:06"), format="json")

    assert response.status_code == 201
    assert Link.objects.get().sent_at == datetime.datetime(2026, 11, 21, 6, 6, tzinfo=datetime.UTC)


def test_an_unknown_key_is_ignored(api):
    """Clay tables carry extra columns; they do not break the row."""
    response = api.post(URL, clay_row(company="ACME"), format="json")

    assert response.status_code == 201
