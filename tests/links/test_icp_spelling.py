"""ICP labels that differ only in case or spacing are one ICP everywhere, in their most common spelling."""

import importlib
import sqlite3

import pytest
from django.apps import apps

from links.icp import database_upper_forms, most_common_spellings, spellings_to_store
from links.models import Link
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

merge_icp_spellings = importlib.import_module("links.migrations.0007_icp_spelling").merge_icp_spellings


def prospect(email, icp):
    return {
        "email": email,
        "ICP": icp,
        "campaign": "aura.camp",
        "destination_url": "https://aura.camp/demo",
    }


def test_ceo_CEO_and_spaced_CEO_are_one_icp_in_the_api_and_the_csv(api):
    """Posted together, the most common spelling (CEO, twice) is stored for all three."""
    response = api.post(
        "/api/links",
        [prospect("a@x.com", "ceo"), prospect("b@x.com", "CEO"), prospect("c@x.com", " CEO ")],
        format="json",
    )
    assert response.status_code == 201
    assert [row["icp"] for row in response.json()] == ["CEO", "CEO", "CEO"]
    for link in Link.objects.all():
        make_click(link)

    assert api.get("/api/icp-stats").json() == [{"icp": "CEO", "click_count": 3}]
    csv_lines = b"".join(api.get("/api/export.csv").streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[3] for line in csv_lines] == ["ICP", "CEO", "CEO", "CEO"]


def test_a_new_spelling_of_a_stored_icp_takes_the_stored_spelling(api):
    """The ICP already on the charts keeps its label: a later "vp  SALES" joins "VP Sales"."""
    make_link(email="old@x.com", icp="VP Sales")

    response = api.post("/api/links/", prospect("new@x.com", "  vp  SALES "), format="json")

    assert response.json()["icp"] == "VP Sales"
    assert sorted(Link.objects.values_list("icp", flat=True)) == ["VP Sales", "VP Sales"]


def test_a_resent_prospect_with_another_spelling_is_unchanged(api):
    """Clay re-running a row with "ceo" where "CEO" is stored: 200, nothing to update."""
    api.post("/api/links/", prospect("a@x.com", "CEO"), format="json")

    response = api.post("/api/links/", prospect("a@x.com", "ceo"), format="json")

    assert response.status_code == 200
    assert Link.objects.get().icp == "CEO"


def test_accented_labels_match_whatever_their_case():
    """Case-insensitive in Python (casefold), so accented labels match on SQLite too."""
    assert spellings_to_store(["CHEF D'ÉQUIPE"], {"Chef d'Équipe": 4}) == {"CHEF D'ÉQUIPE": "Chef d'Équipe"}


def test_ties_go_to_the_spelling_that_sorts_first():
    assert most_common_spellings({"ceo": 2, "CEO": 2, "Cto": 1}) == {"ceo": "CEO", "CEO": "CEO", "Cto": "Cto"}


def test_the_data_migration_merges_stored_variants_into_the_most_common_spelling():
    """Existing rows: 2 x "Growth Manager", 1 x "growth manager", 1 x " Growth  Manager" -> one ICP."""
    for index, label in enumerate(["Growth Manager", "Growth Manager", "growth manager", " Growth  Manager", "CMO"]):
        make_link(email=f"{index}@x.com", icp=label)
    make_link(email="none@x.com", icp=None)

    merge_icp_spellings(apps, None)

    assert sorted(map(str, Link.objects.values_list("icp", flat=True))) == [
        "CMO",
        "Growth Manager",
        "Growth Manager",
        "Growth Manager",
        "Growth Manager",
        "None",
    ]


@pytest.mark.parametrize(
    ("stored", "posted"),
    [
        ("Président", "président"),
        ("Président", "PRÉSIDENT"),
        ("Directeur Général", "directeur général"),
        ("DIRECTEUR GÉNÉRAL", "Directeur général"),
        ("Chef d'Équipe", "chef d'équipe"),
    ],
)
def test_a_new_spelling_of_a_stored_accented_icp_takes_the_stored_spelling(api, stored, posted):
    """French ICPs carry accents, and SQLite's UPPER() folds ASCII letters only: the stored spelling
    is found whatever the case of its accented letters, on both databases."""
    make_link(email="old@x.com", icp=stored)

    response = api.post("/api/links/", prospect("new@x.com", posted), format="json")

    assert response.json()["icp"] == stored
    assert api.get("/api/icp-stats").json() == []  # no click yet; then one ICP, not two
    for link in Link.objects.all():
        make_click(link)
    assert api.get("/api/icp-stats").json() == [{"icp": stored, "click_count": 2}]


@pytest.mark.parametrize(
    ("stored", "posted"),
    [("Président", "PRÉSIDENT"), ("Directeur Général", "DIRECTEUR GÉNÉRAL"), ("Chef d'équipe", "chef D'ÉQUIPE")],
)
def test_the_lookup_forms_include_what_sqlite_and_postgresql_make_of_the_stored_spelling(stored, posted):
    """SQLite's own UPPER() of the stored spelling (ASCII letters only), and a full capitalisation
    (PostgreSQL under a UTF-8 locale), are both among the forms looked up for another spelling."""
    with sqlite3.connect(":memory:") as database:
        sqlite_upper = database.execute("SELECT upper(?)", [stored]).fetchone()[0]
    assert sqlite_upper != stored.upper()  # the case this is about
    assert {sqlite_upper, stored.upper()} <= set(database_upper_forms(posted))
    assert database_upper_forms("  vp  SALES ") == ["VP SALES"]


def test_a_database_with_accented_spellings_stored_apart_gets_them_merged():
    """Before the lookup knew SQLite's UPPER(), "président" could be stored beside "Président"."""
    merge_accented = importlib.import_module("links.migrations.0012_merge_accented_icp_spellings")
    for index, label in enumerate(["Président", "Président", "président", "DIRECTEUR GÉNÉRAL", "Directeur Général"]):
        make_link(email=f"{index}@x.com", icp=label)

    merge_accented.merge_icp_spellings(apps, None)

    assert sorted(Link.objects.values_list("icp", flat=True)) == [
        "DIRECTEUR GÉNÉRAL",
        "DIRECTEUR GÉNÉRAL",
        "Président",
        "Président",
        "Président",
    ]
    operations = merge_accented.Migration.operations
    assert [operation.code for operation in operations] == [merge_accented.merge_icp_spellings]
