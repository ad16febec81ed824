"""The alert desk's forms: the inbox filters, the dashboard period, and one form per action on an alert."""

import datetime

from django import forms
from django.conf import settings

from longarm.alerts.models import AlertCode, AlertStatus, Severity
from longarm.alerts.selectors import AlertFilters, alert_assignees
from longarm.geo import provinces_of

ANY = [("", "any")]
STATUS_CHOICES = [("live", "still being worked (open, acknowledged, escalated)"), ("", "any"), *AlertStatus.choices]
ASSIGNED_CHOICES = [("", "anyone or nobody"), ("me", "me"), ("nobody", "nobody")]
# The National Day holiday, the busiest week of the year for officials' travel.
GOLDEN_WEEK = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 7))


class AlertFilterForm(forms.Form):
    """The inbox filters. Without a status, the inbox shows the alerts still being worked.

    Jurisdiction is the responsible one (the official's); the list itself is
    already held to what the user may see, so any province may be asked for.
    """

    code = forms.ChoiceField(required=False, choices=ANY + AlertCode.choices)
    severity = forms.ChoiceField(required=False, choices=ANY + Severity.choices)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    jurisdiction = forms.ChoiceField(required=False, label="Responsible jurisdiction")
    raised_from = forms.DateField(required=False, label="Raised from", widget=forms.DateInput(attrs={"type": "date"}))
    raised_to = forms.DateField(required=False, label="Raised to", widget=forms.DateInput(attrs={"type": "date"}))
    assigned = forms.ChoiceField(required=False, label="Assigned to", choices=ASSIGNED_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def __init__(self, data, **kwargs):
        data = data.copy()
        data.setdefault("status", "live")
        super().__init__(data, **kwargs)
        self.fields["jurisdiction"].choices = ANY + [(code, f"{code} {name}")
                                                     for code, name in provinces_of(settings.LONGARM_HOME_COUNTRY)]

    def clean(self):
        data = super().clean()
        if data.get("raised_from") and data.get("raised_to") and data["raised_from"] > data["raised_to"]:
            self.add_error("raised_to", "The end of the period comes before its start.")
        return data

    def filters(self) -> AlertFilters:
        """The validated filters; call only after `is_valid()`."""
        data = self.cleaned_data
        return AlertFilters(code=data["code"], severity=data["severity"], status=data["status"],
                            jurisdiction=data["jurisdiction"], raised_from=data["raised_from"],
                            raised_to=data["raised_to"], assigned=data["assigned"])

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1


class PeriodForm(forms.Form):
    """The dashboard's holiday period (default: the National Day week) and the day the picture is taken."""

    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(required=False, label="As of", widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="Returns are counted as known on this day (default: today).")

    def clean(self):
        data = super().clean()
        data["start"] = data.get("start") or GOLDEN_WEEK[0]
        data["end"] = data.get("end") or GOLDEN_WEEK[1]
        if data["start"] > data["end"]:
            self.add_error("end", "The end of the period comes before its start.")
        elif (data["end"] - data["start"]).days > 366:
            self.add_error("end", "A period is at most one year long.")
        return data


class AssignForm(forms.Form):
    """Give the alert to an analyst of its responsible jurisdiction."""

    assignee = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="choose an analyst")

    def __init__(self, *args, alert, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = alert_assignees(user=user, alert=alert)
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})")


class AcknowledgeForm(forms.Form):
    """Say that the alert is seen and being worked; nothing to fill in."""


class ReasonForm(forms.Form):
    """Escalate or resolve: the reason is required and kept in the alert's history."""

    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Give the reason; it is kept in the alert's history."})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason; it is kept in the alert's history.")
        return reason


ACTION_FORMS = {"assign": AssignForm, "acknowledge": AcknowledgeForm, "escalate": ReasonForm, "resolve": ReasonForm}
