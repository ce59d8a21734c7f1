"""Which clicks become events: settled human clicks only, one first_click per link ever."""

import datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.jobs import find_hot_leads
from events.models import Event, EventWatermark
from tests.events.conftest import make_endpoint, run_queued_tasks, settled_time
from tests.factories import make_campaign, make_click, make_link
from tests.tracker.user_agents import CHROME
from tracker.models import Click

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("verdict", ["scanner", "preview", "prefetch", "bot", "internal"])
def test_a_machine_or_internal_click_sends_no_event(receiver, verdict):
    """Only people are hot leads: scanner, preview, prefetch, bot and internal clicks fire nothing."""
    make_endpoint(receiver.url(), every_click=True)
    make_click(make_link(), clicked_at=settled_time(), verdict=verdict)
    assert find_hot_leads() == 1
    run_queued_tasks()
    assert (Event.objects.count(), receiver.requests) == (0, [])


def test_a_click_retracted_by_a_burst_never_fires(receiver, client):
    """Two networks within the burst window re-mark the first click as a scanner: by the time the
    verdicts have settled, neither click is an event."""
    make_endpoint(receiver.url(), every_click=True)
    link = make_link()
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="82.64.10.77")
    assert find_hot_leads() == 0  # not settled yet: nothing examined
    client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="90.84.10.17")
    Click.objects.update(clicked_at=settled_time())  # the burst window has passed
    assert find_hot_leads() == 2
    run_queued_tasks()
    assert sorted(Click.objects.values_list("verdict", flat=True)) == ["scanner", "scanner"]
    assert (Event.objects.count(), receiver.requests) == (0, [])


def test_an_unsettled_click_waits_for_its_verdict_to_settle(receiver):
    """A click younger than BURST_WINDOW_SECONDS + 1 s is not examined, nor any after it."""
    make_endpoint(receiver.url())
    link = make_link()
    click = make_click(link, clicked_at=timezone.now())
    assert find_hot_leads() == 0
    Click.objects.filter(pk=click.pk).update(clicked_at=settled_time(4))
    assert find_hot_leads() == 1
    assert Event.objects.get().type == "link.first_click"
    assert EventWatermark.objects.get().last_click_id == click.pk


def test_a_link_has_one_first_click_and_every_human_click_is_an_event(receiver):
    """Three human clicks: one link.first_click (the earliest), three link.clicked; running the
    job again records nothing more."""
    make_endpoint(receiver.url(), every_click=True)
    link = make_link()
    start = settled_time(60)
    clicks = [make_click(link, clicked_at=start + datetime.timedelta(seconds=10 * n)) for n in range(3)]
    assert find_hot_leads() == 3
    assert find_hot_leads() == 0
    events = list(Event.objects.order_by("id").values_list("type", "click_id", "data__human_clicks"))
    assert events == [
        ("link.first_click", clicks[0].pk, 1),
        ("link.clicked", clicks[0].pk, 1),
        ("link.clicked", clicks[1].pk, 2),
        ("link.clicked", clicks[2].pk, 3),
    ]
    assert run_queued_tasks() == ["delivered"] * 4


def test_a_later_click_is_not_first_even_in_another_batch(receiver):
    """first_click is read from the clicks (an earlier human click exists), not from counters."""
    make_endpoint(receiver.url())
    link = make_link()
    make_click(link, clicked_at=settled_time(60))
    find_hot_leads()
    make_click(link, clicked_at=settled_time(30))
    find_hot_leads()
    assert list(Event.objects.values_list("type", flat=True)) == ["link.first_click"]


def test_a_batch_another_worker_wrote_meanwhile_is_not_written_twice(receiver, monkeypatch):
    """The job reads its batch before taking the watermark; when another worker wrote that batch
    in between, this one writes nothing and says so."""
    import events.jobs

    make_endpoint(receiver.url(), every_click=True)
    link = make_link()
    make_click(link, clicked_at=settled_time(60))
    make_click(link, clicked_at=settled_time(50))
    read_events = events.jobs.new_events
    other_worker_ran = []

    def another_worker_writes_first(human_click_ids):
        if not other_worker_ran:
            other_worker_ran.append(True)
            assert find_hot_leads() == 2  # the other worker, between this one's reads and writes
        return read_events(human_click_ids)

    monkeypatch.setattr(events.jobs, "new_events", another_worker_writes_first)
    assert find_hot_leads() == 0
    assert list(Event.objects.order_by("id").values_list("type", flat=True)) == [
        "link.first_click",
        "link.clicked",
        "link.clicked",
    ]
    assert EventWatermark.objects.get().last_click_id == Click.objects.latest("id").id


