"""Each link's click counters, derived from the clicks by the worker's pass (tracker.derivation):
after a pass, every way a click appears, changes or goes away leaves them equal to a recount of
the clicks. make_click runs that pass after each click, as a running worker would."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.core.management import call_command
from django.db import connection

from links.models import CLICK_COUNTERS, Link
from tests.factories import make_click, make_link
from tests.tracker.user_agents import CHROME, SLACKBOT
from tracker.client_ip import parse_ip
from tracker.derivation import derive_click_figures, mark_figures_stale, recount_click_figures
from tracker.models import Click, LinkCountryCount, LinkDeviceCount
from tracker.recording import click_facts, record_click

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def delete_in_the_admin(clicks):
    admin.site._registry[Click].delete_queryset(None, clicks)


def counters(link):
    return Link.objects.values_list(*CLICK_COUNTERS).get(pk=link.pk)


def recounted(link):
    """The same counters after a full recount from the clicks table."""
    recount_click_figures()
    return counters(link)


def test_a_new_link_has_no_clicks():
    """Zero clicks and no first or last click."""
    assert counters(make_link()) == (0, 0, None, None, None, None)


def test_a_redirect_writes_only_its_click_and_the_next_pass_counts_it(client):
    """GET /t/<token> leaves the link's row alone; the worker's next pass counts the click, times
    included."""
    link = make_link()
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert counters(link) == (0, 0, None, None, None, None)
    assert derive_click_figures() == 1
    clicked_at = Click.objects.get().clicked_at
    assert counters(link) == (1, 0, clicked_at, clicked_at, clicked_at, clicked_at)


def test_a_pass_that_counted_before_another_pass_wrote_writes_nothing(monkeypatch):
    """A pass counts without any lock, then writes only if no pass wrote since it read: the other
    pass's figures, counted later, are kept, and every click is derived once."""
    import tracker.derivation

    link = make_link()
    store_click(link, MONDAY, "human")
    count_figures = tracker.derivation.count_figures
    other_pass = []

    def another_pass_writes_first(*args):
        counted = count_figures(*args)
        if not other_pass:
            other_pass.append(True)
            store_click(link, MONDAY + timedelta(hours=1), "scanner")
            assert derive_click_figures() == 2  # the other worker: both clicks
        return counted

    monkeypatch.setattr(tracker.derivation, "count_figures", another_pass_writes_first)
    assert derive_click_figures() == 0  # it counted one click: older than what was written
    assert counters(link) == (1, 1, MONDAY, MONDAY, MONDAY, MONDAY + timedelta(hours=1))
    assert derive_click_figures() == 0  # nothing left


def store_click(link, clicked_at, verdict):
    """A click stored as the redirect stores it, not derived yet."""
    facts = click_facts(ip=None, user_agent=CHROME, referer="", sent_at=None, clicked_at=clicked_at)
    record_click(link.pk, facts, known_verdict=(verdict, ""))


def test_human_and_machine_clicks_are_counted_apart_with_first_and_last_times():
    """Machine clicks count apart and only move the any-verdict first/last times."""
    link = make_link()
    make_click(link, MONDAY + timedelta(hours=2))
    make_click(link, MONDAY, verdict="scanner")
    make_click(link, MONDAY + timedelta(hours=1))
    make_click(link, MONDAY + timedelta(hours=5), verdict="bot")
    assert counters(link) == (
        2,
        2,
        MONDAY + timedelta(hours=1),
        MONDAY + timedelta(hours=2),
        MONDAY,
        MONDAY + timedelta(hours=5),
    )
    assert recounted(link) == counters(link)


