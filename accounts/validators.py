import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_number(value: str) -> str:
    """Strip the spaces, dots and dashes people type inside registration numbers."""
    return _SEPARATORS.sub("", value or "")


def validate_kvk_number(value: str) -> None:
    """A KvK number (Kamer van Koophandel) is exactly eight digits, not all zero."""
    if not re.fullmatch(r"[0-9]{8}", value or "") or set(value) == {"0"}:
        raise ValidationError(
            _("A KvK number has exactly 8 digits, for example 12345678."), code="invalid_kvk"
        )


def validate_branch_number(value: str) -> None:
    """A branch number (vestigingsnummer) is exactly twelve digits, not all zero."""
    if not re.fullmatch(r"[0-9]{12}", value or "") or set(value) == {"0"}:
        raise ValidationError(
            _(
                "A branch number (vestigingsnummer) has exactly 12 digits, for example "
                "000012345678."
            ),
            code="invalid_branch_number",
        )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message its Dutch catalogue translates (5.2 changed the msgid)."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
