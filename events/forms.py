"""Forms of the agenda. They only check input; events.services does the writing (and
checks the answers again against the questions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import QuestionKind
from .services import MAX_ANSWER_LENGTH

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
