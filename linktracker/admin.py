"""The admin carries the product's name (its palette is in templates/admin/base_site.html)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Link Tracker administration")
admin.site.site_title = _("Link Tracker admin")
admin.site.index_title = _("Links, campaigns and clicks")
