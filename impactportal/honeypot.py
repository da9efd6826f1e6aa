"""A honeypot field for the forms anyone can send without logging in.

People never see the field (``.hp`` hides it, it is skipped by the tab key and by
autofill); bots that fill in every input do. A filled honeypot makes the form invalid
with a general error, so nothing is stored and the bot learns nothing about which field
gave it away; the attempt is logged. The value is never rendered back, so a person whose
browser filled it anyway can simply send the form again.
"""

from __future__ import annotations

import logging

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# A plausible name: bots fill in a "website" field readily.
HONEYPOT_FIELD = "website"
HIDDEN_CLASS = "hp"


class HoneypotInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"tabindex": "-1", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        return None


class HoneypotBoundField(BoundField):
    """Gives the field's row the hiding class in Django's own form layouts (as_div, as_p)."""

    def css_classes(self, extra_classes=None):
        return super().css_classes(f"{HIDDEN_CLASS} {extra_classes or ''}".strip())


class HoneypotField(forms.CharField):
    widget = HoneypotInput
    bound_field_class = HoneypotBoundField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Leave this field empty"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class HoneypotFormMixin(forms.Form):
    """Adds the honeypot field to a form; put it before the form's own base class."""

    website = HoneypotField()

    def clean_website(self):
        if self.data.get(self.add_prefix(HONEYPOT_FIELD)):
            logger.warning("Honeypot field filled in on %s; nothing stored", type(self).__name__)
            self.add_error(
                None,
                ValidationError(
                    _("Your form could not be sent. Please check it and send it again."),
                    code="honeypot",
                ),
            )
        return ""
