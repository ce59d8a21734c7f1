"""Clicks in the admin: read-only, since they are what happened; verdict and reason up front."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from links.admin import LinkAdmin
from tracker.derivation import mark_figures_stale
from tracker.models import Click

CLICK_FIELDS = ["clicked_at", "verdict", "reason", "ip", "user_agent", "referer"]


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    # Delete stays allowed: deleting a link in the admin deletes its clicks and needs that permission.
    list_display = ["prospect", "campaign", "clicked_at", "verdict", "reason", "ip", "user_agent"]
    list_filter = ["verdict", ("clicked_at", admin.DateFieldListFilter)]
    list_select_related = ["link__campaign"]
    search_fields = ["link__email", "reason", "user_agent"]
    fields = ["link", *CLICK_FIELDS]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("prospect"), ordering="link__last_name")
    def prospect(self, click):
        return click.link.full_name or click.link.email

    @admin.display(description=_("campaign"), ordering="link__campaign__name")
    def campaign(self, click):
        return click.link.campaign.name

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        with transaction.atomic():
            mark_figures_stale(Click.objects.filter(pk=obj.pk))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            mark_figures_stale(queryset)
            super().delete_queryset(request, queryset)


class ClickInline(admin.TabularInline):
    model = Click
    fields = CLICK_FIELDS
    readonly_fields = CLICK_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


LinkAdmin.inlines = [*LinkAdmin.inlines, ClickInline]
