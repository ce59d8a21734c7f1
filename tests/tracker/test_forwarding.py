"""The forwarded-link rule: several devices or networks, hours apart, is another person."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.factories import make_click, make_link
from tracker.derivation import recount_click_figures
from tracker.forwarding import forwarded_sql

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SharingEvidence:
    devices: int
    networks: int
    first_click_at: datetime | None
    last_click_at: datetime | None


def looks_forwarded(evidence):
    """tracker.forwarding's rule, judged by the database on these values as the worker's UPDATE
    judges a link's stored evidence."""
    time = "CAST(%({})s AS timestamptz)" if connection.vendor == "postgresql" else "%({})s"
    rule = forwarded_sql(time.format("first"), time.format("last"), "%(devices)s", "%(networks)s")
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rule}",
            {
                "first": adapt(evidence.first_click_at),
                "last": adapt(evidence.last_click_at),
                "devices": evidence.devices,
                "networks": evidence.networks,
            },
        )
        return bool(cursor.fetchone()[0])


def evidence(devices, networks, hours_apart):
    return SharingEvidence(devices, networks, T0, T0 + timedelta(hours=hours_apart))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("devices", "networks", "hours_apart", "forwarded"),
    [
        (1, 1, 48, False),  # one person coming back days later
        (2, 1, 1, True),  # a colleague on the same office network, an hour later
        (1, 2, 3, True),  # the same browser version on two networks: another person or a trip
        (2, 2, 0.99, False),  # phone and laptop within the hour: one person, or a scanner burst
        (3, 3, 0, False),  # a burst from everywhere at once is not a forward
        (2, 2, 24, True),
    ],
)
def test_several_devices_or_networks_hours_apart_look_forwarded(devices, networks, hours_apart, forwarded):
    """Defaults: 2 devices or 2 networks, at least 1 hour between the first and last human click."""
    assert looks_forwarded(evidence(devices, networks, hours_apart)) is forwarded


@pytest.mark.django_db
def test_a_link_without_human_click_is_not_forwarded():
    assert looks_forwarded(SharingEvidence(0, 0, None, None)) is False


@pytest.mark.django_db
def test_the_thresholds_come_from_the_settings(settings):
    """SHARED_MIN_DEVICES=3, SHARED_MIN_NETWORKS=3, SHARED_MIN_HOURS_APART=24."""
    settings.SHARED_MIN_DEVICES = 3
    settings.SHARED_MIN_NETWORKS = 3
    settings.SHARED_MIN_HOURS_APART = 24
    assert looks_forwarded(evidence(2, 2, 48)) is False
    assert looks_forwarded(evidence(3, 1, 23)) is False
    assert looks_forwarded(evidence(3, 1, 24)) is True


@pytest.mark.django_db
def test_the_evidence_is_stored_on_the_link_from_its_human_clicks_only():
    """Machine clicks neither add devices nor networks, and the clicks keep their verdicts."""
    link = make_link()
    make_click(link, T0, ip="90.84.10.0", user_agent="phone")
    make_click(link, T0 + timedelta(hours=5), ip="85.214.132.0", user_agent="laptop")
    make_click(link, T0 + timedelta(hours=9), verdict="scanner", ip="40.94.1.0", user_agent="scanner")
    quiet = make_link(email="quiet@company.com")

    assert recount_click_figures() == 2

    link.refresh_from_db()
    assert (
        link.shared,
        link.shared_devices,
        link.shared_networks,
        link.shared_first_click_at,
        link.shared_last_click_at,
    ) == (True, 2, 2, T0, T0 + timedelta(hours=5))
    quiet.refresh_from_db()
    assert (quiet.shared, quiet.shared_devices, quiet.shared_networks, quiet.shared_first_click_at) == (
        False,
        0,
        0,
        None,
    )
    assert sorted(link.clicks.values_list("verdict", flat=True)) == ["human", "human", "scanner"]


@pytest.mark.django_db
def test_saving_a_link_in_the_admin_keeps_the_worker_s_evidence():
    """Link.save() never writes the sharing fields of an existing row."""
    link = make_link()
    make_click(link, T0, ip="90.84.10.0", user_agent="phone")
    make_click(link, T0 + timedelta(hours=5), ip="85.214.132.0", user_agent="laptop")
    stale = type(link).objects.get(pk=link.pk)
    recount_click_figures()
    stale.first_name = "Johnny"
    stale.save()
    link.refresh_from_db()
    assert (link.first_name, link.shared, link.shared_devices) == ("Johnny", True, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_at", "apart"),
    [
        (T0, timedelta(hours=1)),  # exactly the threshold: forwarded
        (T0, timedelta(hours=1) - timedelta(microseconds=1)),  # a microsecond short: not
        (T0 + timedelta(microseconds=999_999), timedelta(hours=1)),  # a fraction that must not round
        (T0 + timedelta(microseconds=999_999), timedelta(hours=1) - timedelta(microseconds=1)),
        (T0 + timedelta(microseconds=500_000), timedelta(hours=1, microseconds=500_000)),  # lands on a whole second
        (T0, timedelta(days=3)),
    ],
)
def test_a_pass_judges_added_clicks_as_the_rule_does(first_at, apart):
    """The worker adds new clicks to the stored evidence and judges it in SQL (tracker.counters):
    to the microsecond, the same verdict as looks_forwarded() and as a recount from the clicks."""
    link = make_link()
    make_click(link, first_at, ip="90.84.10.0", user_agent="phone")  # each make_click runs a pass
    make_click(link, first_at + apart, ip="85.214.132.0", user_agent="laptop")
    expected = looks_forwarded(SharingEvidence(2, 2, first_at, first_at + apart))

    link.refresh_from_db()
    by_pass = (link.shared, link.shared_devices, link.shared_first_click_at, link.shared_last_click_at)
    recount_click_figures()
    link.refresh_from_db()
    by_recount = (link.shared, link.shared_devices, link.shared_first_click_at, link.shared_last_click_at)

    assert by_pass == by_recount == (expected, 2, first_at, first_at + apart)
    assert expected is (apart >= timedelta(hours=1))


@pytest.mark.django_db
def test_a_pass_applies_the_thresholds_of_the_settings(settings):
    """SHARED_MIN_* are read when the pass writes: three devices a day apart under 3 and 24."""
    settings.SHARED_MIN_DEVICES = 3
    settings.SHARED_MIN_NETWORKS = 3
    settings.SHARED_MIN_HOURS_APART = 24
    link = make_link()
    make_click(link, T0, ip="90.84.10.0", user_agent="phone")
    make_click(link, T0 + timedelta(hours=23), ip="90.84.10.0", user_agent="laptop")
    make_click(link, T0 + timedelta(hours=23, minutes=30), ip="90.84.10.0", user_agent="tablet")
    link.refresh_from_db()
    assert (link.shared, link.shared_devices, link.shared_networks) == (False, 3, 1)

    make_click(link, T0 + timedelta(hours=24), ip="90.84.10.0", user_agent="tablet")
    link.refresh_from_db()
    assert (link.shared, link.shared_devices, link.shared_networks) == (True, 3, 1)
