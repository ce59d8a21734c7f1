"""What Clay sends to POST /api/links/ and what the links API answers."""

from django.utils.functional import cached_property
from rest_framework import serializers

from links.models import PROSPECT_FIELDS, Campaign, Link, validate_destination_url
from links.public_urls import tracking_url_prefix

MAX_LINKS_PER_REQUEST = 10_000

_link_field = Link._meta.get_field


class TextField(serializers.CharField):
    """A CharField that takes only JSON strings: a number or an object is a mistake in the
    request body, not something to str() into a prospect's name. (CharField already refuses NUL
    and lone surrogate characters, which PostgreSQL cannot store.)"""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(TextField, serializers.EmailField):
    pass


class OptionalTextField(TextField):
    """An optional string where "", blanks and null all mean "not given" (Clay's empty column)."""

    def __init__(self, model_field, **kwargs):
        super().__init__(
            max_length=_link_field(model_field).max_length,
            required=False,
            allow_blank=True,
            allow_null=True,
            **kwargs,
        )


class OptionalDateTimeField(serializers.DateTimeField):
    """An optional ISO 8601 time where "", blanks and null mean "not given". Converted to the
    configured time zone, so an odd offset such as -20:06 never reaches PostgreSQL."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, **kwargs)

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            data = None
        return super().validate_empty_values(data)


class ProspectSerializer(serializers.Serializer):
    """One prospect row from Clay. Its validated data holds the required keys, normalised, and only
    the optional fields that were given a value, so a repeat never blanks what it left empty."""

    first_name = OptionalTextField("first_name")
    last_name = OptionalTextField("last_name")
    email = StrictEmailField(max_length=_link_field("email").max_length)
    icp = OptionalTextField("icp", help_text='Also accepted as "ICP". Empty means "Non défini".')
    campaign = TextField(max_length=Campaign._meta.get_field("name").max_length)
    destination_url = TextField(
        max_length=_link_field("destination_url").max_length, validators=[validate_destination_url]
    )
    sent_at = OptionalDateTimeField()
    channel = OptionalTextField("channel", help_text="e.g. email, linkedin")

    def to_internal_value(self, data):
        """Take "ICP" as Clay's column spells it; its errors come back under the key the caller used."""
        icp_key = "icp"
        if isinstance(data, dict) and data.get("ICP") not in (None, ""):
            data, icp_key = {**data, "icp": data["ICP"]}, "ICP"
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if icp_key != "icp" and isinstance(error.detail, dict) and "icp" in error.detail:
                error.detail[icp_key] = error.detail.pop("icp")
            raise

    def validate_email(self, value):
        return value.lower()

    def validate(self, attrs):
        return {name: value for name, value in attrs.items() if name not in PROSPECT_FIELDS or value not in ("", None)}


class ProspectListSerializer(serializers.ListSerializer):
    child = ProspectSerializer()

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args,
            allow_empty=False,
            max_length=MAX_LINKS_PER_REQUEST,
            error_messages={
                "max_length": f"Send at most {MAX_LINKS_PER_REQUEST} links per request; split the list.",
                "empty": "Send at least one link.",
            },
            **kwargs,
        )

    def to_internal_value(self, data):
        """Per-item errors come back as a list aligned with the request, {} for good items."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict) and all(isinstance(index, int) for index in error.detail):
                rows = [error.detail.get(index, {}) for index in range(len(data))]
            elif isinstance(error.detail, list) and len(error.detail) == len(data):
                rows = error.detail
            else:
                raise
            # A null row fails as a bare list of messages; keep the {"field": [...]} shape per row.
            raise serializers.ValidationError(
                [row if isinstance(row, dict) else {"non_field_errors": row} for row in rows]
            )


class LinkSerializer(serializers.ModelSerializer):
    """A link as the API answers it; `tracking_url` is the URL to put in the message."""

    tracking_url = serializers.SerializerMethodField()
    campaign = serializers.CharField(source="campaign.name", read_only=True)

    class Meta:
        model = Link
        fields = [
            "id",
            "token",
            "tracking_url",
            "first_name",
            "last_name",
            "email",
            "icp",
            "campaign",
            "destination_url",
            "channel",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_tracking_url(self, link) -> str:
        domain_id = link.campaign.tracking_domain_id
        prefix = self.tracking_url_prefixes.get(domain_id)
        if prefix is None:
            prefix = self.tracking_url_prefixes[domain_id] = tracking_url_prefix(self.context["request"], link.campaign)
        return prefix + link.token

    @cached_property
    def tracking_url_prefixes(self):
        """{tracking domain id or None: prefix}, worked out once per domain and response: a bulk
        answer holds 10,000 links."""
        return {}


class LinkWithClicksSerializer(LinkSerializer):
    """A row of the links list: the link with its all-time human clicks and its status, its account,
    and whether it looks forwarded (`shared`) with the evidence: distinct devices and networks of
    its human clicks, first and last of them."""

    clicks = serializers.IntegerField(source="click_count", read_only=True)
    first_click = serializers.DateTimeField(read_only=True, allow_null=True)
    last_click = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)

    class Meta(LinkSerializer.Meta):
        fields = LinkSerializer.Meta.fields + [
            "clicks",
            "first_click",
            "last_click",
            "status",
            "account",
            "shared",
            "shared_devices",
            "shared_networks",
            "shared_first_click_at",
            "shared_last_click_at",
        ]
        read_only_fields = fields


class LinkLookupQuerySerializer(serializers.Serializer):
    """The query of GET /api/links/lookup: which prospect's link."""

    email = StrictEmailField(help_text="The prospect's e-mail, as sent when the link was created (any case).")
    campaign = TextField(max_length=200, help_text="The campaign name, as sent when the link was created.")
    destination_url = TextField(
        required=False,
        max_length=2048,
        help_text="Only needed when the prospect has several links in the campaign (the newest is answered).",
    )

    def validate_email(self, value):
        return value.lower()


class LinkStatusSerializer(serializers.Serializer):
    """One link's click status, flat, for a Clay HTTP API column."""

    status = serializers.CharField(help_text="Clicked, Scanner only or Not clicked (as in the CSV export).")
    human_clicks = serializers.IntegerField(source="click_count")
    first_click_at = serializers.DateTimeField(source="first_click", allow_null=True)
    last_click_at = serializers.DateTimeField(source="last_click", allow_null=True)
    tracking_url = serializers.SerializerMethodField()
    token = serializers.CharField()

    def get_tracking_url(self, link) -> str:
        return tracking_url_prefix(self.context["request"]) + link.token
