"""Pages follow the browser's language: French for a French browser, English otherwise; the
prospect's 404 on an unknown link too. The API's and the CSV's fixed words never change."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import translation

from linktracker.errors import server_error
from tests.factories import make_link
from tests.tracker.test_wsgi_fast_path import serve
from tests.tracker.user_agents import CHROME
from tracker.models import Click
from tracker.prospect_pages import not_found_page, prospect_language

pytestmark = pytest.mark.django_db

FRENCH_BROWSER = "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"
ENGLISH_BROWSER = "en-US,en;q=0.9"


def test_the_login_page_speaks_french_to_a_french_browser(client):
    """Accept-Language fr-FR: the login form, its labels and the html lang are French."""
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    text = response.content.decode()
    assert '<html lang="fr">' in text
    assert "<h1>Connexion</h1>" in text
    assert '<label for="id_username">Nom d’utilisateur</label>' in text
    assert '<label for="id_password">Mot de passe</label>' in text
    assert "Connectez-vous pour voir qui a cliqué sur vos liens de prospection." in text


def test_the_login_page_speaks_english_to_an_english_browser(client):
    """Accept-Language en-US: English."""
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "<h1>Log in</h1>" in text


def test_a_wrong_password_is_explained_in_french(client, operator):
    """The login error follows the language too."""
    response = client.post(
        "/accounts/login/", {"username": "operator", "password": "nope"}, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER
    )
    assert "Nom d’utilisateur ou mot de passe incorrect. Veuillez réessayer." in response.content.decode()


def test_without_accept_language_the_page_uses_language_code(client, settings):
    """No header: LANGUAGE_CODE decides (English by default, French when set to fr)."""
    assert "<h1>Log in</h1>" in client.get("/accounts/login/").content.decode()
    settings.LANGUAGE_CODE = "fr"
    assert "<h1>Connexion</h1>" in Client().get("/accounts/login/").content.decode()


def test_the_language_switch_keeps_french_for_the_next_pages(client):
    """The switch posts to set_language: the choice beats the browser's header from then on."""
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert "<h1>Connexion</h1>" in page.content.decode()


def test_a_page_that_does_not_exist_says_so_in_french(client):
    """Django's 404 page for a French browser: a page, not a tracking link, is missing."""
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 404
    text = response.content.decode()
    assert '<html lang="fr">' in text
    assert "<h1>Page introuvable</h1>" in text
    assert '<a href="/">Page d’accueil</a>' in text


def test_the_server_error_and_outage_pages_speak_french(rf):
    """With French active (LocaleMiddleware ran), the 503 and 500 pages are French."""
    with translation.override("fr"):
        try:
            raise OperationalError("database is down")
        except OperationalError:
            outage = server_error(rf.get("/dashboard/"))
        try:
            raise ValueError("a bug")
        except ValueError:
            bug = server_error(rf.get("/dashboard/"))
    assert outage.status_code == 503
    assert "<h1>Base de données indisponible</h1>" in outage.content.decode()
    assert "<p>Veuillez réessayer dans un instant.</p>" in outage.content.decode()
    assert bug.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in bug.content.decode()
    assert '<html lang="fr">' in bug.content.decode()


def test_a_prospect_on_a_deleted_link_reads_the_404_in_french(client):
    """A prospect whose browser asks for French gets "Lien introuvable"; nothing is recorded."""
    response = client.get("/t/doesNotExist1", HTTP_USER_AGENT=CHROME, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER)
    assert response.status_code == 404
    text = response.content.decode()
    assert '<html lang="fr">' in text
    assert "<h1>Lien introuvable</h1>" in text
    assert "<p>Ce lien n’existe pas ou n’est plus actif.</p>" in text
    assert Click.objects.count() == 0


def test_the_fast_path_answers_a_french_prospect_in_french():
    """gunicorn's WSGI fast path serves the same French page."""
    status, headers, body = serve("/t/doesNotExist1", HTTP_USER_AGENT=CHROME, HTTP_ACCEPT_LANGUAGE="fr")
    assert (status, body) == ("404 Not Found", not_found_page("fr").encode())
    assert "<h1>Lien introuvable</h1>" in body.decode()
    assert headers["Content-Length"] == str(len(body))


def test_a_prospect_without_a_known_language_gets_the_default():
    """German or no header: LANGUAGE_CODE (English by default)."""
    assert prospect_language("de-DE,de;q=0.9") == "en"
    assert prospect_language("") == "en"
    assert prospect_language("de-DE,fr;q=0.5") == "fr"
    assert prospect_language("en;q=0.4,fr-CA;q=0.8") == "fr"
    assert "<h1>Link not found</h1>" in not_found_page("de")


def test_the_api_and_the_csv_keep_their_words_for_a_french_browser(api):
    """JSON keys, "Non défini", the CSV header and statuses are the same in every language."""
    make_link(email="paul@industrie.fr", icp=None, campaign="aura.camp")
    stats = api.get("/api/stats/icp-metrics/", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER).json()
    assert stats[0]["icp"] == "Non défini"
    csv = b"".join(api.get("/api/export.csv", HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER).streaming_content)
    lines = csv.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,Last Click,Status"
    assert lines[1].endswith(",aura.camp,0,,,Not clicked")
