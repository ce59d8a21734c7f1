"""The dashboard's periods (`range` = 24h, 7d, 30d, all) and where each starts."""

from datetime import timedelta

from django.db import models
from django.utils import timezone


class Period(models.TextChoices):
    LAST_24_HOURS = "24h", "Last 24 hours"
    LAST_7_DAYS = "7d", "Last 7 days"
    LAST_30_DAYS = "30d", "Last 30 days"
    ALL_TIME = "all", "All time"


_LENGTHS = {
    Period.LAST_24_HOURS: timedelta(hours=24),
    Period.LAST_7_DAYS: timedelta(days=7),
    Period.LAST_30_DAYS: timedelta(days=30),
}

ALLOWED_PERIODS_MESSAGE = "Select a valid range: one of " + ", ".join(Period.values) + "."


def period_start(period, now=None):
    """Return the first instant of `period` (a Period value), or None for all time."""
    length = _LENGTHS.get(Period(period or Period.ALL_TIME))
    if length is None:
        return None
    return (now or timezone.now()) - length


def previous_period(period, now=None):
    """Return (start, end) of the period of the same length just before `period` (end excluded:
    7d -> the 7 days before the last 7), or None for all time."""
    length = _LENGTHS.get(Period(period or Period.ALL_TIME))
    if length is None:
        return None
    start = (now or timezone.now()) - length
    return start - length, start
