"""The dashboard's filters, parsed and validated by django-filter FilterSets.

The stats endpoints are not list views over one model (each figure is its own aggregation), so
they use these FilterSets to read and validate the query string and hand the cleaned values to
analytics.queries.
"""

import django_filters
from django import forms
from rest_framework.exceptions import ValidationError

from links.periods import ALLOWED_PERIODS_MESSAGE, Period

MAX_TOP_CLICKERS = 100
DEFAULT_TOP_CLICKERS = 10


class StatsFilterSet(django_filters.FilterSet):
    range = django_filters.ChoiceFilter(
        choices=Period.choices,
        empty_label=None,
        method="keep",
        error_messages={"invalid_choice": ALLOWED_PERIODS_MESSAGE},
        help_text="Period: 24h, 7d, 30d or all (default).",
    )
    campaign = django_filters.CharFilter(method="keep", help_text="A campaign name.")
    include_bots = django_filters.BooleanFilter(
        method="keep", help_text="Count machine clicks (scanner, preview, prefetch, bot) too."
    )

    def keep(self, queryset, name, value):
        """The figures apply the filters themselves (see analytics.queries)."""
        return queryset

    def figures_filters(self):
        """The cleaned filters as keyword arguments of analytics.queries, or a 400."""
        if not self.is_valid():
            raise ValidationError(self.errors)
        data = self.form.cleaned_data
        return {
            "period": data.get("range") or Period.ALL_TIME,
            "campaign": data.get("campaign") or "",
            "include_bots": bool(data.get("include_bots")),
        }


class LimitFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TopClickersFilterSet(StatsFilterSet):
    limit = LimitFilter(
        method="keep",
        min_value=1,
        max_value=MAX_TOP_CLICKERS,
        error_messages={
            "invalid": f"Enter a whole number from 1 to {MAX_TOP_CLICKERS}.",
            "min_value": f"Enter a whole number from 1 to {MAX_TOP_CLICKERS}.",
            "max_value": f"Enter a whole number from 1 to {MAX_TOP_CLICKERS}.",
        },
        help_text=f"How many prospects, 1 to {MAX_TOP_CLICKERS} (default {DEFAULT_TOP_CLICKERS}).",
    )

    def figures_filters(self):
        filters = super().figures_filters()
        filters["limit"] = self.form.cleaned_data.get("limit") or DEFAULT_TOP_CLICKERS
        return filters
