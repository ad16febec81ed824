"""The review queue's filters and the decision form."""

from django import forms
from django.conf import settings

from longarm.geo import provinces_of
from longarm.identity.models import Decision, PairKind
from longarm.identity.selectors import QUEUE_STATUSES, PairFilters

ANY = [("", "any")]
BAND_CHOICES = [("", "any"), ("match", "at or above the match threshold"),
                ("review", "between the review and the match threshold"), ("low", "below the review threshold")]


class PairFilterForm(forms.Form):
    """The queue's filters. Without a status, the queue shows the pairs not yet judged (to review or matched)."""

    kind = forms.ChoiceField(required=False, choices=ANY + PairKind.choices)
    status = forms.ChoiceField(required=False, choices=[("", "any")] + [(k, label) for k, (label, _) in
                                                                       QUEUE_STATUSES.items()])
    jurisdiction = forms.ChoiceField(required=False, label="Jurisdiction (of either official)")
    band = forms.ChoiceField(required=False, label="Probability", choices=BAND_CHOICES)
    q = forms.CharField(required=False, max_length=200, label="Name or id")
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def __init__(self, data, **kwargs):
        data = data.copy()
        data.setdefault("status", "open")
        super().__init__(data, **kwargs)
        self.fields["jurisdiction"].choices = ANY + [(code, f"{code} {name}")
                                                     for code, name in provinces_of(settings.LONGARM_HOME_COUNTRY)]

    def filters(self) -> PairFilters:
        data = self.cleaned_data
        return PairFilters(kind=data["kind"], status=data["status"], jurisdiction=data["jurisdiction"],
                           band=data["band"], search=data["q"].strip())

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1


class DecisionForm(forms.Form):
    """Same person, different people or unsure, with a note (required for "different people")."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label="Your judgement")
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note", help_text="Why? Required for \u201cdifferent people\u201d: the pair will not "
                                                   "come back.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.DIFFERENT and not (data.get("note") or "").strip():
            self.add_error("note", "Say why these are different people: the pair will not come back.")
        return data
