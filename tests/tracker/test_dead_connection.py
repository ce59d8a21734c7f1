"""A persistent connection that died (database restart) costs no click: the redirect reconnects."""

import pytest
from django.db import connection

from tests.factories import make_link
from tests.tracker.user_agents import CHROME
from tracker.models import Click


@pytest.mark.django_db(transaction=True)
def test_a_dead_reused_connection_is_replaced_and_the_click_recorded(client):
    """The redirect skips the per-request health-check ping and retries its read once instead."""
    link = make_link(destination_url="https://wesser.fr/offre")
    connection.connection.close()  # the database side went away; Django still holds the handle
    response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert response["Location"] == "https://wesser.fr/offre"
    assert list(Click.objects.values_list("link_id", "verdict")) == [(link.id, "human")]


@pytest.mark.django_db(transaction=True)
def test_the_health_check_ping_is_not_run_on_the_redirect(client, settings, django_assert_num_queries):
    """With CONN_HEALTH_CHECKS on, a click is still the SELECT and the INSERT, nothing more."""
    link = make_link()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.health_check_enabled = True
    connection.health_check_done = False
    pings = []
    original_is_usable = connection.is_usable
    connection.is_usable = lambda: pings.append(1) or original_is_usable()
    try:
        with django_assert_num_queries(2):
            client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    finally:
        del connection.is_usable
    assert pings == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_dies_after_a_click_is_replaced_at_the_next_request(client):
    """On SQLite a click leaves its connection with a busy timeout of 0, which the next request
    gives back first: on a dead connection that becomes a new connection, not an error."""
    link = make_link()
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    connection.connection.close()
    assert client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME).status_code == 302
    assert Click.objects.count() == 2
