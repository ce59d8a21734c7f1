"""System checks for the click data the worker derives."""

from django.conf import settings
from django.core.checks import Warning, register

DESCRIBE_JOB = "tracker.devices.describe_new_clicks"


@register()
def describe_job_is_scheduled(app_configs, **kwargs):
    """Devices, OS, browsers and the forwarding evidence come from the worker's describe job: say
    so when the worker is configured without it."""
    jobs = getattr(settings, "WORKER_JOBS", None)
    if jobs is None or DESCRIBE_JOB in jobs:
        return []
    return [
        Warning(
            f"WORKER_JOBS does not include {DESCRIBE_JOB}.",
            hint="Without it clicks get no device type, OS or browser and no link is marked as "
            "forwarded. Add it to WORKER_JOBS, or run `manage.py describe_clicks --sharing` now and then.",
            id="tracker.W001",
        )
    ]
