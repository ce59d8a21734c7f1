"""The stats API: thin read-only viewsets that validate the filters and call analytics.queries."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from analytics import queries
from analytics.filters import StatsFilterSet, TopClickersFilterSet
from analytics.serializers import (
    AccountPageSerializer,
    AccountSerializer,
    CampaignSerializer,
    CityClicksSerializer,
    CountryClicksSerializer,
    DevicesSerializer,
    FunnelSerializer,
    HeatmapSerializer,
    IcpClickCountSerializer,
    IcpMetricsSerializer,
    OverviewSerializer,
    TimelineSerializer,
    TopClickerSerializer,
)
from links.periods import ALLOWED_PERIODS_MESSAGE, Period
from tracker.models import Click

FILTER_PARAMETERS = [
    OpenApiParameter(
        "range",
        OpenApiTypes.STR,
        enum=Period.values,
        default=Period.ALL_TIME.value,
        description=f"Period of the figures. {ALLOWED_PERIODS_MESSAGE} Anything else is a 400.",
    ),
    OpenApiParameter(
        "campaign",
        OpenApiTypes.STR,
        description="A campaign name, e.g. wesser-recrutement.fr. An unknown name gives empty results.",
    ),
    OpenApiParameter(
        "include_bots",
        OpenApiTypes.BOOL,
        default=False,
        description="Also count machine clicks (scanner, preview, prefetch, bot, internal).",
    ),
]
LIMIT_PARAMETER = OpenApiParameter(
    "limit", OpenApiTypes.INT, default=10, description="How many prospects, 1 to 100. Anything else is a 400."
)
ACTIVITY = "Activity figure: counts the human clicks whose time is in `range` (all their links' ages)."
COHORT = (
    "Cohort figure: takes the links created in `range`, with all their human clicks (whenever they "
    "happened). Time to first click runs from the link's `sent_at` when Clay gave one, else its creation."
)


class AccountPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class CountedRows:
    """Rows for Django's paginator that are counted by their own, cheaper query."""

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self):
        return self._count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return self.rows[index]


class FiguresFilterMixin:
    """Login session or API token (project defaults); `range`, `campaign`, `include_bots` (and
    `limit` where a FilterSet adds it) validated by django-filter, a 400 naming what is wrong."""

    filterset_class = StatsFilterSet

    def figures_filters(self, filterset_class=None):
        filterset_class = filterset_class or self.filterset_class
        filterset = filterset_class(self.request.query_params, queryset=Click.objects.none())
        return filterset.figures_filters()


class IcpStatsViewSet(FiguresFilterMixin, viewsets.ViewSet):
    @extend_schema(
        summary="Human clicks per ICP (the ICP pie chart)",
        description=(
            f"{ACTIVITY} Only ICPs that clicked, most clicks first, ties by name; links without ICP "
            'are grouped as "Non défini". Served at /api/icp-stats and /api/icp-stats/.'
        ),
        parameters=FILTER_PARAMETERS,
        responses=IcpClickCountSerializer(many=True),
    )
    def list(self, request):
        rows = queries.icp_click_counts(**self.figures_filters())
        return Response(IcpClickCountSerializer(rows, many=True).data)


