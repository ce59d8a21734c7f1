"""API tokens in the admin: create (the key is shown once, on the page that follows), list, revoke."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import TokenProxy

from access.models import ApiToken

# Keys now live hashed in access.ApiToken; DRF's plain tokens (migrated, then removed) would
# authenticate nothing, so their admin page is not offered.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.action(
    description=gettext_lazy("Revoke the selected tokens (requests with them get 401)"), permissions=["change"]
)
def revoke_tokens(modeladmin, request, queryset):
    tokens = list(queryset.filter(revoked_at__isnull=True))
    for token in tokens:
        token.revoke()
    modeladmin.message_user(request, _("Revoked %d token(s).") % len(tokens), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix", "user__username"]
    list_select_related = ["user"]
    actions = [revoke_tokens]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope"]
        return ["user", "name", "scope", "key_prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "scope", *self.readonly_fields]  # a token's owner and power never change

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, request._api_token_key = ApiToken.objects.create_token(obj.user, obj.scope, obj.name)
        obj.pk, obj.key_prefix, obj.key_hash = token.pk, token.key_prefix, token.key_hash

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new key once, on its own page (never in a message stored in a cookie)."""
        return TemplateResponse(
            request,
            "admin/access/apitoken/key_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": ApiToken.objects.get(pk=obj.pk),
                "key": request._api_token_key,
                "title": _("Copy the new API token's key"),
            },
        )
