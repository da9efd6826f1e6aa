"""Forms of Omarm Groningen. They only check input; omarm.services does the writing."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from impactportal.uploads import ImagePolicy, check_image

from . import services
from .constants import MATCH_TRANSITIONS, HelpKind, MatchState, Theme
from .models import Area

MAX_TEXT = 10_000
MAX_MESSAGE = 5_000
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO = ImagePolicy(
    max_bytes=MAX_PHOTO_BYTES, too_large=_("The photo is %(size)s; it may be at most %(max)s.")
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _text(label, *, max_length=MAX_TEXT, rows=6, required=True, help_text=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _future_date(value, *, allow_today=True):
    today = timezone.localdate()
    if value < today or (value == today and not allow_today):
        raise ValidationError(_("Choose a date in the future."), code="date_in_past")
    return value


def _amount(label, max_digits, decimal_places):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=max_digits,
        decimal_places=decimal_places,
        validators=[MinValueValidator(Decimal(0), message=_("Amounts cannot be negative."))],
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )


class PostingForm(forms.Form):
    """What requests and offers share. ``organisations`` are those the user may post
    for; when editing there is no choice (the posting keeps its organisation)."""

    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=150)
    help_kinds = forms.MultipleChoiceField(
        label=_("Kind of help"),
        choices=HelpKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of help.")},
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the areas.")},
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations

    def values(self) -> dict:
        """The cleaned values the services take."""
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class RequestForm(PostingForm):
    story = _text(
        _("Story"),
        rows=8,
        help_text=_(
            "What is the question, who does it help and what is needed? At most 10,000 characters."
        ),
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        choices=Theme.choices,
        error_messages={"invalid_choice": _("Choose one of the themes.")},
    )
    wanted_by = forms.DateField(
        label=_("Wanted by"),
        widget=DateInput,
        help_text=_("After this date the request leaves the board; you can extend it."),
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_("A JPEG, PNG, WebP or GIF image of at most 5 MB."),
    )
    photo_description = forms.CharField(
        label=_("Photo description"),
        max_length=200,
        required=False,
        help_text=_("What the photo shows, for people who cannot see it."),
    )

    field_order = [
        "organisation",
        "title",
        "story",
        "theme",
        "help_kinds",
        "area",
        "wanted_by",
        "photo",
        "photo_description",
    ]

    def __init__(self, *args, has_photo=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo

    def clean_wanted_by(self):
        return _future_date(self.cleaned_data["wanted_by"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return check_image(photo, PHOTO) if photo else None

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("photo") or self.has_photo) and not cleaned.get("photo_description"):
            if not self.has_error("photo"):
                self.add_error("photo_description", _("Describe the photo in a few words."))
        return cleaned

    def values(self) -> dict:
        values = super().values()
        if not values.get("photo"):
            values.pop("photo", None)  # keep the photo that is there
        return values


class OfferForm(PostingForm):
    description = _text(_("What we offer"), rows=8, help_text=_("At most 10,000 characters."))
    capacity = forms.CharField(
        label=_("How much"),
        max_length=200,
        help_text=_("For example: 20 laptops, 4 volunteers a month."),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)

    field_order = [
        "organisation",
        "title",
        "description",
        "help_kinds",
        "capacity",
        "area",
        "valid_until",
    ]

    def clean_valid_until(self):
        return _future_date(self.cleaned_data["valid_until"])


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New end date"), widget=DateInput)

    def clean_until(self):
        return _future_date(self.cleaned_data["until"], allow_today=False)


class ReportForm(forms.Form):
    reason = _text(
        _("What is wrong with this request?"),
        max_length=2000,
        rows=3,
        help_text=_("The coordinator reads every report."),
    )


class OfferHelpForm(forms.Form):
    business = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)
    message = _text(
        _("Your message"),
        max_length=MAX_MESSAGE,
        rows=4,
        help_text=_("Introduce yourself and say how you would like to help."),
    )

    def __init__(self, *args, businesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses


class InterestForm(forms.Form):
    social_organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None
    )
    request = forms.ModelChoiceField(
        label=_("For which of your requests?"),
        queryset=None,
        required=False,
        empty_label=_("Not for a particular request"),
    )
    message = _text(
        _("Your message"),
        max_length=MAX_MESSAGE,
        rows=4,
        help_text=_("Say who you are and what you would do with the offer."),
    )

    def __init__(self, *args, organisations, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_organisation"].queryset = organisations
        self.fields["request"].queryset = requests

    def clean(self):
        cleaned = super().clean()
        organisation, request = cleaned.get("social_organisation"), cleaned.get("request")
        if organisation and request and request.organisation_id != organisation.pk:
            self.add_error("request", _("That request belongs to another organisation."))
        return cleaned


class MessageForm(forms.Form):
    body = _text(_("Message"), max_length=MAX_MESSAGE, rows=4)


class MatchTransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New state"), choices=MatchState.choices)
    reason = _text(
        _("Why is the match broken off?"),
        max_length=2000,
        rows=3,
        required=False,
        help_text=_("Only when breaking off. Both sides read this."),
    )

    def __init__(self, *args, match, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = MATCH_TRANSITIONS[MatchState(match.state)] - {MatchState.COMPLETED}
        if user is not None and not services.may_accept_conversation(user, match):
            # Only the other side (or the coordinator) accepts the conversation.
            allowed -= {MatchState.TALKING}
        self.fields["to"].choices = [(s.value, s.label) for s in MatchState if s in allowed]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == MatchState.BROKEN_OFF and not cleaned.get("reason"):
            self.add_error("reason", _("Say why the match is broken off."))
        return cleaned


class CompleteForm(forms.Form):
    result_story = _text(
        _("Result story"),
        max_length=MAX_MESSAGE,
        rows=6,
        help_text=_(
            "In a few sentences: what did the match achieve? The coordinator may "
            "publish it as a success story."
        ),
    )
    hours = _amount(_("Hours contributed"), 8, 1)
    value_eur = _amount(_("Value contributed (euro)"), 10, 2)
    counts_for_social_return = forms.BooleanField(
        label=_("Counts toward Social Return"), required=False
    )
    social_return_eur = _amount(_("Social Return amount (euro)"), 10, 2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("counts_for_social_return") and cleaned.get("social_return_eur") is None:
            if not self.has_error("social_return_eur"):
                self.add_error(
                    "social_return_eur", _("Give the amount that counts toward Social Return.")
                )
        if not cleaned.get("counts_for_social_return"):
            cleaned["social_return_eur"] = None
        return cleaned
