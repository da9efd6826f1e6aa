"""Forms of the procurement officer's pages. They only check input; writes are services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .constants import MAX_INQUIRY_RECIPIENTS

NEW_SHORTLIST = "new"
MAX_NOTE_LENGTH = 2000
MAX_INQUIRY_MESSAGE_LENGTH = 5000


class ShortlistForm(forms.Form):
    title = forms.CharField(
        label=_("Purchase"),
        max_length=200,
        help_text=_("What you are buying, for example: catering for the town hall."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("E.g. the case or tender number."),
    )


class ShortlistAddForm(forms.Form):
    """Put one supplier on one of the user's shortlists, or on a new one."""

    shortlist = forms.ChoiceField(label=_("Shortlist"), required=False)
    title = forms.CharField(label=_("Title of a new shortlist"), max_length=200, required=False)

    def __init__(self, *args, shortlists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.shortlists = {str(shortlist.uuid): shortlist for shortlist in shortlists}
        self.fields["shortlist"].choices = [
            *((key, shortlist.title) for key, shortlist in self.shortlists.items()),
            (NEW_SHORTLIST, _("New shortlist")),
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        choice = data.get("shortlist") or NEW_SHORTLIST
        data["shortlist"] = self.shortlists.get(choice)
        if data["shortlist"] is None and not data.get("title"):
            self.add_error(
                "title",
                ValidationError(
                    _("Give the new shortlist a title, or choose an existing shortlist."),
                    code="required",
                ),
            )
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupplierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.municipality})"


class InquiryForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        max_length=MAX_INQUIRY_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Suppliers see your name and e-mail address and reply to you directly. "
            "Do not share confidential tender information."
        ),
    )
    suppliers = SupplierChoiceField(
        label=_("Send to"),
        queryset=None,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one supplier.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].queryset = candidates
        self.fields["suppliers"].help_text = gettext("At most %(max)d suppliers per inquiry.") % {
            "max": MAX_INQUIRY_RECIPIENTS
        }

    def clean_suppliers(self):
        suppliers = self.cleaned_data["suppliers"]
        if len(suppliers) > MAX_INQUIRY_RECIPIENTS:
            raise ValidationError(
                _("An inquiry can go to at most %(max)d suppliers at once."),
                code="too_many_recipients",
                params={"max": MAX_INQUIRY_RECIPIENTS},
            )
        return suppliers