def test_deleting_the_first_and_last_clicks_finds_the_next_ones():
    """A deleted click leaves the counts, and the first/last times move to the remaining clicks."""
    link = make_link()
    first = make_click(link, MONDAY)
    make_click(link, MONDAY + timedelta(minutes=30, microseconds=250))
    make_click(link, MONDAY + timedelta(hours=1), verdict="preview")
    last = make_click(link, MONDAY + timedelta(hours=2))
    delete_in_the_admin(Click.objects.filter(pk__in=[first.pk, last.pk]))
    derive_click_figures()
    middle = MONDAY + timedelta(minutes=30, microseconds=250)
    assert counters(link) == (1, 1, middle, middle, middle, MONDAY + timedelta(hours=1))
    delete_in_the_admin(Click.objects.filter(link=link))
    derive_click_figures()
    assert counters(link) == (0, 0, None, None, None, None)


def test_marking_a_burst_as_scanner_moves_its_clicks_to_machine_clicks(client):
    """The redirect's burst marking re-marks an earlier human click, already counted, as a scanner:
    the next pass moves it between the counters."""
    link = make_link()
    with time_machine.travel(MONDAY, tick=False):
        client.get(f"/t/{link.token}", REMOTE_ADDR="20.1.2.3", HTTP_USER_AGENT=CHROME)
        derive_click_figures()
        assert counters(link) == (1, 0, MONDAY, MONDAY, MONDAY, MONDAY)
    with time_machine.travel(MONDAY + timedelta(seconds=1), tick=False):
        client.get(f"/t/{link.token}", REMOTE_ADDR="34.5.6.7", HTTP_USER_AGENT=CHROME)
        derive_click_figures()
    assert counters(link) == (0, 2, None, None, MONDAY, MONDAY + timedelta(seconds=1))
    assert recounted(link) == counters(link)


def test_moving_a_click_to_another_link_or_time_updates_both_links():
    """An UPDATE of link or time takes the click off the old link and onto the new one."""
    john, jane = make_link(email="john@company.com"), make_link(email="jane@startup.io")
    click = make_click(john, MONDAY)
    make_click(john, MONDAY + timedelta(hours=3))
    moved = Click.objects.filter(pk=click.pk)
    mark_figures_stale(moved)
    moved.update(link=jane, clicked_at=MONDAY + timedelta(hours=4))
    mark_figures_stale(moved)
    derive_click_figures()
    three, four = MONDAY + timedelta(hours=3), MONDAY + timedelta(hours=4)
    assert counters(john) == (1, 0, three, three, three, three)
    assert counters(jane) == (1, 0, four, four, four, four)


def test_reclassifying_clicks_updates_the_counters():
    """reclassify_clicks turns a stored bot user agent into a machine click, counters included."""
    link = make_link()
    make_click(link, MONDAY, user_agent=SLACKBOT)
    make_click(link, MONDAY + timedelta(hours=1), user_agent=CHROME)
    call_command("reclassify_clicks", stdout=io.StringIO())
    later = MONDAY + timedelta(hours=1)
    assert counters(link) == (1, 1, later, later, MONDAY, later)


def test_deleting_a_link_with_its_clicks_leaves_the_other_links_alone():
    """The cascade deletes the link's clicks; other links keep their counts."""
    john, jane = make_link(email="john@company.com"), make_link(email="jane@startup.io")
    for minute in range(5):
        make_click(john, MONDAY + timedelta(minutes=minute))
    make_click(jane, MONDAY)
    john.delete()
    derive_click_figures()
    assert counters(jane) == (1, 0, MONDAY, MONDAY, MONDAY, MONDAY)


def test_a_click_stored_for_a_link_deleted_meanwhile_is_deleted_by_the_next_pass():
    """The redirect read the link, the link was deleted with its clicks, then the click's INSERT
    came (the clicks table has no foreign key constraint): the next pass deletes that click before
    counting and counts the other links' clicks of the same pass."""
    gone, kept = make_link(email="gone@company.com"), make_link(email="kept@startup.io")
    gone_id = gone.pk
    gone.delete()
    for link_id in (gone_id, kept.pk):
        facts = click_facts(ip=parse_ip("203.0.113.7"), user_agent=CHROME, referer="", sent_at=None, clicked_at=MONDAY)
        record_click(link_id, facts)
    Click.objects.filter(link_id=kept.pk).update(country="FR")

    assert derive_click_figures() == 2

    assert list(Click.objects.values_list("link_id", flat=True)) == [kept.pk]
    assert counters(kept) == (1, 0, MONDAY, MONDAY, MONDAY, MONDAY)
    assert list(kept.country_counts.values_list("country", "human_clicks")) == [("FR", 1)]
    assert derive_click_figures() == 0


