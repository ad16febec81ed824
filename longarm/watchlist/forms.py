"""Forms of the watch-list pages: they parse input; the rules live in `longarm.watchlist.services`."""

from django import forms

from longarm.registry.models import Official
from longarm.watchlist.models import Measure
from longarm.watchlist.selectors import EntryState

DATE = forms.DateInput(attrs={"type": "date"})


class FilterForm(forms.Form):
    """The watch list's filters and page; the pager keeps them in its links."""

    official_id = forms.CharField(max_length=64, required=False, label="Official id")
    measure = forms.ChoiceField(choices=[("", "any")] + Measure.choices, required=False)
    state = forms.ChoiceField(choices=[("", "any")] + [(state.value, state.value.replace("_", " "))
                                                       for state in EntryState], required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1


class ProposeForm(forms.Form):
    official = forms.CharField(max_length=64, label="Official id")
    measure = forms.ChoiceField(choices=Measure.choices)
    legal_basis = forms.CharField(max_length=500, label="Legal basis")
    authority = forms.CharField(max_length=300)
    case_ref = forms.CharField(max_length=120, required=False, label="Case reference")
    starts_on = forms.DateField(label="Start", widget=DATE)
    expires_on = forms.DateField(label="Expiry", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_official(self) -> Official:
        # The same scope as every read: an official the user may not see does not exist here.
        official = Official.objects.visible_to(self.user).filter(pk=self.cleaned_data["official"].strip()).first()
        if official is None:
            raise forms.ValidationError("No official with this id in your scope.")
        return official


class ConfirmForm(forms.Form):
    pass


class ExtendForm(forms.Form):
    new_expires_on = forms.DateField(label="New expiry", widget=DATE)
    reason = forms.CharField(max_length=1000, widget=forms.TextInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.TextInput)
