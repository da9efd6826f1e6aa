from django import forms
from django.utils.translation import gettext_lazy as _

from impactportal.honeypot import HoneypotFormMixin

from .models import User


class SignupForm(HoneypotFormMixin, forms.Form):
    """Extra fields on allauth's sign-up form, and the honeypot against sign-up bots."""

    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user):
        from . import services

        services.user_update_profile(user=user, actor=user, name=self.cleaned_data["name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "language"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("+0123456789 ()-")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 8):
            raise forms.ValidationError(
                _("Enter a phone number with at least 8 digits, for example 050 367 7777.")
            )
        return phone


class DeleteAccountForm(forms.Form):
    """Asks only for the decision: who asks was proved just before, by allauth's
    reauthentication (password or authenticator code, rate-limited), on the view."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be removed for good."),
    )
