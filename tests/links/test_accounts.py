"""A prospect's account: the company's domain, or the prospect alone on a free-mail domain."""

import pytest

from links.accounts import account_of
from links.models import Link
from tests.factories import make_link


@pytest.mark.parametrize(
    ("email", "account"),
    [
        ("ceo@acme.com", "acme.com"),
        ("CTO@Acme.COM", "acme.com"),
        ("jane@sales.acme.co.uk", "sales.acme.co.uk"),
        ("john@gmail.com", "john@gmail.com"),
        ("jean.dupont@orange.fr", "jean.dupont@orange.fr"),
        ("marie@free.fr", "marie@free.fr"),
        ("paul@laposte.net", "paul@laposte.net"),
        ("Paul@Hotmail.FR", "paul@hotmail.fr"),  # hotmail.* matches every top-level domain
        ("lea@hotmail.co.uk", "lea@hotmail.co.uk"),
        ("sam@yahoo.fr", "sam@yahoo.fr"),
        ("ann@icloud.com", "ann@icloud.com"),
        ("bob@hotmailer.com", "hotmailer.com"),  # a prefix stops at the dot
        ("no-domain", "no-domain"),
    ],
)
def test_an_email_belongs_to_its_company_or_to_the_prospect_on_free_mail(email, account):
    assert account_of(email) == account


@pytest.mark.django_db
def test_clay_s_links_get_their_account(api):
    """POST /api/links/ (one or many) stores the account; the links list shows it."""
    response = api.post(
        "/api/links/",
        [
            {"email": "ceo@acme.com", "campaign": "q4", "destination_url": "https://example.com/"},
            {"email": "someone@gmail.com", "campaign": "q4", "destination_url": "https://example.com/"},
        ],
        format="json",
    )
    assert response.status_code == 201, response.content
    assert dict(Link.objects.values_list("email", "account")) == {
        "ceo@acme.com": "acme.com",
        "someone@gmail.com": "someone@gmail.com",
    }
    rows = api.get("/api/links/").json()["results"]
    assert sorted(row["account"] for row in rows) == ["acme.com", "someone@gmail.com"]


@pytest.mark.django_db
def test_editing_the_email_moves_the_link_to_its_new_account():
    link = make_link(email="ceo@acme.com")
    link.email = "ceo@globex.io"
    link.save()
    link.refresh_from_db()
    assert link.account == "globex.io"


@pytest.mark.django_db
def test_the_links_list_and_the_export_filter_by_account(api):
    """account=acme.com keeps acme's prospects; account=<e-mail> keeps a free-mail prospect."""
    make_link(email="ceo@acme.com", first_name="Ada")
    make_link(email="cto@acme.com", first_name="Bob")
    make_link(email="solo@gmail.com", first_name="Cy")
    rows = api.get("/api/links/?account=ACME.com").json()["results"]
    assert sorted(row["email"] for row in rows) == ["ceo@acme.com", "cto@acme.com"]
    rows = api.get("/api/links/?account=solo@gmail.com").json()["results"]
    assert [row["email"] for row in rows] == ["solo@gmail.com"]
    response = api.get("/api/export.csv?account=acme.com")
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == ["cto@acme.com", "ceo@acme.com"]