class StatsViewSet(FiguresFilterMixin, viewsets.ViewSet):
    """The dashboard's figures, one action each: /api/stats/<figure>/."""

    @extend_schema(
        summary="Key figures",
        description=(
            f"Cohort figures: links_sent, links_clicked, click_rate, avg_clicks_per_clicker, median and "
            f"average time to first click. {COHORT}\n\nActivity figures: total_clicks, unique_clickers "
            f"(links clicked in range), bot_clicks_filtered and filtered_by_verdict (machine clicks in "
            f"range left out; all 0 with include_bots=true). {ACTIVITY}\n\nshared_links: links created in "
            "range that look forwarded. previous: the same KPIs for the period of the same length just "
            "before (null for range=all)."
        ),
        parameters=FILTER_PARAMETERS,
        responses=OverviewSerializer,
    )
    @action(detail=False, url_path="overview")
    def overview(self, request):
        filters = self.figures_filters()
        overview = {
            **queries.overview(**filters),
            "data_as_of": queries.data_as_of(),
            "previous": queries.previous_overview(**filters),
        }
        return Response(OverviewSerializer(overview).data)

    @extend_schema(
        summary="Conversion funnel (Sankey nodes and weighted edges)",
        description=f"Sent -> Clicked / Not clicked; Clicked -> Clicked once / Clicked 2+ times. {COHORT}",
        parameters=FILTER_PARAMETERS,
        responses=FunnelSerializer,
    )
    @action(detail=False, url_path="funnel")
    def funnel(self, request):
        return Response(FunnelSerializer(queries.funnel(**self.figures_filters())).data)

    @extend_schema(
        summary="Metrics per ICP: links sent, clickers, click rate, time to first click",
        description=(
            "Per ICP: links sent, unique clickers (links clicked), click rate (%), average clicks per "
            f"clicker, average time to first click (seconds). Most links sent first, ties by name. {COHORT}"
        ),
        parameters=FILTER_PARAMETERS,
        responses=IcpMetricsSerializer(many=True),
    )
    @action(detail=False, url_path="icp-metrics")
    def icp_metrics(self, request):
        rows = queries.icp_metrics(**self.figures_filters())
        return Response(IcpMetricsSerializer(rows, many=True).data)

    @extend_schema(
        summary="Clicks by weekday and hour",
        description=f"All 168 cells [weekday (0 = Monday), hour, clicks], in the configured TIME_ZONE. {ACTIVITY}",
        parameters=FILTER_PARAMETERS,
        responses=HeatmapSerializer,
    )
    @action(detail=False, url_path="heatmap")
    def heatmap(self, request):
        return Response(HeatmapSerializer(queries.heatmap(**self.figures_filters())).data)

    @extend_schema(
        summary="Clicks over time",
        description=(
            "Zero-filled: hourly over every hour the last 24 h touch for range=24h, daily otherwise "
            f"(for all: from the first click's day to today). Times in the configured TIME_ZONE. {ACTIVITY}"
        ),
        parameters=FILTER_PARAMETERS,
        responses=TimelineSerializer,
    )
    @action(detail=False, url_path="timeline")
    def timeline(self, request):
        return Response(TimelineSerializer(queries.timeline(**self.figures_filters())).data)

    @extend_schema(
        summary="The prospects who clicked most",
        description=(f"The `limit` prospects (links) with the most clicks in range, ties by latest click. {ACTIVITY}"),
        parameters=[*FILTER_PARAMETERS, LIMIT_PARAMETER],
        responses=TopClickerSerializer(many=True),
    )
    @action(detail=False, url_path="top-clickers")
    def top_clickers(self, request):
        rows = queries.top_clickers(**self.figures_filters(TopClickersFilterSet))
        return Response(TopClickerSerializer(rows, many=True).data)

    @extend_schema(
        summary="Accounts: the companies behind the prospects",
        description=(
            "One row per account: the e-mail's domain, or the full e-mail on a free-mail domain "
            "(gmail.com, orange.fr, ...). prospects = links created in range, clickers = those with a "
            f"click, icps = the ICPs of its clickers. Most clickers first, then most clicks. {COHORT} "
            "Paginated (page, page_size up to 200; 25 by default)."
        ),
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=AccountPageSerializer,
    )
    @action(detail=False, url_path="accounts")
    def accounts(self, request):
        filters = self.figures_filters()
        paginator = AccountPagination()
        rows = CountedRows(queries.accounts(**filters), lambda: queries.account_count(**filters))
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(AccountSerializer(page, many=True).data)

    @extend_schema(
        summary="Clicks by country",
        description=(
            "The country each click's IP address is registered to (regional internet registries' data, "
            "resolved offline at click time from the full address): for corporate networks, VPNs and "
            f'mobile carriers it may differ from where the person sits. "" is unknown. {ACTIVITY}'
        ),
        parameters=FILTER_PARAMETERS,
        responses=CountryClicksSerializer(many=True),
    )
    @action(detail=False, url_path="countries")
    def countries(self, request):
        rows = queries.clicks_by_country(**self.figures_filters())
        return Response(CountryClicksSerializer(rows, many=True).data)

    @extend_schema(
        summary="Clicks by city",
        description=(
            "The 20 cities with the most clicks, ties by name, located from each click's full IP address "
            "at click time in the operator's city database (GEOIP_MMDB_PATH, e.g. MaxMind GeoLite2-City). "
            "`country` is the click's country as in /api/stats/countries/. Clicks without a city are left "
            f"out: the list is empty without that database. {ACTIVITY}"
        ),
        parameters=FILTER_PARAMETERS,
        responses=CityClicksSerializer(many=True),
    )
    @action(detail=False, url_path="cities")
    def cities(self, request):
        rows = queries.clicks_by_city(**self.figures_filters())
        return Response(CityClicksSerializer(rows, many=True).data)

    @extend_schema(
        summary="Clicks by device type, operating system and browser",
        description=(
            "From each click's user agent, read by ua-parser as the click is stored (or held during a "
            f'database outage); "" is unknown. {ACTIVITY}'
        ),
        parameters=FILTER_PARAMETERS,
        responses=DevicesSerializer,
    )
    @action(detail=False, url_path="devices")
    def devices(self, request):
        return Response(DevicesSerializer(queries.clicks_by_device(**self.figures_filters())).data)


class CampaignViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Campaigns, for the filter drop-down",
        description="Every campaign by name, with its links sent and all-time human clicks. Not paginated.",
        responses=CampaignSerializer(many=True),
    )
    def list(self, request):
        return Response(CampaignSerializer(queries.campaigns(), many=True).data)
