from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.timezone import localtime
from django.utils.translation import gettext
from import_export.admin import ImportExportModelAdmin

from links.models import NOT_DEFINED_ICP, Campaign, Link, Status
from links.resources import LinkExportResource, LinkImportResource


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
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.action(description="Forget these prospects (GDPR): delete their links and clicks in every campaign")
def forget_prospects(modeladmin, request, queryset):
    """The admin's `forget_prospect`: every link of the selected links' e-mails, case-insensitively."""
    emails = {email.lower() for email in queryset.values_list("email", flat=True)}
    matching = Q()
    for email in emails:
        matching |= Q(email__iexact=email)
    _, deleted = Link.objects.filter(matching).delete()
    modeladmin.message_user(
        request,
        f"Forgot {len(emails)} prospect(s): deleted {deleted.get('links.Link', 0)} link(s) "
        f"and {deleted.get('tracker.Click', 0)} click(s).",
    )


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
    readonly_fields = ["token", "created_at", "account", "sharing_evidence"]
    fields = [
        "token",
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

    def get_queryset(self, request):
        return super().get_queryset(request).with_click_summary()

    def get_import_resource_classes(self, request):
        return [LinkImportResource]

    def get_export_resource_classes(self, request):
        return [LinkExportResource]

    @admin.display(description="name", ordering="last_name")
    def full_name(self, link):
        return link.full_name

    @admin.display(description="ICP", ordering="icp")
    def icp_label(self, link):
        return link.icp_label

    @admin.display(description="human clicks", ordering="click_count")
    def human_clicks(self, link):
        return link.click_count

    @admin.display(ordering="first_click")
    def first_click(self, link):
        return link.first_click

    @admin.display(ordering="last_click")
    def last_click(self, link):
        return link.last_click

    @admin.display(ordering="status")
    def status(self, link):
        return link.status

    @admin.display(description="forwarded", boolean=True, ordering="shared")
    def shared(self, link):
        return link.shared

    @admin.display(description="forwarding evidence")
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
    list_display = ["name", "links_sent", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(links_sent=Count("links"))

    @admin.display(ordering="links_sent")
    def links_sent(self, campaign):
        return campaign.links_sent
