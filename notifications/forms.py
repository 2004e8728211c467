from django import forms


class PreviewForm(forms.Form):
    account_number = forms.CharField(
        label="Preview for account number", max_length=32, required=False
    )
