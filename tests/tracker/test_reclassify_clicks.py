"""manage.py reclassify_clicks re-applies today's rules to stored clicks and says what changed."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_click, make_link
from tests.tracker.click_facts import NOON
from tests.tracker.user_agents import CHROME, OUTLOOK_DESKTOP, SLACKBOT
from tracker.models import Click

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)


def reclassify(*args):
    out = StringIO()
    call_command("reclassify_clicks", *args, stdout=out)
    return out.getvalue()


def summary(output):
    """The lines after the progress bar."""
    return output[output.index("Checked") :].splitlines()


def verdicts():
    return list(Click.objects.order_by("id").values_list("verdict", "reason"))


def test_stored_clicks_get_the_current_rules_and_a_summary():
    """Agents, networks on the anonymised IP and timing are re-derived from what is stored."""
    link = make_link(sent_at=NOON)
    make_click(link, clicked_at=NOON + 3600 * SECOND, user_agent=SLACKBOT, ip="82.64.10.0")
    make_click(link, clicked_at=NOON + 7200 * SECOND, user_agent=CHROME, ip="40.92.12.0")
    make_click(link, clicked_at=NOON + 10 * SECOND, user_agent=CHROME, ip="82.64.10.0")
    make_click(
        link,
        clicked_at=NOON + 9000 * SECOND,
        user_agent=OUTLOOK_DESKTOP,
        ip="82.64.10.0",
        verdict="bot",
        reason="ua: crawler Microsoft Office",
    )
    make_click(
        link,
        clicked_at=NOON + 9999 * SECOND,
        user_agent=CHROME,
        ip="82.64.10.0",
        verdict="scanner",
        reason="ua: old signature",
    )
    output = reclassify()
    assert summary(output) == [
        "Checked 5 clicks.",
        "bot → preview: 1",
        "human → preview: 1",
        "human → scanner: 2",
        "scanner → human: 1",
    ]
    assert verdicts() == [
        ("preview", "ua: Slackbot"),
        ("scanner", "network: Microsoft EOP 40.92.0.0/15"),
        ("scanner", "timing: 10s after sent_at"),
        ("preview", "ua: Microsoft Office"),
        ("human", ""),
    ]
    assert "5/5" in output  # the progress bar reached the end


def test_header_verdicts_are_kept_because_headers_are_not_stored():
    """A prefetch cannot be re-derived from the row, so it stays."""
    link = make_link()
    make_click(link, user_agent=CHROME, verdict="prefetch", reason="header: Sec-Purpose prefetch")
    assert summary(reclassify()) == ["Checked 1 clicks.", "No verdict changed."]
    assert verdicts() == [("prefetch", "header: Sec-Purpose prefetch")]


def test_bursts_are_found_again_in_stored_clicks():
    """Two networks within the burst window mark both clicks, as the redirect would."""
    link = make_link()
    make_click(link, clicked_at=NOON, user_agent=CHROME, ip="20.1.2.0")
    make_click(link, clicked_at=NOON + SECOND, user_agent=CHROME, ip="34.5.6.0")
    make_click(link, clicked_at=NOON + 600 * SECOND, user_agent=CHROME, ip="82.64.10.0")
    assert summary(reclassify()) == ["Checked 3 clicks.", "human → scanner: 2"]
    assert verdicts() == [
        ("scanner", "burst: 2 networks in 2s"),
        ("scanner", "burst: 2 networks in 2s"),
        ("human", ""),
    ]


def test_small_batches_keep_each_links_clicks_together():
    """Batches hold whole links, so a burst is found whatever the batch size."""
    for email in ("a@company.com", "b@company.com"):
        link = make_link(email=email)
        make_click(link, clicked_at=NOON, user_agent=CHROME, ip="20.1.2.0")
        make_click(link, clicked_at=NOON + SECOND, user_agent=CHROME, ip="34.5.6.0")
    assert summary(reclassify("--batch-size", "1")) == ["Checked 4 clicks.", "human → scanner: 4"]
    assert {verdict for verdict, _ in verdicts()} == {"scanner"}


def test_dry_run_reports_and_saves_nothing():
    """--dry-run shows the changes without writing them."""
    link = make_link()
    make_click(link, user_agent=SLACKBOT)
    assert summary(reclassify("--dry-run")) == [
        "Checked 1 clicks.",
        "human → preview: 1",
        "Dry run: nothing was saved.",
    ]
    assert verdicts() == [("human", "")]


def test_campaign_limits_the_clicks_checked():
    """--campaign only touches that campaign's clicks."""
    make_click(make_link(campaign="aura.camp"), user_agent=SLACKBOT)
    make_click(make_link(campaign="wesser-recrutement.fr"), user_agent=SLACKBOT)
    assert summary(reclassify("--campaign", "aura.camp")) == ["Checked 1 clicks.", "human → preview: 1"]
    assert list(Click.objects.order_by("link__campaign__name").values_list("link__campaign__name", "verdict")) == [
        ("aura.camp", "preview"),
        ("wesser-recrutement.fr", "human"),
    ]


def test_an_unknown_campaign_is_an_error():
    """A typo in --campaign is said, not silently a no-op."""
    with pytest.raises(CommandError, match="No campaign named 'nope.example'."):
        reclassify("--campaign", "nope.example")
