"""Forms of the pursuit pages: the case list's filters and one form per action on a case."""

from django import forms

from longarm.cases.models import CaseStatus, Category, ReturnAvenue

DATE = forms.DateInput(attrs={"type": "date"})


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Name")
    status = forms.ChoiceField(required=False, choices=[("", "any status"), *CaseStatus.choices])
    category = forms.ChoiceField(required=False, choices=[("", "any category"), *Category.choices])
    jurisdiction = forms.CharField(required=False, max_length=8)
    page = forms.IntegerField(required=False, min_value=1)


class LocatedForm(forms.Form):
    located_on = forms.DateField(widget=DATE)
    countries = forms.CharField(help_text="ISO alpha-3 codes, separated by commas")

    def clean_countries(self):
        return [code.strip().upper() for code in self.cleaned_data["countries"].replace(";", ",").split(",")
                if code.strip()]


class DetentionForm(forms.Form):
    detained_on = forms.DateField(widget=DATE)
    country = forms.CharField(max_length=3, help_text="ISO alpha-3")


class ReturnForm(forms.Form):
    returned_on = forms.DateField(widget=DATE)
    returned_from = forms.CharField(max_length=3, help_text="ISO alpha-3 country or region")
    return_avenue = forms.ChoiceField(choices=ReturnAvenue.choices)


class DeathForm(forms.Form):
    died_on = forms.DateField(widget=DATE)
    country = forms.CharField(max_length=3, required=False, help_text="ISO alpha-3, if known")


class CloseForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# Each action: its form and a function that calls the one service with the form's data.
ACTION_FORMS = {
    "located": LocatedForm, "detention": DetentionForm, "return": ReturnForm, "death": DeathForm, "close": CloseForm,
}
