"""The audit log page's filters: by actor, action, target and date, each on an indexed column where it can be."""

import datetime

import django_filters
from django import forms
from django.utils import timezone

from longarm.audit.models import AuditEntry


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEntryWebFilter(django_filters.FilterSet):
    """Filters of the audit log page. Dates are days in the viewer's time zone, both ends included.

    A day is turned into a range on `at` (indexed) rather than compared with
    `at__date`, which would have to compute the date of every row.
    """

    actor = django_filters.CharFilter(field_name="actor_name", label="User",
                                      help_text="Username, exactly")
    action = django_filters.CharFilter(field_name="action", label="Action",
                                       help_text="e.g. view, search, export, import.start")
    target_type = django_filters.CharFilter(field_name="target_type", label="Record type",
                                            help_text="e.g. registry.official")
    target_id = django_filters.CharFilter(field_name="target_id", label="Record id")
    date_from = django_filters.DateFilter(method="filter_from", label="From",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(method="filter_to", label="To",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields = []

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))
