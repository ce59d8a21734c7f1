"""Response shapes of the stats endpoints (docs/API.md), for the OpenAPI schema and for output:
times come out in ISO 8601 in the configured TIME_ZONE."""

import json

from rest_framework import serializers


class IcpClickCountSerializer(serializers.Serializer):
    icp = serializers.CharField(help_text='The ICP; "Non défini" for links without one.')
    click_count = serializers.IntegerField()


class VerdictCountsSerializer(serializers.Serializer):
    scanner = serializers.IntegerField()
    preview = serializers.IntegerField()
    prefetch = serializers.IntegerField()
    bot = serializers.IntegerField()
    internal = serializers.IntegerField(help_text="The team's own clicks (see README, Hot-lead alerts).")


class PreviousOverviewSerializer(serializers.Serializer):
    links_sent = serializers.IntegerField()
    links_clicked = serializers.IntegerField()
    click_rate = serializers.FloatField()
    total_clicks = serializers.IntegerField()
    unique_clickers = serializers.IntegerField()
    avg_clicks_per_clicker = serializers.FloatField(allow_null=True)
    median_time_to_first_click = serializers.FloatField(allow_null=True)
    avg_time_to_first_click = serializers.FloatField(allow_null=True)


class OverviewSerializer(serializers.Serializer):
    links_sent = serializers.IntegerField(help_text="Cohort: links created in range.")
    links_clicked = serializers.IntegerField(help_text="Cohort: links created in range clicked at least once.")
    click_rate = serializers.FloatField(help_text="Cohort: links clicked / links sent, in %, one decimal.")
    total_clicks = serializers.IntegerField(help_text="Activity: clicks in range.")
    unique_clickers = serializers.IntegerField(help_text="Activity: links clicked in range.")
    avg_clicks_per_clicker = serializers.FloatField(
        allow_null=True, help_text="Cohort: clicks of the clicked links / links clicked; null if none."
    )
    median_time_to_first_click = serializers.FloatField(allow_null=True, help_text="Cohort, seconds.")
    avg_time_to_first_click = serializers.FloatField(allow_null=True, help_text="Cohort, seconds.")
    bot_clicks_filtered = serializers.IntegerField(
        help_text="Activity: machine clicks in range left out (0 with include_bots=true)."
    )
    filtered_by_verdict = VerdictCountsSerializer()
    data_as_of = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When the background worker last caught up with the clicks: the link counters behind these "
            "figures include every click stored before it (a second behind while the worker runs). "
            "null before its first pass."
        ),
    )
    shared_links = serializers.IntegerField(help_text="Cohort: links created in range that look forwarded.")
    previous = PreviousOverviewSerializer(
        allow_null=True,
        help_text="The same KPIs for the period of the same length just before (7d: the 7 days before); "
        "null for range=all.",
    )


class FunnelNodeSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["Sent", "Clicked", "Not clicked", "Clicked once", "Clicked 2+ times"])
    value = serializers.IntegerField()


class FunnelEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    value = serializers.IntegerField()


class FunnelSerializer(serializers.Serializer):
    nodes = FunnelNodeSerializer(many=True)
    links = FunnelEdgeSerializer(many=True)


class IcpMetricsSerializer(serializers.Serializer):
    icp = serializers.CharField()
    links_sent = serializers.IntegerField()
    unique_clickers = serializers.IntegerField()
    click_rate = serializers.FloatField()
    avg_clicks_per_clicker = serializers.FloatField(allow_null=True)
    avg_time_to_first_click = serializers.FloatField(allow_null=True, help_text="Seconds.")


class HeatmapSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.CharField())
    hours = serializers.ListField(child=serializers.IntegerField())
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=3, max_length=3),
        help_text="[weekday (0 = Monday), hour, clicks], all 168 cells.",
    )
    max = serializers.IntegerField()


class TimelinePointSerializer(serializers.Serializer):
    t = serializers.DateTimeField(help_text="Start of the hour or day, in TIME_ZONE.")
    clicks = serializers.IntegerField()


class TimelineSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=["hour", "day"])
    points = TimelinePointSerializer(many=True)


class TopClickerSerializer(serializers.Serializer):
    link_id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    icp = serializers.CharField(source="icp_name")
    campaign = serializers.CharField(source="campaign_name")
    clicks = serializers.IntegerField(source="click_count")
    last_click = serializers.DateTimeField()


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    links_sent = serializers.IntegerField()
    clicks = serializers.IntegerField(help_text="All-time human clicks.")


class AccountSerializer(serializers.Serializer):
    account = serializers.CharField(help_text="The e-mail's domain; the full e-mail on a free-mail domain.")
    prospects = serializers.IntegerField(help_text="Links created in range for this account.")
    clickers = serializers.IntegerField(help_text="Of those, the prospects with a counted click.")
    clicks = serializers.IntegerField()
    icps = serializers.SerializerMethodField(help_text='The ICPs of its clickers, by name ("Non défini" without ICP).')
    first_click_at = serializers.DateTimeField(allow_null=True)
    last_click_at = serializers.DateTimeField(allow_null=True)

    def get_icps(self, row) -> list[str]:
        return sorted({icp for icp in json.loads(row["icps_json"] or "[]") if icp is not None})


class AccountPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Accounts in all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AccountSerializer(many=True)


class CountryClicksSerializer(serializers.Serializer):
    country = serializers.CharField(
        allow_blank=True, help_text='ISO 3166 alpha-2 code of the country the address is registered to; "" if unknown.'
    )
    clicks = serializers.IntegerField()


class CityClicksSerializer(serializers.Serializer):
    country = serializers.CharField(
        allow_blank=True, help_text='The country of the clicks (as in /api/stats/countries/); "" if unknown.'
    )
    city = serializers.CharField(help_text="English name of the city, from the GEOIP_MMDB_PATH database.")
    clicks = serializers.IntegerField()


class NamedClicksSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, help_text='"" when unknown or not described yet.')
    clicks = serializers.IntegerField()


class DevicesSerializer(serializers.Serializer):
    device_types = NamedClicksSerializer(many=True, help_text="desktop, mobile, tablet, other.")
    os = NamedClicksSerializer(many=True)
    browsers = NamedClicksSerializer(many=True)
