"""Filters of the links list and the CSV export:
?range=&campaign=&icp=&account=&status=&search=&ordering=."""

import django_filters
from django.db.models import F, Q

from links.models import NOT_DEFINED_ICP, Link, Status
from links.periods import ALLOWED_PERIODS_MESSAGE, Period, period_start


class LinkStatus(django_filters.ChoiceFilter):
    """`status` in the URL's spelling (clicked, scanner_only, not_clicked)."""

    choices_by_value = {
        "clicked": Status.CLICKED,
        "scanner_only": Status.SCANNER_ONLY,
        "not_clicked": Status.NOT_CLICKED,
    }

    def __init__(self, **kwargs):
        super().__init__(choices=[(value, status.label) for value, status in self.choices_by_value.items()], **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(status=self.choices_by_value[value])


class NullsLastOrdering(django_filters.OrderingFilter):
    """Never-clicked links (no first/last click) sort last both ways, on SQLite and PostgreSQL
    alike; ties keep the newest link first."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)

    def filter(self, queryset, value):
        value = [param for param in value or () if param]  # `ordering=,` names nothing: ignored
        if not value:
            return queryset
        return queryset.order_by(*(self.get_ordering_value(param) for param in value), "-id")


class LinkFilter(django_filters.FilterSet):
    """Expects a queryset annotated by Link.objects.with_click_summary() (for status and the
    click orderings)."""

    range = django_filters.ChoiceFilter(
        choices=Period.choices,
        method="filter_range",
        error_messages={"invalid_choice": ALLOWED_PERIODS_MESSAGE},
        help_text="Links created in the period or with a human click in it.",
    )
    campaign = django_filters.CharFilter(field_name="campaign__name", help_text="A campaign name.")
    icp = django_filters.CharFilter(method="filter_icp", help_text=f'"{NOT_DEFINED_ICP}" selects links without ICP.')
    account = django_filters.CharFilter(
        method="filter_account",
        help_text="An account: an e-mail domain (acme.com), or a full e-mail for free-mail prospects.",
    )
    status = LinkStatus()
    search = django_filters.CharFilter(method="filter_search", help_text="First name, last name or e-mail.")
    ordering = NullsLastOrdering(
        fields=[
            ("click_count", "clicks"),
            ("last_click", "last_click"),
            ("first_click", "first_click"),
            ("created_at", "created_at"),
        ]
    )

    class Meta:
        model = Link
        fields = []

    def filter_range(self, queryset, name, value):
        start = period_start(value)
        if start is None:
            return queryset
        # Clicked in the period = its last human click is in it (the link's click counters).
        return queryset.filter(Q(created_at__gte=start) | Q(last_human_click_at__gte=start))

    def filter_icp(self, queryset, name, value):
        if value == NOT_DEFINED_ICP:
            return queryset.filter(Q(icp__isnull=True) | Q(icp=""))
        return queryset.filter(icp=value)

    def filter_account(self, queryset, name, value):
        return queryset.filter(account=value.strip().lower())

    def filter_search(self, queryset, name, value):
        """Every word must appear in the first name, the last name or the e-mail ("john doe")."""
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
        return queryset
