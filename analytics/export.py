"""CSV export of links (GET /api/export.csv), streamed so 100,000 links never sit in memory."""

import csv
import re

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from links.filters import LinkFilter
from links.models import Link
from links.periods import Period
from links.resources import LinkExportResource

# Excel reads a CSV without a byte order mark as the machine's legacy code page (é shows as Ã©);
# with it, Excel opens UTF-8 intact. Google Sheets and LibreOffice skip the mark.
BYTE_ORDER_MARK = "\ufeff"


class _Echo:
    """A file whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, line):
        return line


class CsvOrJsonErrors(BaseContentNegotiation):
    """The success is always CSV and errors (401, 400) always JSON, whatever Accept says: a
    browser's or a spreadsheet's Accept header must not turn the export into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_filename(campaign, period, today):
    """Return links-<campaign or all-campaigns>-<range>-<YYYY-MM-DD>.csv with safe characters only."""
    campaign = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign).strip("-.") if campaign else ""
    return f"links-{campaign or 'all-campaigns'}-{period}-{today:%Y-%m-%d}.csv"


class LinksCsvExport(GenericAPIView):
    """Stream the filtered links as CSV (RFC 4180: CRLF line ends), UTF-8 with a byte order mark
    for Excel. Honours the links list's filters; a fixed number of queries whatever the count."""

    queryset = Link.objects.with_click_summary().select_related("campaign").order_by("-created_at", "-id")
    filterset_class = LinkFilter
    pagination_class = None
    renderer_classes = [JSONRenderer]
    content_negotiation_class = CsvOrJsonErrors

    @extend_schema(operation_id="export_csv", filters=True, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        links = self.filter_queryset(self.get_queryset())  # a bad filter value answers 400 here
        resource = LinkExportResource()
        writer = csv.writer(_Echo())

        def lines():
            yield BYTE_ORDER_MARK + writer.writerow(resource.get_export_headers())
            for row in resource.export_rows(links):
                yield writer.writerow(row)

        filename = export_filename(
            request.query_params.get("campaign"),
            request.query_params.get("range") or Period.ALL_TIME,
            timezone.localdate(),
        )
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


export_links_csv = LinksCsvExport.as_view()
