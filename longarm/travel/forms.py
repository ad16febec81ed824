"""Forms of the travel pages: they parse input; the rules live in `longarm.travel.services`."""

import re

from django import forms

from longarm.documents.models import Document
from longarm.travel.models import Purpose, TripStatus

DATE = forms.DateInput(attrs={"type": "date"})


class TripFilterForm(forms.Form):
    """The travel list's filters and page; the pager keeps them in its links."""

    status = forms.ChoiceField(choices=[("", "any")] + TripStatus.choices, required=False)
    official_id = forms.CharField(max_length=64, required=False, label="Official id")
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1


class TripRequestForm(forms.Form):
    destinations = forms.CharField(max_length=200, help_text="ISO alpha-3 country codes, e.g. THA USA")
    depart_on = forms.DateField(label="Departure", widget=DATE)
    return_on = forms.DateField(label="Return", widget=DATE)
    purpose = forms.ChoiceField(choices=Purpose.choices)
    companions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="One name per line")
    document = forms.ModelChoiceField(queryset=Document.objects.none(), required=False,
                                      empty_label="(none named)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the same scope as every read: the official's own documents.
        self.fields["document"].queryset = Document.objects.visible_to(user).filter(official_id=user.official_id)

    def clean_destinations(self) -> list[str]:
        return [code for code in re.split(r"[\s,;]+", self.cleaned_data["destinations"]) if code]

    def clean_companions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["companions"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=1000, required=False, widget=forms.TextInput)


class ReportReturnForm(forms.Form):
    returned_on = forms.DateField(label="Returned on", widget=DATE)
    note = forms.CharField(max_length=1000, required=False, widget=forms.TextInput)
