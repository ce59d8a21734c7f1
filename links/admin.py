import contextvars

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from links import forgetting
from links.models import NOT_DEFINED_ICP, Campaign, Link, Status, TrackingDomain
from links.public_urls import tracking_url
from links.resources import LinkExportResource, LinkImportResource, SpreadsheetCsv, UnreadableFile

# Up to this many links, the delete confirmation page names each link and click (Django's page).
LISTED_DELETIONS = 100

# The request of the change page being drawn: a read-only field is given only the link, and its
# tracking URL needs the host the operator reached (when PUBLIC_BASE_URL is not set).
CHANGE_PAGE_REQUEST = contextvars.ContextVar("change_page_request")


class IcpFilter(admin.SimpleListFilter):
    """ICP values in use, with "Non défini" for links without one."""

    title = "ICP"
    parameter_name = "icp"

    def lookups(self, request, model_admin):
        labels = Link.objects.exclude(icp__isnull=True).exclude(icp="").values_list("icp", flat=True)
        return [(NOT_DEFINED_ICP, NOT_DEFINED_ICP)] + [(icp, icp) for icp in labels.distinct().order_by("icp")]

    def queryset(self, request, queryset):
        if self.value() == NOT_DEFINED_ICP:
            return queryset.filter(Q(icp__isnull=True) | Q(icp=""))
        if self.value():
            return queryset.filter(icp=self.value())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.action(
    description=gettext_lazy("Forget these prospects (GDPR): delete their links and clicks in every campaign"),
    permissions=["delete"],
)
def forget_prospects(modeladmin, request, queryset):
    """The admin's `forget_prospect`: every link of the selected links' e-mails, case-insensitively,
    after a confirmation page like Django's own delete."""
    emails = {email.lower() for email in queryset.values_list("email", flat=True)}
    if request.POST.get("post") != "yes":
        links = forgetting.links_of(emails).select_related("campaign").order_by("email", "campaign__name")
        return TemplateResponse(
            request,
            "admin/links/link/forget_prospects_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": _("Forget these prospects?"),
                "opts": modeladmin.model._meta,
                "emails": sorted(emails),
                "links": links,
                "queryset": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
    report = forgetting.forget_prospects(emails)
    modeladmin.message_user(
        request,
        _("Forgot %(people)d prospect(s): deleted %(links)d link(s) and %(clicks)d click(s).")
        % {"people": len(emails), "links": report.links, "clicks": report.clicks},
    )
    return None


class LimitedImportForm(ImportForm):
    """The import form, refusing a file of more than ADMIN_IMPORT_MAX_ROWS rows before any row is
    processed: the admin imports row by row (~20 ms each), so a big file would outlast the web
    server's timeout. Bigger lists go through POST /api/links/ (10,000 per request, bulk)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats

    def clean(self):
        cleaned = super().clean()
        upload, format_index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or format_index in (None, ""):
            return cleaned
        input_format = self.import_formats[int(format_index)]()
        data = upload.read()
        upload.seek(0)
        try:
            rows = len(input_format.create_dataset(data if input_format.is_binary() else data.decode("utf-8-sig")))
        except Exception:  # an unreadable file is reported by the import itself
            return cleaned
        limit = settings.ADMIN_IMPORT_MAX_ROWS
        if rows > limit:
            self.add_error(
                "import_file",
                _(
                    "This file has %(rows)d rows; the admin imports at most %(limit)d at a time. Split it, or "
                    "send the rows to POST /api/links/ (up to 10,000 per request)."
                )
                % {"rows": rows, "limit": limit},
            )
        return cleaned


@admin.register(Link)
class LinkAdmin(ImportExportModelAdmin):
    list_display = [
        "full_name",
        "email",
        "icp_label",
        "campaign",
        "human_clicks",
        "first_click",
        "last_click",
        "status",
        "shared",
    ]
    list_filter = ["campaign", IcpFilter, ("created_at", admin.DateFieldListFilter), StatusFilter, "shared"]
    search_fields = ["first_name", "last_name", "email", "account"]
    list_select_related = ["campaign"]
    readonly_fields = ["token", "tracking_url", "created_at", "account", "sharing_evidence"]
    fields = [
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
        "account",
        "sharing_evidence",
    ]
    inlines = []  # tracker/admin.py appends the read-only clicks
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, today
    actions = [forget_prospects]
    import_form_class = LimitedImportForm

    def get_queryset(self, request):
        return super().get_queryset(request).with_click_summary()

    def get_deleted_objects(self, objs, request):
        """Past LISTED_DELETIONS links (a whole campaign selected), the confirmation page gives the
        counts of links and clicks instead of a line per object: 10,000 links would be a page of
        tens of thousands of lines, built with a query per click."""
        if not isinstance(objs, models.QuerySet) or objs.count() <= LISTED_DELETIONS:
            return super().get_deleted_objects(objs, request)
        click_model = Link._meta.get_field("clicks").related_model
        totals = objs.aggregate(links=Count("pk"), clicks=Sum(F("human_clicks") + F("machine_clicks")))
        perms_needed = {
            str(model._meta.verbose_name)
            for model in (Link, click_model)
            if not request.user.has_perm(f"{model._meta.app_label}.{get_permission_codename('delete', model._meta)}")
        }
        summary = _("%(links)s links and their %(clicks)s clicks (too many to list one by one)") % {
            "links": number_format(totals["links"], force_grouping=True),
            "clicks": number_format(totals["clicks"] or 0, force_grouping=True),
        }
        model_count = {
            Link._meta.verbose_name_plural: totals["links"],
            click_model._meta.verbose_name_plural: totals["clicks"] or 0,
        }
        return [summary], model_count, perms_needed, []

    def has_import_permission(self, request):
        """An import creates and updates links: it needs both permissions (the setting names one)."""
        return super().has_import_permission(request) and request.user.has_perm("links.change_link")

    def get_import_resource_classes(self, request):
        return [LinkImportResource]

    def get_import_formats(self):
        """CSV first, read as spreadsheets save it (separator and encoding worked out)."""
        return [SpreadsheetCsv, *(f for f in super().get_import_formats() if f is not base_formats.CSV)]

    def add_data_read_fail_error_to_form(self, form, exception):
        """A file we cannot read says why and what to do, not just the exception's name."""
        if isinstance(exception, UnreadableFile):
            form.add_error("import_file", str(exception))
        else:
            form.add_error(
                "import_file",
                _("This file could not be read as %(format)s. Check the format chosen, or save the file as CSV.")
                % {"format": form.cleaned_data.get("format", "")},
            )

    def save_model(self, request, obj, form, change):
        """An ICP typed in the form takes the spelling of the ICP it matches ("ceo" -> "CEO")."""
        if obj.icp:
            obj.icp = Link.objects.icp_spellings([obj.icp]).get(obj.icp, obj.icp)
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("tracking URL"))
    def tracking_url(self, link):
        """The full URL to copy into a message (PUBLIC_BASE_URL, else this request's host)."""
        request = CHANGE_PAGE_REQUEST.get(None)
        return tracking_url(request, link.token) if request and link.pk else "-"

    def changeform_view(self, request, *args, **kwargs):
        reset_token = CHANGE_PAGE_REQUEST.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # while the request is known, not after this view returns
            return response
        finally:
            CHANGE_PAGE_REQUEST.reset(reset_token)

    def get_export_resource_classes(self, request):
        return [LinkExportResource]

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def full_name(self, link):
        return link.full_name

    @admin.display(description="ICP", ordering="icp")
    def icp_label(self, link):
        return link.icp_label

    @admin.display(description=gettext_lazy("first click"), ordering="first_click")
    def first_click(self, link):
        return link.first_click

    @admin.display(description=gettext_lazy("last click"), ordering="last_click")
    def last_click(self, link):
        return link.last_click

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status(self, link):
        return link.status

    @admin.display(description=gettext_lazy("forwarding evidence"))
    def sharing_evidence(self, link):
        if not link.shared_first_click_at:
            return gettext("No human click yet.")
        return gettext(
            "%(verdict)s: %(devices)d device(s), %(networks)d network(s), human clicks from %(first)s to %(last)s."
        ) % {
            "verdict": gettext("Looks forwarded") if link.shared else gettext("One person"),
            "devices": link.shared_devices,
            "networks": link.shared_networks,
            "first": f"{localtime(link.shared_first_click_at):%Y-%m-%d %H:%M}",
            "last": f"{localtime(link.shared_last_click_at):%Y-%m-%d %H:%M}",
        }


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "tracking_domain", "links_sent", "created_at"]
    list_filter = ["tracking_domain"]
    list_select_related = ["tracking_domain"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(links_sent=Count("links"))

    @admin.display(ordering="links_sent")
    def links_sent(self, campaign):
        return campaign.links_sent


@admin.register(TrackingDomain)
class TrackingDomainAdmin(admin.ModelAdmin):
    """Tracking domains: a new one works at once, no restart and no ALLOWED_HOSTS change."""

    list_display = ["host", "root_url", "not_found_url", "campaign_count", "created_at"]
    search_fields = ["host"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(campaign_count=Count("campaigns"))

    @admin.display(description=gettext_lazy("campaigns"), ordering="campaign_count")
    def campaign_count(self, domain):
        return domain.campaign_count
