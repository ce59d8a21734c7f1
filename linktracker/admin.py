"""The admin carries the product's name (its palette is in templates/admin/base_site.html), and the
background task queue's pages speak the operator's language."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.site_header = _("Link Tracker administration")
admin.site.site_title = _("Link Tracker admin")
admin.site.index_title = _("Links, campaigns and clicks")


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's own admin, with the three columns it names in English only (a model
    property and two display methods with untranslated descriptions) named through our catalogue."""

    list_display = tuple("task" if name == "task_name" else name for name in DBTaskResultAdmin.list_display)

    @admin.display(description=_("task"))
    def task(self, result: DBTaskResult) -> str:
        return result.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, result: DBTaskResult) -> str:
        return super().formatted_traceback(result)

    @admin.display(description=_("run after"))
    def display_run_after(self, result: DBTaskResult):
        return super().display_run_after(result)
