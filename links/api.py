"""The links API: Clay's POST /api/links/ (one prospect or a list), the list, one link, delete."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from links.filters import LinkFilter
from links.models import Link
from links.serializers import (
    LinkSerializer,
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
