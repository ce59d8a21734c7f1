"""The operator's dashboard page. Its figures come from the stats API, fetched by
static/js/dashboard.js; the page itself only hands over the filters and the API's URLs."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from links.periods import Period
from links.public_urls import public_url

# The body the seed's guide (ICP_FEATURE.md) puts in Clay's HTTP API column.
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
            "periods": Period.choices,
            "clay_api_url": api_url,
            "clay_body": clay_body,
            "clay_curl": curl,
            "can_delete": request.user.has_perm("links.delete_link"),
        },
    )
