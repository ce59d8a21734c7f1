"""What each kind of receiver gets: the event's flat data, and the HTTP body and headers for
Standard Webhooks JSON, Clay, Slack and Microsoft Teams."""

import datetime
import functools
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from standardwebhooks import Webhook

from events.models import EventType, Kind, WebhookEndpoint, new_event_id
from links.models import icp_label
from links.public_urls import public_url, tracking_url

USER_AGENT = "LinkTracker-Webhooks/1.0"


def iso(moment: datetime.datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 in UTC with a Z, or None."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def event_data(*, event_id, event_type, click) -> dict:
    """Return the flat data of an event: the prospect, the link and its human clicks as of this
    click. `click` is a row of the click with its link's and campaign's columns
    (events.jobs.PAYLOAD_COLUMNS) and its human clicks so far. URLs are absolute when
    PUBLIC_BASE_URL is set, else paths (see README)."""
    return {
        "event_id": event_id,
        "event": event_type,
        "occurred_at": iso(click.clicked_at),
        "token": click.token,
        # tracking_url() reads the campaign's tracking_domain_id only, which the row carries.
        "tracking_url": tracking_url(None, click.token, click),
        "email": click.email,
        "first_name": click.first_name,
        "last_name": click.last_name,
        "icp": icp_label(click.icp),
        "campaign": click.campaign_name,
        "destination_url": click.destination_url,
        "channel": click.channel,
        "sent_at": iso(click.sent_at),
        "human_clicks": click.human_clicks_so_far,
        "first_click_at": iso(click.first_human_click_at),
        "last_click_at": iso(click.clicked_at),
        "verdict": click.verdict,
        "dashboard_url": prospect_dashboard_url(click.campaign_name, click.email),
    }


def sample_event_data() -> dict:
    """A made-up first click, marked as a test in its e-mail domain, to try a receiver
    (events.delivery.send_test_event)."""
    now = iso(timezone.now())
    return {
        "event_id": new_event_id(),
        "event": EventType.FIRST_CLICK.value,
        "occurred_at": now,
        "token": "test-token",
        "tracking_url": "https://example.com/t/test-token",
        "email": "jane.doe@example.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "icp": "CEO",
        "campaign": "webhook-test",
        "destination_url": "https://example.com/",
        "channel": "email",
        "sent_at": None,
        "human_clicks": 1,
        "first_click_at": now,
        "last_click_at": now,
        "verdict": "human",
        "dashboard_url": "https://example.com/dashboard/",
    }


def prospect_dashboard_url(campaign_name: str, email: str) -> str:
    """Return the dashboard filtered on a campaign and searching a prospect's e-mail."""
    query = urlencode({"campaign": campaign_name, "search": email})
    return public_url(None, f"{dashboard_path(get_script_prefix())}?{query}")


@functools.cache
def dashboard_path(script_prefix: str) -> str:
    """The dashboard's path under `script_prefix`, resolved once per prefix (the worker builds
    thousands of payloads a second under load)."""
    return reverse("dashboard")


def request_for(endpoint: WebhookEndpoint, events_data: list[dict], now: datetime.datetime) -> tuple[bytes, dict]:
    """Return (body, headers) of the POST that delivers `events_data` to `endpoint`. Only Slack
    takes several events at once (a digest); the other kinds get exactly one."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if endpoint.kind == Kind.SLACK:
        return encode(slack_message(events_data)), headers
    (data,) = events_data
    if endpoint.kind == Kind.TEAMS:
        return encode(teams_message(data)), headers
    if endpoint.kind == Kind.CLAY:
        if endpoint.clay_auth:
            headers["x-clay-webhook-auth"] = endpoint.clay_auth
        return encode(data), headers
    body = encode({"type": data["event"], "timestamp": iso(now), "data": data})
    headers |= signature_headers(endpoint.secret, data["event_id"], now, body)
    return body, headers


def signature_headers(secret: str, event_id: str, now: datetime.datetime, body: bytes) -> dict:
    """Return the Standard Webhooks headers: webhook-id (the event's id, the same on every retry),
    webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256>)."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, now, body.decode()),
    }


def encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def local_time(iso_moment: str) -> str:
    """Return an ISO UTC moment as `YYYY-MM-DD HH:MM <zone>` in TIME_ZONE, for people."""
    moment = datetime.datetime.fromisoformat(iso_moment.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M %Z")


def who(data: dict) -> str:
    return f"{data['first_name']} {data['last_name']}".strip() or data["email"]


def headline(data: dict) -> str:
    """One line a salesperson reads: `Jane Doe (CEO, campaign) clicked for the first time`."""
    if data["event"] == EventType.FIRST_CLICK:
        what = _("clicked for the first time")
    else:
        what = ngettext("clicked (%(count)d click)", "clicked (%(count)d clicks)", data["human_clicks"]) % {
            "count": data["human_clicks"]
        }
    return f"{who(data)} ({data['icp']}, {data['campaign']}) {what}"


def slack_escape(text: str) -> str:
    """Slack's mrkdwn needs &, < and > escaped; a prospect's name must not become a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_line(data: dict) -> str:
    return (
        f"*{slack_escape(headline(data))}* · {slack_escape(data['email'])} · {local_time(data['occurred_at'])}"
        f" · <{data['dashboard_url']}|{_('Open in the dashboard')}>"
    )


def slack_message(events_data: list[dict]) -> dict:
    """An incoming-webhook message: `text` (the notification's fallback) plus blocks. Several
    events make one digest message: Slack accepts about one message per second per webhook."""
    if len(events_data) == 1:
        (data,) = events_data
        text = _("Hot lead: %(headline)s") % {"headline": headline(data)}
        return {
            "text": text,
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": slack_line(data)}},
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": slack_escape(
                                _("ICP: %(icp)s · Campaign: %(campaign)s · Human clicks: %(count)d")
                                % {"icp": data["icp"], "campaign": data["campaign"], "count": data["human_clicks"]}
                            ),
                        }
                    ],
                },
            ],
        }
    text = ngettext("%(count)d hot lead", "%(count)d hot leads", len(events_data)) % {"count": len(events_data)}
    lines = [slack_line(data) for data in events_data]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": text}}]
    # A section's text holds at most 3,000 characters: 10 lines per section stays well below.
    for start in range(0, len(lines), 10):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines[start : start + 10])}})
    return {"text": text, "blocks": blocks[:50]}


def teams_message(data: dict) -> dict:
    """A message for a Teams "Post to a channel when a webhook request is received" workflow:
    one Adaptive Card attachment with who, ICP, campaign, when, and a button to the dashboard."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": headline(data), "weight": "Bolder", "size": "Medium", "wrap": True},
            {
                "type": "FactSet",
                "facts": [
                    {"title": _("E-mail"), "value": data["email"]},
                    {"title": _("ICP"), "value": data["icp"]},
                    {"title": _("Campaign"), "value": data["campaign"]},
                    {"title": _("When"), "value": local_time(data["occurred_at"])},
                    {"title": _("Human clicks"), "value": str(data["human_clicks"])},
                ],
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": _("Open in the dashboard"), "url": data["dashboard_url"]}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
