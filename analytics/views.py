"""The operator's dashboard page. Its figures come from the stats API, fetched by the modules in
static/js/; the page hands over the filters, the API's URLs, the time zone and every word the
script shows, translated into the page's language."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext

from links.periods import Period
from links.public_urls import public_url

# The body to put in Clay's HTTP API column ({{Column}} is Clay's way of inserting a cell).
CLAY_BODY = {
    "first_name": "{{first_name}}",
    "last_name": "{{last_name}}",
    "email": "{{email}}",
    "ICP": "{{ICP}}",
    "campaign": "wesser-recrutement.fr",
    "destination_url": "{{Full URL}}",
}


def clay_api_url(request):
    """Return the absolute URL Clay posts to, on the public host when one is configured."""
    return public_url(request, reverse("link-list"))


def period_buttons() -> list[tuple[str, str, str]]:
    """(range, short label, long label) of the period buttons."""
    return [
        ("24h", gettext("24h"), gettext("Last 24 hours")),
        ("7d", gettext("7d"), gettext("Last 7 days")),
        ("30d", gettext("30d"), gettext("Last 30 days")),
        ("all", gettext("All"), gettext("All time")),
    ]


def dashboard_labels() -> dict:
    """Every word the dashboard's script writes, in the active language. Patterns use {name}-style
    placeholders; `*_one`/`*_other` are the singular and plural forms (chosen with Intl.PluralRules)."""
    return {
        "language": get_language(),
        "allCampaigns": gettext("All campaigns"),
        "notDefined": "Non défini",  # the ICP guide's label, the same in every language
        "delete": gettext("Delete"),
        "updatedAt": gettext("Data as of {time}"),
        "refreshFailed": gettext("Could not refresh the figures; retrying soon."),
        "deleteFailed": gettext("The link could not be deleted (HTTP {status})."),
        "noLinksSent": gettext("No links sent in this period"),
        "noIcpClicked": gettext("No ICP has clicked yet"),
        "noClicks": gettext("No clicks yet"),
        "others": gettext("Others"),
        "clicks_one": gettext("{name}: {count} click ({percent})"),
        "clicks_other": gettext("{name}: {count} clicks ({percent})"),
        "heatmapCell_one": gettext("{day} {hour}:00 · {count} click"),
        "heatmapCell_other": gettext("{day} {hour}:00 · {count} clicks"),
        "topClicker_one": gettext("{count} click, last {time}"),
        "topClicker_other": gettext("{count} clicks, last {time}"),
        "timelineSeries": gettext("Human clicks"),
        "weekdays": [
            pgettext("weekday", "Mon"),
            pgettext("weekday", "Tue"),
            pgettext("weekday", "Wed"),
            pgettext("weekday", "Thu"),
            pgettext("weekday", "Fri"),
            pgettext("weekday", "Sat"),
            pgettext("weekday", "Sun"),
        ],
        "funnel": {
            "Sent": gettext("Sent"),
            "Clicked": gettext("Clicked"),
            "Not clicked": gettext("Not clicked"),
            "Clicked once": gettext("Clicked once"),
            "Clicked 2+ times": gettext("Clicked 2+ times"),
        },
        "status": {
            "Clicked": gettext("Clicked"),
            "Scanner only": gettext("Scanner only"),
            "Not clicked": gettext("Not clicked"),
        },
        "linksCount_one": gettext("{count} link sent or clicked {period}"),
        "linksCount_other": gettext("{count} links sent or clicked {period}"),
        "periodPhrase": {
            "24h": gettext("in the last 24 hours"),
            "7d": gettext("in the last 7 days"),
            "30d": gettext("in the last 30 days"),
            "all": gettext("since the first link"),
        },
        "inCampaign": gettext("in {campaign}"),
        "matching": gettext("matching “{search}”"),
        "inAccount": gettext("at {account}"),
        "shared": gettext("Shared"),
        "sharedEvidence": gettext("Looks forwarded: {devices} devices, {networks} networks, from {first} to {last}"),
        "page": gettext("Page {page} of {pages}"),
        "change": gettext("{change} vs previous period"),
        "points": gettext("{value} pts"),
        "percent": gettext("{value}%"),
        "duration": {"d": gettext("d"), "h": gettext("h"), "min": gettext("min"), "s": gettext("s")},
        "average": gettext("average {value}"),
    }


def kpi_groups() -> list[dict]:
    """The KPI cards in two rows, each card named after what it counts, with its explanation.

    Cohort cards follow the links sent in the period wherever their clicks fall; activity cards
    count the clicks in the period whatever the link's age. Both are right, and their names say
    which is which so that "3 clicked" beside "6 people who clicked" does not look like an error."""
    return [
        {
            "id": "cohort",
            "title": gettext("Links sent in this period"),
            "caption": gettext("…and what became of them, whenever their clicks came."),
            "cards": [
                {
                    "key": "links_sent",
                    "label": gettext("Links sent in this period"),
                    "help": gettext(
                        "Tracking links created in the selected period (one per prospect). The cards in"
                        " this row follow these links only."
                    ),
                },
                {
                    "key": "links_clicked",
                    "label": gettext("Of these, clicked"),
                    "help": gettext(
                        "Links sent in this period that a person opened at least once, even if the click"
                        " came after the period. Click rate = clicked ÷ sent."
                    ),
                    "sub": "click_rate",
                },
                {
                    "key": "avg_clicks_per_clicker",
                    "label": gettext("Avg clicks per clicker"),
                    "help": gettext(
                        "For the links sent in this period that were clicked: their human clicks divided"
                        " by their number."
                    ),
                },
                {
                    "key": "median_time_to_first_click",
                    "label": gettext("Time to first click"),
                    "help": gettext(
                        "Time from sending a link (in this period) to its first human click: the median"
                        " (half the clickers were faster), and the average below."
                    ),
                    "sub": "average",
                },
            ],
        },
        {
            "id": "activity",
            "title": gettext("Clicks in this period"),
            "caption": gettext("…on any link, whenever it was sent."),
            "cards": [
                {
                    "key": "unique_clickers",
                    "label": gettext("People who clicked in this period"),
                    "help": gettext(
                        "Prospects with at least one human click in the period, whenever their link was"
                        " sent. It can be more than “Of these, clicked”, which only counts links sent in"
                        " the period."
                    ),
                },
                {
                    "key": "total_clicks",
                    "label": gettext("Clicks in this period"),
                    "help": gettext(
                        "Human clicks in the period on any link; a prospect who clicks twice counts twice."
                    ),
                },
                {
                    "key": "bot_clicks_filtered",
                    "label": gettext("Machine clicks left out"),
                    "help": gettext(
                        "Clicks in the period by e-mail security scanners, link previews, prefetchers and"
                        " bots: recorded, never counted as people."
                    ),
                    "sub": "verdicts",
                },
            ],
        },
    ]


@login_required
def dashboard(request):
    """Render the dashboard with the filters of the query string (unknown range -> all time).
    For people with a role (viewer, editor) or superusers; the Delete action only for those who
    may delete links."""
    if not request.user.has_perm("links.view_link"):
        raise PermissionDenied
    period = request.GET.get("range", Period.ALL_TIME)
    filters = {
        "range": period if period in Period.values else Period.ALL_TIME.value,
        "campaign": request.GET.get("campaign", ""),
    }
    if request.GET.get("account"):  # the links table's filter, chosen in the Accounts table
        filters["account"] = request.GET["account"]
    api_url = clay_api_url(request)
    clay_body = json.dumps(CLAY_BODY, indent=2, ensure_ascii=False)
    example = {
        **CLAY_BODY,
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@company.com",
        "ICP": "CEO",
        "destination_url": "https://wesser.fr/offre",
    }
    curl = (
        f"curl -X POST {api_url} \\\n"
        '  -H "Authorization: Token <your API token>" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{json.dumps(example, indent=2, ensure_ascii=False)}'"
    )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "filters": filters,
            "periods": period_buttons(),
            "labels": dashboard_labels(),
            "kpi_groups": kpi_groups(),
            "time_zone": timezone.get_current_timezone_name(),
            "clay_api_url": api_url,
            "clay_body": clay_body,
            "clay_curl": curl,
            "can_delete": request.user.has_perm("links.delete_link"),
        },
    )