def test_the_database_refuses_a_second_first_click_for_a_link(db):
    """One first_click per link ever, whatever happens to the clicks (unique constraint)."""
    link = make_link()
    first, second = make_click(link, clicked_at=settled_time(60)), make_click(link, clicked_at=settled_time())
    Event.objects.create(type="link.first_click", link=link, click=first, occurred_at=first.clicked_at, data={})
    with pytest.raises(IntegrityError):
        Event.objects.create(type="link.first_click", link=link, click=second, occurred_at=second.clicked_at, data={})


def test_a_first_click_after_a_reclassified_first_click_does_not_fire_again(receiver):
    """The first human click was later re-marked as a scanner: the next human click is not a
    second hot lead, the link already had its one."""
    make_endpoint(receiver.url())
    link = make_link()
    first = make_click(link, clicked_at=settled_time(60))
    find_hot_leads()
    Click.objects.filter(pk=first.pk).update(verdict="scanner")
    make_click(link, clicked_at=settled_time())
    find_hot_leads()
    assert Event.objects.filter(type="link.first_click").count() == 1


def test_an_endpoint_limited_to_campaigns_gets_only_theirs(receiver):
    """An endpoint's campaigns filter its events; none selected means every campaign."""
    only_wesser = make_endpoint(receiver.url("/wesser"), campaigns=[make_campaign("wesser-recrutement.fr")])
    make_endpoint(receiver.url("/all"))
    make_click(make_link(campaign="wesser-recrutement.fr"), clicked_at=settled_time())
    make_click(make_link(campaign="other.fr"), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    paths = sorted((r.path, r.json["data"]["campaign"]) for r in receiver.requests)
    assert paths == [("/all", "other.fr"), ("/all", "wesser-recrutement.fr"), ("/wesser", "wesser-recrutement.fr")]
    assert only_wesser.deliveries.count() == 1


def test_a_disabled_endpoint_gets_nothing(receiver):
    make_endpoint(receiver.url(), enabled=False)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert (run_queued_tasks(), receiver.requests) == ([], [])


def test_the_redirect_does_no_event_work(client, receiver, django_assert_num_queries):
    """With three endpoints configured, a click is still one SELECT and one INSERT."""
    for kind in ("json", "slack", "clay"):
        make_endpoint(receiver.url(), kind=kind)
    link = make_link()
    with django_assert_num_queries(2):
        response = client.get(f"/t/{link.token}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302


def test_the_event_gives_the_tracking_url_the_prospect_was_sent(settings):
    """A campaign served on a tracking domain hands out that domain's URLs: the event says so."""
    from links.models import TrackingDomain

    settings.PUBLIC_BASE_URL = "https://app.example.com"
    campaign = make_campaign("on-a-domain")
    campaign.tracking_domain = TrackingDomain.objects.create(host="go.acme-mail.com")
    campaign.save()
    on_domain = make_link(campaign="on-a-domain")
    plain = make_link(email="plain@company.com")
    make_click(on_domain, clicked_at=settled_time())
    make_click(plain, clicked_at=settled_time())

    assert find_hot_leads() == 2
    urls = {event.link_id: event.data["tracking_url"] for event in Event.objects.all()}
    assert urls == {
        on_domain.pk: f"https://go.acme-mail.com/t/{on_domain.token}",
        plain.pk: f"https://app.example.com/t/{plain.token}",
    }


def test_the_events_of_a_pass_cost_the_same_queries_however_many():
    """Payloads are built from one read of the clicks, links and campaigns: no query per event
    (e.g. a column left out of that read and fetched link by link)."""
    when = settled_time()
    for number in range(3):
        make_click(make_link(email=f"few{number}@company.com"), clicked_at=when)
    with CaptureQueriesContext(connection) as few:
        assert find_hot_leads() == 3
    for number in range(30):
        make_click(make_link(email=f"many{number}@company.com", campaign=f"campaign {number % 4}"), clicked_at=when)
    with CaptureQueriesContext(connection) as many:
        assert find_hot_leads() == 30

    assert Event.objects.count() == 33
    assert len(many) == len(few)
