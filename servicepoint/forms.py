from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalise_number, validate_kvk_number
from impactportal.honeypot import HoneypotFormMixin

from .constants import PreferredContact
from .models import Topic
from .uploads import check_attachment

MAX_TEXT = 10_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    # One input, not a group: Django then links it to its help text and errors.
    use_fieldset = False


class MultipleFileField(forms.FileField):
    """Up to SERVICEPOINT_MAX_ATTACHMENTS files, each checked by its content."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        limit = settings.SERVICEPOINT_MAX_ATTACHMENTS
        if len(files) > limit:
            raise ValidationError(
                _("You can add at most %(max)d files.") % {"max": limit}, code="too_many_files"
            )
        errors = []
        for uploaded in files:
            super().clean(uploaded, initial)
            try:
                check_attachment(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


class AskQuestionForm(HoneypotFormMixin, forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.filter(is_active=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("In a few words, what is your question about?"),
    )
    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8, "data-suggest-articles": "true"}),
        help_text=_("Describe your situation and what you need. At most 10,000 characters."),
    )
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company_name = forms.CharField(
        label=_("Company or organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    kvk_number = forms.CharField(
        label=_("KvK number"), max_length=20, required=False, help_text=_("Eight digits.")
    )
    preferred_contact = forms.ChoiceField(
        label=_("How would you like to be contacted?"),
        choices=PreferredContact.choices,
        initial=PreferredContact.EMAIL,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    files = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Up to 3 files: PDF, PNG, JPEG or office documents, each at most 10 MB."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            # Logged-in users ask as themselves; their company comes from their organisation.
            for field in ("name", "email"):
                del self.fields[field]
            self.organisations = list(user.organisations.order_by("name"))
            if self.organisations:
                self.fields["organisation"] = forms.ModelChoiceField(
                    label=_("On behalf of"),
                    queryset=user.organisations.order_by("name"),
                    initial=self.organisations[0],
                    required=False,
                    empty_label=_("Myself, not for an organisation"),
                )
                del self.fields["company_name"]
                del self.fields["kvk_number"]
            if user.phone:
                self.fields["phone"].initial = user.phone

    def clean_kvk_number(self):
        number = normalise_number(self.cleaned_data["kvk_number"])
        if number:
            validate_kvk_number(number)
        return number

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_contact") == PreferredContact.PHONE and not cleaned.get("phone"):
            self.add_error("phone", _("Enter a phone number if you want to be called."))
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label=_("Attachments"))


class FollowUpForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the knowledge base"), max_length=200, required=False)
