"""Forms of the vault and the MRZ check: they parse input; the rules live in the services."""

from django import forms

from longarm.documents.vault import CustodyState
from longarm.travel.models import Trip, TripStatus

STATE_CHOICES = [("", "any"), *CustodyState.choices, ("none", "never deposited")]


class VaultFilterForm(forms.Form):
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False, label="Custody")
    official_id = forms.CharField(max_length=64, required=False, label="Official id")
    overdue = forms.BooleanField(required=False, label="Overdue only")


class DepositForm(forms.Form):
    note = forms.CharField(max_length=500, required=False, widget=forms.TextInput)


class ReleaseForm(forms.Form):
    trip = forms.ModelChoiceField(queryset=Trip.objects.none(), label="Approved trip")
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput, label="Note")

    def __init__(self, *args, document, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the holder's approved trips the user may see; the service checks the rest.
        self.fields["trip"].queryset = Trip.objects.visible_to(user).filter(
            official_id=document.official_id, status=TripStatus.APPROVED).order_by("depart_on")
        self.fields["trip"].label_from_instance = (
            lambda trip: f"{trip.pk} {trip.destinations} {trip.depart_on:%Y-%m-%d} to {trip.return_on:%Y-%m-%d}")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput)


class MrzCheckForm(forms.Form):
    mrz = forms.CharField(label="MRZ", widget=forms.Textarea(attrs={"rows": 3, "cols": 46, "spellcheck": "false",
                                                                    "class": "mono"}),
                          help_text="Paste the two or three lines of the machine-readable zone")
    document = forms.CharField(max_length=64, required=False, label="Compare with document id")
