"""The admin's CSV import (Clay's columns, dry-run preview first) and export (the CSV columns)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from links.models import Campaign, Link
from links.resources import LinkImportResource
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/links/link/import/"
CONFIRM_URL = "/admin/links/link/process_import/"
EXPORT_URL = "/admin/links/link/export/"
CLAY_HEADER = "first_name,last_name,email,ICP,campaign,destination_url\r\n"
CSV_FORMAT = "0"  # the first of import-export's formats


def upload(admin_client, csv_text):
    """Upload a CSV to the import page: import-export answers with its dry-run preview."""
    return admin_client.post(
        IMPORT_URL,
        {
            "format": CSV_FORMAT,
            "import_file": SimpleUploadedFile("clay.csv", csv_text.encode("utf-8"), content_type="text/csv"),
        },
    )


def confirm(admin_client, preview):
    """Press "Confirm import" on the preview page."""
    form = preview.context["confirm_form"]
    return admin_client.post(CONFIRM_URL, {name: form.initial[name] for name in form.fields})


def test_an_import_is_previewed_before_anything_is_stored(admin_client):
    """The dry run lists each row as new, and stores nothing until confirmed."""
    preview = upload(
        admin_client,
        CLAY_HEADER
        + (
            "John,Doe,John@Company.com,CEO,wesser-recrutement.fr,https://wesser.fr/offre\r\n"
            "Jane,Smith,jane@startup.io,,aura.camp,https://aura.camp/demo\r\n"
        ),
    )

    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert "Confirm import" in preview.content.decode()
    assert (Link.objects.count(), Campaign.objects.count()) == (0, 0)


def test_a_confirmed_import_creates_links_campaigns_and_tokens(admin_client):
    """Campaigns are created on first use, e-mails normalised, empty ICP stored as NULL."""
    preview = upload(
        admin_client,
        CLAY_HEADER
        + (
            "John,Doe, John@Company.com ,CEO,wesser-recrutement.fr,https://wesser.fr/offre\r\n"
            "Jane,Smith,jane@startup.io,,aura.camp,https://aura.camp/demo\r\n"
        ),
    )

    response = confirm(admin_client, preview)

    assert response.status_code == 302
    rows = Link.objects.order_by("email").values_list("first_name", "email", "icp", "campaign__name", "destination_url")
    assert list(rows) == [
        ("Jane", "jane@startup.io", None, "aura.camp", "https://aura.camp/demo"),
        ("John", "john@company.com", "CEO", "wesser-recrutement.fr", "https://wesser.fr/offre"),
    ]
    tokens = list(Link.objects.values_list("token", flat=True))
    assert all(len(token) == 11 for token in tokens) and len(set(tokens)) == 2


def test_bad_rows_are_reported_and_nothing_is_imported(admin_client):
    """A bad e-mail or destination shows an error on its row; the import cannot go on."""
    preview = upload(
        admin_client,
        CLAY_HEADER
        + (
            "John,Doe,john@company.com,CEO,aura.camp,https://aura.camp/demo\r\n"
            "Bad,Mail,not-an-email,CEO,aura.camp,https://aura.camp/demo\r\n"
            "Bad,Url,bad-url@company.com,CEO,aura.camp,javascript:alert(1)\r\n"
            "No,Campaign,nc@company.com,CEO,,https://aura.camp/demo\r\n"
        ),
    )

    result = preview.context["result"]
    errors = {
        row.number: {field: [str(message) for message in messages] for field, messages in row.error_dict.items()}
        for row in result.invalid_rows
    }
    assert errors == {
        2: {"email": ["Enter a valid email address."]},
        3: {"destination_url": ["Enter an absolute http:// or https:// URL with a host."]},
        4: {"campaign": ["A campaign name is required."]},
    }
    page = preview.content.decode()
    assert "Enter a valid email address." in page and "Confirm import" not in page
    assert Link.objects.count() == 0


def test_importing_the_same_file_again_changes_nothing(admin_client):
    """Idempotent on (email, campaign, destination_url): a re-import skips known rows and
    keeps their tokens."""
    clay_csv = CLAY_HEADER + "John,Doe,john@company.com,CEO,aura.camp,https://aura.camp/demo\r\n"
    confirm(admin_client, upload(admin_client, clay_csv))
    token = Link.objects.get().token

    again = upload(admin_client, clay_csv)

    assert [row.import_type for row in again.context["result"].rows] == ["skip"]
    confirm(admin_client, again)
    assert list(Link.objects.values_list("token", flat=True)) == [token]


def test_a_reimport_updates_the_fields_it_fills(admin_client):
    """An edited row updates the link; an empty ICP cell keeps the stored ICP."""
    link = make_link(
        email="john@company.com",
        campaign="aura.camp",
        destination_url="https://aura.camp/demo",
        first_name="John",
        icp="CEO",
    )

    preview = upload(admin_client, CLAY_HEADER + "Johnny,Doe,john@company.com,,aura.camp,https://aura.camp/demo\r\n")
    assert [row.import_type for row in preview.context["result"].rows] == ["update"]
    confirm(admin_client, preview)

    link.refresh_from_db()
    assert (link.first_name, link.icp, Link.objects.count()) == ("Johnny", "CEO", 1)


def test_the_import_resource_reads_clays_columns():
    """The import columns are exactly what Clay's table produces."""
    assert [field.column_name for field in LinkImportResource().get_import_fields()] == [
        "first_name",
        "last_name",
        "email",
        "ICP",
        "campaign",
        "destination_url",
    ]


def test_the_admin_export_has_the_seeds_columns_and_neutralises_formulas(admin_client, settings):
    """The admin's CSV export uses the same resource as /api/export.csv."""
    settings.TIME_ZONE = "Europe/Paris"
    john = make_link(first_name="John", last_name="Doe", email="john@company.com", icp=None, campaign="aura.camp")
    make_click(john, clicked_at=datetime(2025, 11, 14, 9, 30, tzinfo=ZoneInfo("UTC")))
    make_link(
        first_name="=cmd|' /C calc'!A0", last_name="Hélène", email="evil@company.com", icp="CEO", campaign="aura.camp"
    )

    form = admin_client.get(EXPORT_URL).context["form"]
    response = admin_client.post(
        EXPORT_URL,
        {
            "format": CSV_FORMAT,
            "resource": "0",
            **{name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)},
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0].lstrip("\ufeff") == "First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,Last Click,Status"
    assert sorted(lines[1:]) == [
        "'=cmd|' /C calc'!A0,Hélène,evil@company.com,CEO,aura.camp,0,,,Not clicked",
        "John,Doe,john@company.com,,aura.camp,1,11/14/2025 10:30,11/14/2025 10:30,Clicked",
    ]
