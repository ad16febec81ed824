"""The officials list's search and filter form: what a user may ask for, checked before any query runs."""

from django import forms

from longarm.registry.models import OfficialStatus, Rank
from longarm.registry.selectors import DEFAULT_SORT, OfficialFilters, jurisdiction_choices_for, sort_choices

ANY = [("", "any")]


class OfficialFilterForm(forms.Form):
    """Search and filters of the officials list.

    The jurisdiction filter offers only the jurisdictions the user may see:
    asking for another one is a form error, not an empty list.
    """

    q = forms.CharField(required=False, max_length=200, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "ZHANG XIAOMING, 张晓明 or an id"}),
                        help_text="Romanised name in either order, native name, official id or national id.")
    jurisdiction = forms.ChoiceField(required=False)
    rank = forms.ChoiceField(required=False, choices=ANY + Rank.choices)
    status = forms.ChoiceField(required=False, choices=ANY + OfficialStatus.choices)
    sensitive_post = forms.ChoiceField(required=False, label="Sensitive post",
                                       choices=[("", "any"), ("yes", "yes"), ("no", "no")])
    sort = forms.ChoiceField(required=False, choices=sort_choices())
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = ANY + jurisdiction_choices_for(user)

    def filters(self) -> OfficialFilters:
        """The validated filters; call only after `is_valid()`."""
        data = self.cleaned_data
        return OfficialFilters(
            q=data["q"].strip(), jurisdiction=data["jurisdiction"], rank=data["rank"], status=data["status"],
            sensitive_post={"yes": True, "no": False}.get(data["sensitive_post"]),
            sort=data["sort"] or DEFAULT_SORT,
        )

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1