@pytest.mark.parametrize("recounted", [False, True], ids=["added", "recounted"])
def test_a_link_deleted_while_a_pass_counts_does_not_fail_the_pass(monkeypatch, recounted):
    """The pass counts without a lock, then writes: a link deleted in between (the admin, the API)
    gets no country or device row, and the other links' figures are written by that same pass."""
    import tracker.derivation

    gone, kept = make_link(email="gone@company.com"), make_link(email="kept@startup.io")
    make_click(gone, MONDAY)  # derived: a later change of its clicks makes the next pass recount it
    for link in (gone, kept):
        facts = click_facts(ip=parse_ip("203.0.113.7"), user_agent=CHROME, referer="", sent_at=None, clicked_at=MONDAY)
        record_click(link.pk, facts)
    Click.objects.update(country="FR")
    if recounted:
        mark_figures_stale(Click.objects.filter(link_id=gone.pk))
    count_figures = tracker.derivation.count_figures

    def counted_then_link_deleted(*args):
        counted = count_figures(*args)
        Link.objects.filter(pk=gone.pk).delete()
        return counted

    monkeypatch.setattr(tracker.derivation, "count_figures", counted_then_link_deleted)

    assert derive_click_figures() > 0

    assert counters(kept) == (1, 0, MONDAY, MONDAY, MONDAY, MONDAY)
    assert list(kept.country_counts.values_list("country", "human_clicks")) == [("FR", 1)]
    assert not Link.objects.filter(pk=gone.pk).exists()
    assert LinkCountryCount.objects.filter(link_id=gone.pk).count() == 0
    assert LinkDeviceCount.objects.filter(link_id=gone.pk).count() == 0


def test_the_clicks_table_has_no_foreign_key_constraint_but_deleting_a_link_deletes_its_clicks():
    """The constraint's check locked the link's row on every click (PostgreSQL); Django's cascade
    keeps deleting a link's clicks."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Click._meta.db_table)
    assert [name for name, constraint in constraints.items() if constraint["foreign_key"]] == []
    link = make_link()
    make_click(link, MONDAY)
    link.delete()
    assert Click.objects.count() == 0


def test_saving_a_link_loaded_before_a_click_keeps_that_click(admin_client):
    """The admin saves a link it loaded before a click arrived: the click still counts."""
    link = make_link(email="john@company.com", first_name="John")
    loaded = Link.objects.get(pk=link.pk)
    make_click(link, MONDAY)
    loaded.first_name = "Johnny"
    loaded.save()
    response = admin_client.post(
        f"/admin/links/link/{link.pk}/change/",
        {
            "first_name": "Jonathan",
            "last_name": "Doe",
            "email": "john@company.com",
            "icp": "CEO",
            "campaign": link.campaign_id,
            "destination_url": "https://example.com/offer",
            "channel": "",
            "sent_at_0": "",
            "sent_at_1": "",
            "clicks-TOTAL_FORMS": "0",
            "clicks-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Link.objects.values_list("first_name", "human_clicks").get(pk=link.pk) == ("Jonathan", 1)


def test_a_stale_link_saved_with_explicit_fields_never_writes_the_counters():
    """save(update_fields=...) naming a counter leaves it to the worker."""
    link = make_link()
    make_click(link, MONDAY)
    link.first_name = "Johnny"
    link.save(update_fields=["first_name", "human_clicks", "first_click_at"])
    assert Link.objects.values_list("first_name", "human_clicks", "first_click_at").get(pk=link.pk) == (
        "Johnny",
        1,
        MONDAY,
    )


def test_rebuilding_repairs_counters_that_drifted():
    """recount_click_figures() recounts every link from its clicks: one grouped read, one UPDATE per link."""
    john, jane = make_link(email="john@company.com"), make_link(email="jane@startup.io")
    make_click(john, MONDAY)
    make_click(john, MONDAY + timedelta(hours=1), verdict="scanner")
    Link.objects.update(human_clicks=7, machine_clicks=7, first_click_at=None)
    assert recount_click_figures() == 2
    assert counters(john) == (1, 1, MONDAY, MONDAY, MONDAY, MONDAY + timedelta(hours=1))
    assert counters(jane) == (0, 0, None, None, None, None)


def derived_figures(link):
    """The link's counters, forwarding evidence and country and device rows as stored."""
    link = Link.objects.get(pk=link.pk)
    return (
        counters(link),
        (link.shared, link.shared_devices, link.shared_networks, link.shared_first_click_at, link.shared_last_click_at),
        sorted(link.country_counts.values_list("country", "human_clicks", "all_clicks")),
        sorted(link.device_counts.values_list("device_type", "os", "browser", "human_clicks", "all_clicks")),
    )


