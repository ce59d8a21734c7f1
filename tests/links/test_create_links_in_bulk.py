"""POST /api/links/ with a JSON list: many prospects in one request, all or nothing."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from links.models import Campaign, Link, LinkQuerySet
from links.serializers import MAX_LINKS_PER_REQUEST
from tests.factories import make_link

pytestmark = pytest.mark.django_db

URL = "/api/links/"


def prospect(number, campaign="aura.camp", **overrides):
    row = {
        "first_name": f"First{number}",
        "last_name": f"Last{number}",
        "email": f"p{number}@company.com",
        "ICP": "CEO",
        "campaign": campaign,
        "destination_url": "https://aura.camp/demo",
    }
    row.update(overrides)
    return row


def test_a_list_creates_every_link_and_answers_them_in_the_order_sent(api):
    """201 and one link per item, in the request's order."""
    response = api.post(URL, [prospect(1), prospect(2, campaign="wesser-recrutement.fr"), prospect(3)], format="json")

    assert response.status_code == 201
    body = response.json()
    assert [item["email"] for item in body] == ["p1@company.com", "p2@company.com", "p3@company.com"]
    assert [item["campaign"] for item in body] == ["aura.camp", "wesser-recrutement.fr", "aura.camp"]
    assert [item["token"] for item in body] == [Link.objects.get(email=f"p{n}@company.com").token for n in (1, 2, 3)]
    assert all(item["tracking_url"] == f"http://testserver/t/{item['token']}" for item in body)
    assert Link.objects.count() == 3
    assert sorted(Campaign.objects.values_list("name", flat=True)) == ["aura.camp", "wesser-recrutement.fr"]


def test_a_list_of_known_prospects_answers_200_with_their_links(api):
    """Nothing new: 200, the existing tokens, no duplicate."""
    existing = make_link(email="p1@company.com", campaign="aura.camp", destination_url="https://aura.camp/demo")

    response = api.post(URL, [prospect(1)], format="json")

    assert response.status_code == 200
    assert [item["token"] for item in response.json()] == [existing.token]
    assert Link.objects.count() == 1


def test_a_list_mixing_new_and_known_prospects_answers_201(api):
    """201 if any link was new; the known one keeps its token and gets the fields given."""
    existing = make_link(
        email="p1@company.com", campaign="aura.camp", destination_url="https://aura.camp/demo", icp=None
    )

    response = api.post(URL, [prospect(1, ICP="CTO"), prospect(2)], format="json")

    assert response.status_code == 201
    assert [item["token"] for item in response.json()][0] == existing.token
    existing.refresh_from_db()
    assert (existing.icp, existing.first_name) == ("CTO", "First1")
    assert Link.objects.count() == 2


def test_the_same_prospect_twice_in_one_list_is_one_link(api):
    """Duplicates inside a list collapse to one link; the later values win."""
    response = api.post(URL, [prospect(1), prospect(1, email=" P1@Company.com", ICP="CTO")], format="json")

    assert response.status_code == 201
    first, second = response.json()
    assert first["token"] == second["token"]
    assert Link.objects.get().icp == "CTO"


def test_one_bad_item_refuses_the_whole_list(api):
    """All or nothing: errors per item, {} for good items, nothing stored."""
    response = api.post(
        URL, [prospect(1), prospect(2, email="not-an-email"), prospect(3, destination_url="ftp://x.org")], format="json"
    )

    assert response.status_code == 400
    assert response.json() == [
        {},
        {"email": ["Enter a valid email address."]},
        {"destination_url": ["Enter an absolute http:// or https:// URL with a host."]},
    ]
    assert Link.objects.count() == 0
    assert Campaign.objects.count() == 0


def test_an_item_that_is_not_an_object_is_refused(api):
    """Each item of a list is a prospect object."""
    response = api.post(URL, [prospect(1), "p2@company.com", 3], format="json")

    assert response.status_code == 400
    assert response.json() == [
        {},
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]},
    ]
    assert Link.objects.count() == 0


def test_an_empty_list_is_refused(api):
    """An empty list is a mistake in the caller, not a no-op."""
    response = api.post(URL, [], format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send at least one link."]}


def test_a_list_over_ten_thousand_items_is_refused_saying_so(api):
    """10,000 links per request at most; the message says how to fix it."""
    response = api.post(URL, [prospect(n) for n in range(MAX_LINKS_PER_REQUEST + 1)], format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send at most 10000 links per request; split the list."]}
    assert Link.objects.count() == 0


def test_a_failure_while_saving_stores_nothing(api, monkeypatch):
    """If the database refuses part of the batch, none of it is kept (one transaction)."""

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(LinkQuerySet, "bulk_update", refuse)
    make_link(email="p1@company.com", campaign="aura.camp", destination_url="https://aura.camp/demo", icp=None)

    with pytest.raises(IntegrityError):
        api.post(URL, [prospect(2, campaign="new.camp"), prospect(1)], format="json")

    assert list(Link.objects.values_list("email", flat=True)) == ["p1@company.com"]
    assert list(Campaign.objects.values_list("name", flat=True)) == ["aura.camp"]


def test_a_prospect_inserted_by_a_concurrent_request_is_found_on_retry(api, monkeypatch):
    """Two Clay retries racing: the loser looked before the winner committed, so its insert hits
    the unique constraint; the batch is retried in a savepoint and answers the winner's link."""
    winner = make_link(email="p1@company.com", campaign="aura.camp", destination_url="https://aura.camp/demo")
    real_lookup = LinkQuerySet._existing_links
    lookups = []

    def lookup_that_first_misses_the_winner(queryset, *args):
        lookups.append(args)
        return {} if len(lookups) == 1 else real_lookup(queryset, *args)

    monkeypatch.setattr(LinkQuerySet, "_existing_links", lookup_that_first_misses_the_winner)

    response = api.post(URL, prospect(1), format="json")

    assert response.status_code == 200
    assert response.json()["token"] == winner.token
    assert len(lookups) == 2
    assert Link.objects.count() == 1


def test_a_list_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    """Bulk lookups and inserts, never one query per row (SQLite batches inserts by 999
    parameters, hence the margin for 300 rows)."""
    make_link(email="p0@company.com", campaign="aura.camp", destination_url="https://aura.camp/demo")

    with django_assert_max_num_queries(20):
        response = api.post(URL, [prospect(n, ICP="CTO") for n in range(300)], format="json")

    assert response.status_code == 201
    assert Link.objects.count() == 300


def test_ten_thousand_links_are_created_in_one_request_by_batched_statements(api):
    """Clay pushes whole tables: 10,000 rows in one request are all created, each with its own
    token, by statements that take many rows at a time (about 45 on SQLite, whose statements take
    999 parameters at most; all of them on PostgreSQL), never one per row. How long it takes is the
    benchmark's figure (bench/ingest.py), not a test's: a timed test fails on a slow machine and
    proves nothing on a fast one."""
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, [prospect(n) for n in range(MAX_LINKS_PER_REQUEST)], format="json")

    assert response.status_code == 201
    assert Link.objects.count() == MAX_LINKS_PER_REQUEST
    assert len({item["token"] for item in response.json()}) == MAX_LINKS_PER_REQUEST
    assert len(queries) < MAX_LINKS_PER_REQUEST / 20, f"{len(queries)} statements"
