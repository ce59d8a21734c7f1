"""Rule 2: the user agent names previewers, mail scanners, headless browsers and HTTP libraries."""

import pytest

from tests.factories import make_link
from tests.tracker import user_agents as ua
from tests.tracker.click_facts import click_facts
from tracker.classification import classify
from tracker.models import Click

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "user_agent",
    [
        ua.CHROME,
        ua.SAFARI,
        ua.FIREFOX,
        ua.EDGE,
        ua.MOBILE_SAFARI,
        ua.ANDROID_CHROME,
        ua.LINKEDIN_APP_BROWSER,
    ],
)
def test_browsers_people_click_with_are_human(user_agent):
    """Desktop and mobile browsers, and LinkedIn's in-app browser, are people."""
    assert classify(click_facts(user_agent=user_agent)) == ("human", "")


@pytest.mark.parametrize(
    "user_agent, reason",
    [
        (ua.SLACKBOT, "ua: Slackbot"),
        (ua.LINKEDINBOT, "ua: LinkedInBot"),
        (ua.SKYPE_PREVIEW, "ua: SkypeUriPreview"),
        (ua.TEAMS_PREVIEW, "ua: MicrosoftPreview"),
        (ua.FACEBOOK, "ua: facebookexternalhit"),
        (ua.IMESSAGE, "ua: facebookexternalhit"),
        (ua.WHATSAPP, "ua: WhatsApp"),
        (ua.TELEGRAM, "ua: TelegramBot"),
        (ua.TWITTERBOT, "ua: Twitterbot"),
        (ua.DISCORDBOT, "ua: Discordbot"),
        (ua.BINGPREVIEW, "ua: BingPreview"),
        (ua.APPLEBOT, "ua: Applebot"),
    ],
)
def test_chat_and_social_previewers_are_previews(user_agent, reason):
    """Pasting the link in a chat or post fetches it for a preview card."""
    assert classify(click_facts(user_agent=user_agent)) == ("preview", reason)


def test_outlook_desktops_own_fetch_is_a_preview():
    """Outlook's "Microsoft Office/16.0" agent is Office fetching the link (preview, existence check);
    a person clicking in Outlook arrives from their browser with the browser's agent."""
    assert classify(click_facts(user_agent=ua.OUTLOOK_DESKTOP)) == ("preview", "ua: Microsoft Office")


@pytest.mark.parametrize(
    "user_agent, reason",
    [
        ("Mozilla/5.0 (compatible; urldefense.proofpoint.com)", "ua: urldefense"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) SafeLinks/1.0", "ua: safelinks"),
        ("Mimecast-URL-Protect/1.0", "ua: mimecast"),
        ("Proofpoint-TAP-Sandbox/2.1", "ua: proofpoint"),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", "ua: barracuda"),
    ],
)
def test_mail_security_agents_are_scanners(user_agent, reason):
    """Gateways that say who they are get the scanner verdict."""
    assert classify(click_facts(user_agent=user_agent)) == ("scanner", reason)


@pytest.mark.parametrize(
    "user_agent, reason",
    [
        (ua.HEADLESS_CHROME, "ua: HeadlessChrome"),
        (ua.PYTHON_REQUESTS, "ua: python-requests"),
        (ua.CURL, "ua: curl"),
        (ua.GO_HTTP_CLIENT, "ua: Go-http-client"),
        (ua.OKHTTP, "ua: okhttp"),
    ],
)
def test_headless_browsers_and_http_libraries_are_bots(user_agent, reason):
    """Scripts and automation are bots."""
    assert classify(click_facts(user_agent=user_agent)) == ("bot", reason)


def test_crawlers_we_have_no_signature_for_are_caught_by_crawlerdetect():
    """crawlerdetect's 1,500 patterns back our own list up."""
    assert classify(click_facts(user_agent=ua.GOOGLEBOT)) == ("bot", "ua: crawler Googlebot")


@pytest.mark.parametrize("user_agent", ["", "   "])
def test_a_click_without_user_agent_is_a_bot(user_agent):
    """Every browser sends a user agent; crawlerdetect would call an empty one human."""
    assert classify(click_facts(user_agent=user_agent)) == ("bot", "ua: empty")


def test_a_request_without_user_agent_header_is_stored_as_bot(client):
    """The stored click says why it was not counted."""
    link = make_link()
    client.get(f"/t/{link.token}")
    assert list(Click.objects.values_list("verdict", "reason", "user_agent")) == [("bot", "ua: empty", "")]