def test_clicks_added_pass_after_pass_equal_a_recount_of_them(settings):
    """A pass adds the clicks stored since the last one to the counters, the forwarding evidence
    (devices and networks new to the link only) and the country and device rows: after passes of
    one click and of several, the figures equal a recount from every click."""
    settings.SHARED_MIN_HOURS_APART = 1
    link, other = make_link(), make_link(email="other@company.com")
    clicks = [
        (link, MONDAY, "human", "90.84.10.0", CHROME, "FR"),
        (link, MONDAY + timedelta(minutes=1), "human", "90.84.10.0", CHROME, "FR"),  # same device, same network
        (other, MONDAY + timedelta(minutes=2), "human", "20.1.2.0", CHROME, "US"),
        (link, MONDAY + timedelta(hours=3), "scanner", "40.94.1.0", SLACKBOT, "IE"),
        (link, MONDAY + timedelta(hours=4), "human", "85.214.132.0", "laptop", "DE"),  # new device and network
        (link, MONDAY - timedelta(days=1), "human", "90.84.10.0", "tablet", "FR"),  # earlier than the rest
    ]
    for number, (target, clicked_at, verdict, ip, user_agent, country) in enumerate(clicks):
        facts = click_facts(ip=parse_ip(ip), user_agent=user_agent, referer="", sent_at=None, clicked_at=clicked_at)
        record_click(target.pk, facts, known_verdict=(verdict, ""))
        Click.objects.filter(pk=Click.objects.latest("id").pk).update(country=country)
        if number in (0, 2):
            derive_click_figures()  # passes of one, two, then three clicks
    derive_click_figures()

    added = derived_figures(link), derived_figures(other)
    assert added[0][0] == (4, 1, MONDAY - timedelta(days=1), MONDAY + timedelta(hours=4), *added[0][0][4:])
    assert added[0][1][:3] == (True, 3, 2)  # devices: Chrome, laptop, tablet; networks: two /24s
    recount_click_figures()
    assert (derived_figures(link), derived_figures(other)) == added


def test_a_recount_stops_at_the_pass_s_last_click_so_later_clicks_are_added_once():
    """A link recounted by a pass (a click of it reclassified) while more of its clicks wait
    beyond the pass's batch: the recount counts only up to the pass's last click, and the next pass
    adds the rest, each once."""
    link = make_link()
    make_click(link, MONDAY)
    Click.objects.update(verdict="scanner")
    mark_figures_stale(Click.objects.all())
    for minutes in (1, 2, 3):
        store_click(link, MONDAY + timedelta(minutes=minutes), "human")
    while derive_click_figures(batch_size=1):
        pass
    assert counters(link) == (
        3,
        1,
        MONDAY + timedelta(minutes=1),
        MONDAY + timedelta(minutes=3),
        MONDAY,
        *counters(link)[5:],
    )
    assert counters(link)[5] == MONDAY + timedelta(minutes=3)
    assert recounted(link) == counters(link)
