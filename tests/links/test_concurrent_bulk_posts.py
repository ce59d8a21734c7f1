"""Clay re-runs a table while a previous run is still posting: the same prospects arrive in two
bulk POSTs at once, in different orders. Both succeed with the same links, on every database;
a deadlock, should one happen, is never answered as "database unreachable"."""

import threading

import pytest
from django.db import OperationalError, connection

from links.models import Campaign, Link
from linktracker.errors import database_unavailable

ROUNDS = 12
PROSPECTS = 300


def save_in_thread(rows, barrier, saved, errors):
    """What the API's bulk POST does once the rows are valid, from its own connection."""
    try:
        barrier.wait(timeout=30)
        saved.append(sorted(link.token for link, _ in Link.objects.save_prospects(rows)))
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_same_prospects_saved_twice_at_once_in_different_orders_both_succeed():
    """Rows are locked in one fixed order, so neither request deadlocks (before that order, 5
    rounds in 20 deadlocked on PostgreSQL); both get every link, the same ones."""
    for round_number in range(ROUNDS):
        campaign = f"round{round_number}.example"
        Campaign.objects.create(name=campaign)
        rows = [
            {"email": f"p{n}@acme.com", "campaign": campaign, "destination_url": "https://acme.com/demo"}
            for n in range(PROSPECTS)
        ]
        saved, errors, barrier = [], [], threading.Barrier(2)
        threads = [
            threading.Thread(target=save_in_thread, args=(ordered, barrier, saved, errors))
            for ordered in (rows, rows[::-1])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert len(saved) == 2 and saved[0] == saved[1]
        assert Link.objects.filter(campaign__name=campaign).count() == PROSPECTS


def test_a_deadlock_is_never_reported_as_a_database_outage():
    """A deadlock or a serialization failure is a lost race, not an unreachable database."""

    class Deadlock(Exception):
        sqlstate = "40P01"

    class SerializationFailure(Exception):
        sqlstate = "40001"

    class ConnectionRefused(Exception):
        sqlstate = "08006"

    def django_error(cause):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert database_unavailable(django_error(Deadlock("deadlock detected"))) is False
    assert database_unavailable(django_error(SerializationFailure("could not serialize"))) is False
    assert database_unavailable(django_error(ConnectionRefused("connection refused"))) is True
