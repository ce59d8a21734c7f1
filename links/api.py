"""The links API: Clay's POST /api/links/ (one prospect or a list), the list, one link, delete."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from links.filters import LinkFilter
from links.models import Link
from links.serializers import (
    LinkLookupQuerySerializer,
    LinkSerializer,
    LinkStatusSerializer,
    LinkWithClicksSerializer,
    ProspectListSerializer,
    ProspectSerializer,
)


class LinkPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class LinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Links with their click summary. Editing a link is the admin's job, not the API's.

    Who may (access.permissions): creating needs the `ingest` scope (Clay's token) or the add
    permission; reading `read`; deleting `admin` or the delete permission (editors)."""

    required_scopes = {"create": "ingest", "list": "read", "retrieve": "read", "destroy": "admin"}

    # Explicit order: Django drops Meta.ordering from aggregated (GROUP BY) queries.
    queryset = Link.objects.with_click_summary().select_related("campaign").order_by("-created_at", "-id")
    serializer_class = LinkWithClicksSerializer
    filterset_class = LinkFilter
    pagination_class = LinkPagination
    # Parsers: the project's default, JSON only (a form or multipart body is a 415).

    @extend_schema(
        request=ProspectSerializer,
        responses={
            201: OpenApiResponse(LinkSerializer, description="Created (for a list: at least one new link)."),
            200: OpenApiResponse(LinkSerializer, description="This prospect's link already existed."),
        },
        description="One prospect object, or a list of up to 10,000 (all or nothing; the answer is "
        "the list of links in the order sent).",
    )
    def create(self, request):
        """Create the prospect's link, or answer the existing one for the same
        (email, campaign, destination_url)."""
        many = isinstance(request.data, list)
        if not many and not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object, or a list of objects."]})
        prospects = (ProspectListSerializer if many else ProspectSerializer)(data=request.data)
        prospects.is_valid(raise_exception=True)
        saved = Link.objects.save_prospects(prospects.validated_data if many else [prospects.validated_data])
        links = LinkSerializer([link for link, _ in saved], many=True, context=self.get_serializer_context())
        any_created = any(created for _, created in saved)
        return Response(
            links.data if many else links.data[0],
            status=status.HTTP_201_CREATED if any_created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[LinkLookupQuerySerializer],
        responses={
            200: OpenApiResponse(LinkStatusSerializer, description="The link's click status."),
            404: OpenApiResponse(description="No link for this e-mail in this campaign."),
        },
        description="One prospect's click status, flat, for a second HTTP API column in Clay that "
        "refreshes a row (the same rule as the CSV's Status column). Answers with and without the "
        "trailing slash.",
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="lookup", filterset_class=None, pagination_class=None)
    def lookup(self, request):
        """Return the click status of the prospect's link in the campaign (the newest one if the
        prospect has several there and no destination_url is given)."""
        query = LinkLookupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        links = Link.objects.with_click_summary().filter(
            email=query.validated_data["email"], campaign__name=query.validated_data["campaign"]
        )
        if "destination_url" in query.validated_data:
            links = links.filter(destination_url=query.validated_data["destination_url"])
        link = links.order_by("-created_at", "-id").first()
        if link is None:
            raise NotFound("No link for this e-mail in this campaign.")
        return Response(LinkStatusSerializer(link, context=self.get_serializer_context()).data)
