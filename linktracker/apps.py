"""The background task queue (django-tasks-db) in the admin, in the operator's language."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks_db.apps import TasksAppConfig

# The package marks these words of its models (django_tasks_db.models, django_tasks.base) for
# translation but ships no French: listed here so that makemessages puts them in our catalogue
# ("run after" and "traceback" are marked by linktracker.admin, which names those columns).
TASK_QUEUE_WORDS = (
    _("Task Result"),
    _("Task Results"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("priority"),
    _("queue name"),
    _("backend name"),
    _("return value"),
    _("worker id"),
    _("task path"),
    _("args kwargs"),
    _("exception class path"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)


class TaskQueueConfig(TasksAppConfig):
    """django_tasks_db under its own label (its tables and migrations unchanged), named for the admin."""

    verbose_name = _("Background tasks")
