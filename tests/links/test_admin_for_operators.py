"""The admin as an operator meets it: a campaign deleted in one go, spreadsheets from Excel and Clay
imported, the tracking URL to copy, the product's name."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from links.admin import LISTED_DELETIONS
from links.models import Campaign, Link
from tests.factories import make_campaign, make_click, make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/links/link/"
IMPORT_URL = "/admin/links/link/import/"
CONFIRM_URL = "/admin/links/link/process_import/"


def upload(admin_client, data: bytes, name="export.csv"):
    """Upload a file as CSV (the first format): import-export answers its dry-run preview."""
    return admin_client.post(
        IMPORT_URL, {"format": "0", "import_file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def import_file(admin_client, data: bytes):
    """Upload and confirm; return the preview page."""
    preview = upload(admin_client, data)
    assert preview.status_code == 200
    assert "Errors" not in preview.content.decode(), preview.content.decode()[-3000:]
    form = preview.context["confirm_form"]
    assert admin_client.post(CONFIRM_URL, {name: form.initial[name] for name in form.fields}).status_code == 302
    return preview


def stored_links():
    return list(
        Link.objects.order_by("email").values_list(
            "first_name", "last_name", "email", "icp", "campaign__name", "destination_url"
        )
    )


def test_selecting_all_ten_thousand_links_of_a_campaign_and_deleting_them_works(admin_client):
    """ "Select all 10,000", Delete, the confirmation page (counts, not 10,000 lines), Yes: all gone."""
    campaign = make_campaign("wesser-recrutement.fr")
    Link.objects.bulk_create(
        Link(email=f"p{index}@company.com", campaign=campaign, destination_url="https://wesser.fr/offre")
        for index in range(10_000)
    )
    make_click(Link.objects.first())
    first_page = list(Link.objects.values_list("pk", flat=True)[:100])

    confirmation = admin_client.post(
        CHANGELIST,
        {"action": "delete_selected", "select_across": "1", "index": "0", "_selected_action": first_page},
    )
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "10,000 links and their 1 clicks (too many to list one by one)" in page
    assert len(re.findall(r'name="_selected_action"', page)) == 10_000

    every_id = list(Link.objects.values_list("pk", flat=True))
    response = admin_client.post(CHANGELIST, {"action": "delete_selected", "post": "yes", "_selected_action": every_id})

    assert response.status_code == 302
    assert (Link.objects.count(), Click.objects.count()) == (0, 0)


def test_a_small_selection_still_lists_each_link_before_deleting(admin_client):
    links = [make_link(email=f"{index}@x.com", first_name="Anna") for index in range(3)]
    assert LISTED_DELETIONS >= 3

    confirmation = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [link.pk for link in links]}
    )

    assert confirmation.content.decode().count("Anna Doe (wesser-recrutement.fr)") == 3


def test_a_csv_saved_by_french_excel_imports_accents_intact(admin_client):
    """French Excel's "CSV (séparateur : point-virgule)": ; separator, Windows-1252."""
    data = (
        "first_name;last_name;email;ICP;campaign;destination_url\r\n"
        "Hélène;Français;helene@startup.fr;Chef d'Équipe;wesser-recrutement.fr;https://wesser.fr/offre\r\n"
    ).encode("cp1252")

    import_file(admin_client, data)

    assert stored_links() == [
        ("Hélène", "Français", "helene@startup.fr", "Chef d'Équipe", "wesser-recrutement.fr", "https://wesser.fr/offre")
    ]


def test_excels_csv_utf8_with_its_byte_order_mark_imports(admin_client):
    """Excel's "CSV UTF-8": a byte order mark before the first header, ; or , separated."""
    data = "\ufefffirst_name;last_name;email;ICP;campaign;destination_url\r\nZoë;Łukasz;zoe@x.pl;CTO;aura.camp;https://aura.camp/demo\r\n"

    import_file(admin_client, data.encode("utf-8"))

    assert stored_links() == [("Zoë", "Łukasz", "zoe@x.pl", "CTO", "aura.camp", "https://aura.camp/demo")]


