"""The links admin shows whether a link looks forwarded, with its evidence, and filters on it."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_click, make_link
from tracker.derivation import recount_click_figures

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def forwarded():
    link = make_link(email="ceo@acme.com")
    make_click(link, T0, ip="90.84.10.0", user_agent="phone")
    make_click(link, T0 + timedelta(hours=5), ip="85.214.132.0", user_agent="laptop")
    make_link(email="quiet@acme.com")
    recount_click_figures()
    return link


def test_the_changelist_filters_forwarded_links(admin_client, forwarded):
    """?shared__exact=1 keeps the forwarded link only."""
    response = admin_client.get("/admin/links/link/", {"shared__exact": "1"})
    assert [row.email for row in response.context["cl"].result_list] == ["ceo@acme.com"]


def test_the_change_page_shows_the_evidence_and_the_account(admin_client, forwarded):
    page = admin_client.get(f"/admin/links/link/{forwarded.pk}/change/").content.decode()
    assert "Looks forwarded: 2 device(s), 2 network(s), human clicks from 2026-11-24 09:00 to 2026-11-24 14:00." in page
    assert "acme.com" in page


FRENCH_BROWSER = "fr-FR,fr;q=0.9"


def test_a_french_operator_reads_the_links_admin_in_french(admin_client, forwarded):
    """Column headers, filters and the change form's labels follow the operator's language, like
    the rest of the admin (Django's own words are French already)."""
    changelist = admin_client.get("/admin/links/link/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER).content.decode()
    change_page = admin_client.get(
        f"/admin/links/link/{forwarded.pk}/change/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER
    ).content.decode()

    headers = ("Nom", "E-mail", "Campagne", "Clics humains", "Premier clic", "Dernier clic", "Statut")
    for header in (*headers, "Transféré ou partagé"):
        assert f">{header}</a>" in changelist, header
    assert 'data-filter-title="transféré ou partagé"' in changelist
    assert 'data-filter-title="statut"' in changelist
    for status in ("Cliqué", "Scanner seul", "Non cliqué"):
        assert f">{status}</a>" in changelist, status  # the status filter's choices
    for label in ("Prénom", "Nom", "E-mail", "URL de destination", "Canal", "Envoyé le", "Créé le", "Compte"):
        assert f">{label}\N{NO-BREAK SPACE}:</label>" in change_page, label
    assert ">Indices de transfert\N{NO-BREAK SPACE}:</label>" in change_page
    for name in ("Suivi des clics", "Alertes leads chauds", "Domaines de suivi", "Campagnes", "Modification de lien"):
        assert name in change_page, name  # the sidebar's apps and models, the page's title
    for header in ("Cliqué le", "Verdict", "Raison", "User agent", "Référent"):
        assert header in change_page, header  # the link's clicks, read-only
    assert "Humain" in change_page
