"""The one-to-one composer's form; the rules are checked by `composing.send_one_to_one`."""

from typing import Any

from django import forms

from faktura.accounts.models import User
from faktura.core.forms import StyledForm


class ComposeForm(StyledForm):
    to = forms.CharField(label="To", help_text="Separate addresses with commas.")
    cc = forms.CharField(label="CC", required=False)
    from_address = forms.ChoiceField(label="From")
    subject = forms.CharField(max_length=300)
    body = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 9, "data-composer-body": ""})
    )

    def __init__(self, *args: Any, from_choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["from_address"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(address, address) for address in from_choices]


class InboxForm(StyledForm):
    address = forms.EmailField()
    name = forms.CharField(required=False, max_length=200)
    shared = forms.BooleanField(
        required=False, initial=True, label="Team inbox", help_text="Shared by a team."
    )
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name", "id"),
        required=False,
        label="Who may send from it",
        widget=forms.CheckboxSelectMultiple,
    )
