"""The admin's import and export obey the model permissions; big imports are refused up front."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from links.models import Link

pytestmark = pytest.mark.django_db

CLAY_HEADER = "first_name,last_name,email,ICP,campaign,destination_url\r\n"


@pytest.fixture
def staff(client, django_user_model):
    """A staff account with exactly the link permissions a test gives it."""
    user = django_user_model.objects.create_user(username="staff", password="staff-pass-1", is_staff=True)

    def grant(*codenames):
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="links", codename__in=codenames))
        client.force_login(user)
        return client

    return grant


def test_without_permissions_there_is_no_import_or_export_page(staff):
    """A staff account with no link permission gets 403 on import and export."""
    client = staff()

    assert client.get("/admin/links/link/import/").status_code == 403
    assert client.get("/admin/links/link/export/").status_code == 403
    assert client.post("/admin/links/link/export/", {"format": "0"}).status_code == 403


def test_viewing_allows_export_but_not_import_and_hides_the_import_button(staff):
    """view_link: the export page and button, no import."""
    client = staff("view_link")

    page = client.get("/admin/links/link/").content.decode()

    assert client.get("/admin/links/link/export/").status_code == 200
    assert client.get("/admin/links/link/import/").status_code == 403
    assert "/admin/links/link/export/" in page and "/admin/links/link/import/" not in page


def test_import_needs_both_add_and_change(staff):
    """An import creates and updates links: add alone is not enough."""
    assert staff("view_link", "add_link").get("/admin/links/link/import/").status_code == 403
    assert staff("view_link", "add_link", "change_link").get("/admin/links/link/import/").status_code == 200


def test_an_import_over_the_row_limit_is_refused_before_any_row_is_processed(admin_client, settings):
    """More than ADMIN_IMPORT_MAX_ROWS rows: the form says so and nothing is stored."""
    settings.ADMIN_IMPORT_MAX_ROWS = 3
    rows = "".join(f"P,{n},p{n}@company.com,CEO,camp,https://w.fr/\r\n" for n in range(4))

    response = admin_client.post(
        "/admin/links/link/import/",
        {"format": "0", "import_file": SimpleUploadedFile("big.csv", (CLAY_HEADER + rows).encode(), "text/csv")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "This file has 4 rows; the admin imports at most 3 at a time. Split it, or send the rows to "
        "POST /api/links/ (up to 10,000 per request)."
    ]
    assert Link.objects.count() == 0


def test_the_default_limit_is_1000_rows():
    """The admin imports ~20 ms a row on a shared machine: 1,000 rows stay well inside a 30 s timeout."""
    from django.conf import settings as project_settings

    assert project_settings.ADMIN_IMPORT_MAX_ROWS == 1000