def test_clays_own_export_headers_import(admin_client):
    """Clay's export: First Name, Last Name, Email, ICP, Campaign, Full URL (and extra columns ignored)."""
    data = (
        b"First Name,Last Name,Email,ICP,Campaign,Full URL,Company Domain\r\n"
        b"John,Doe,John@Company.com,ceo,aura.camp,https://aura.camp/demo,company.com\r\n"
        b"Jane,Roe,jane@company.com,CEO,aura.camp,https://aura.camp/demo,company.com\r\n"
        b"Jim,Poe,jim@company.com,CEO ,aura.camp,https://aura.camp/demo,company.com\r\n"
    )

    import_file(admin_client, data)

    assert stored_links() == [
        ("Jane", "Roe", "jane@company.com", "CEO", "aura.camp", "https://aura.camp/demo"),
        ("Jim", "Poe", "jim@company.com", "CEO", "aura.camp", "https://aura.camp/demo"),
        ("John", "Doe", "john@company.com", "CEO", "aura.camp", "https://aura.camp/demo"),
    ]


def test_a_file_that_is_not_text_gets_a_clear_message_not_a_traceback(admin_client):
    """Bytes that are neither UTF-8 nor Windows-1252 (an .xlsx renamed .csv...): one message on the form."""
    response = upload(admin_client, b"PK\x03\x04\x81\x8d\x8f\x90\x9d binary")
    page = response.content.decode()

    assert response.status_code == 200
    assert "This file is neither UTF-8 nor Windows-1252 text. In Excel, save it as &quot;CSV UTF-8&quot;" in page
    assert "Traceback" not in page
    assert not Link.objects.exists()


def test_a_row_without_email_and_a_bad_row_get_one_message_each(admin_client):
    """Per-row messages with the line number; nothing imported, no traceback."""
    data = (
        "First Name,Last Name,Email,ICP,Campaign,Full URL\r\n"
        "John,Doe,,CEO,aura.camp,https://aura.camp/demo\r\n"
        "Jane,Roe,jane@x.com,CEO," + "c" * 201 + ",https://aura.camp/demo\r\n"
        "Ann,Loe,ann@x.com,CEO,aura.camp,https://aura.camp/demo\r\n"
    ).encode()

    response = upload(admin_client, data)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Line number: 1 - An e-mail address is required." in page
    assert "Line number: 2 - A campaign name has at most 200 characters." in page
    assert "Traceback" not in page
    assert (Link.objects.count(), Campaign.objects.count()) == (0, 0)


def test_a_file_without_the_email_column_says_which_columns_are_missing(admin_client):
    response = upload(admin_client, b"Name,Company\r\nJohn,Acme\r\n")
    page = response.content.decode()

    assert response.status_code == 200
    assert (
        "This file has no email, campaign, destination_url column. Link Tracker needs email, campaign and destination_url (or Clay&#x27;s Email, Campaign and Full URL); the file&#x27;s columns are: Name, Company."
        in page
    )
    assert "Traceback" not in page


def test_the_change_page_shows_the_full_tracking_url_to_copy(admin_client, settings):
    settings.PUBLIC_BASE_URL = "https://go.example.com"
    link = make_link()

    page = admin_client.get(f"{CHANGELIST}{link.pk}/change/").content.decode()

    assert f"https://go.example.com/t/{link.token}" in page


def test_the_change_page_builds_the_tracking_url_from_the_host_without_public_base_url(admin_client):
    link = make_link()

    page = admin_client.get(f"{CHANGELIST}{link.pk}/change/").content.decode()

    assert f"http://testserver/t/{link.token}" in page


def test_an_icp_typed_in_the_change_form_takes_the_stored_spelling(admin_client):
    link = make_link(email="a@x.com", icp="Growth Manager")
    other = make_link(email="b@x.com", icp=None)
    data = {
        "first_name": "Bo",
        "last_name": "",
        "email": other.email,
        "icp": " growth  MANAGER ",
        "campaign": other.campaign_id,
        "destination_url": other.destination_url,
        "channel": "",
        "clicks-TOTAL_FORMS": "0",
        "clicks-INITIAL_FORMS": "0",
    }

    response = admin_client.post(f"{CHANGELIST}{other.pk}/change/", data)

    assert response.status_code == 302
    other.refresh_from_db()
    assert (link.icp, other.icp) == ("Growth Manager", "Growth Manager")


def test_click_rows_are_named_after_the_prospect(admin_client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    link = make_link(first_name="Hélène", last_name="Martin")
    click = make_click(link)

    page = admin_client.get("/admin/tracker/click/").content.decode()

    assert str(Click.objects.get()).startswith("Human click by Hélène Martin at ")
    assert "Hélène Martin" in page
    assert f"click on {link.pk}" not in page
    assert click.pk


def test_the_admin_carries_the_products_name_and_palette(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert "<title>Links, campaigns and clicks | Link Tracker admin</title>" in page
    assert "Link Tracker administration" in page
    assert "--header-bg: #6d0f2c;" in page
    assert "--primary: #b0264f;" in page
