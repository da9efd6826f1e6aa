"""Forms of the agenda. They only check input; events.services does the writing (and
checks the answers and the attendee message again)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import QuestionKind
from .services import (
    MAX_ANSWER_LENGTH,
    MAX_BODY_LENGTH,
    MAX_SUBJECT_LENGTH,
    MESSAGE_STATUSES,
    _plain_text,
)

YES_NO = [("ja", _("Yes")), ("nee", _("No"))]


def field_name(question) -> str:
    return f"vraag_{question.pk}"


class RegistrationForm(forms.Form):
    """One field per registration question: text → input, choice and yes/no → radios."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            if question.kind == QuestionKind.TEXT:
                field = forms.CharField(max_length=MAX_ANSWER_LENGTH)
            else:
                choices = (
                    YES_NO
                    if question.kind == QuestionKind.YES_NO
                    else [(choice, choice) for choice in question.choice_list]
                )
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            field.label = question.label
            field.required = question.required
            self.fields[field_name(question)] = field

    def answers(self) -> dict[str, str]:
        """Keyed by the question's id as a string, as services.registration_create wants."""
        return {
            str(question.pk): self.cleaned_data.get(field_name(question)) or ""
            for question in self.questions
        }


class AttendeeMessageForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Send to everyone who is"),
        choices=[(s.value, s.label) for s in MESSAGE_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who receives the message.")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text. A link (e.g. to a survey) can be pasted as it is."),
    )

    def _clean_text(self, field, **kwargs):
        try:
            return _plain_text(self.cleaned_data[field], field=field, **kwargs)
        except ValidationError as error:
            raise ValidationError(error.message_dict[field]) from error

    def clean_subject(self):
        return self._clean_text("subject", max_length=MAX_SUBJECT_LENGTH, single_line=True)

    def clean_body(self):
        return self._clean_text("body", max_length=MAX_BODY_LENGTH)
