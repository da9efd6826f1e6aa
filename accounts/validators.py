import hashlib
import logging
import re
from http.client import HTTPException
from urllib.request import Request, urlopen

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

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


class BreachedPasswordValidator:
    """Rejects a password that appears in a known data breach (Have I Been Pwned).

    Uses the k-anonymity range API: only the first five hexadecimal characters of the
    password's SHA-1 leave the machine, and with ``Add-Padding`` the answer's size says
    nothing about the password either. The comparison happens here. When the service
    cannot be reached in ``timeout`` seconds the password is accepted and a warning is
    logged: the length, common-password and similarity checks still apply, and a sign-up
    must not depend on a third party being up. Only while ``PASSWORD_BREACH_CHECK`` is on
    (production); local and test settings keep everything on the machine.
    """

    API_URL = "https://api.pwnedpasswords.com/range/"

    def __init__(self, timeout: float = 2.0):
        self.timeout = timeout

    def validate(self, password, user=None):
        if not settings.PASSWORD_BREACH_CHECK:
            return
        # SHA-1 because the range API is keyed by it; nothing is protected with this hash.
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:5], digest[5:]
        try:
            lines = self._range(prefix)
        except (OSError, HTTPException, ValueError) as error:  # unreachable, slow, garbled
            logger.warning("Breached-password check unavailable, password accepted: %s", error)
            return
        for line in lines:
            candidate, _sep, count = line.strip().partition(":")
            # Padding lines have a count of 0: they are not breached passwords.
            if candidate.upper() == suffix and count.strip() not in ("", "0"):
                raise ValidationError(
                    _(
                        "This password appears in a known data breach elsewhere, so others "
                        "may try it. Choose a different password."
                    ),
                    code="password_breached",
                )

    def _range(self, prefix: str) -> list[str]:
        request = Request(  # noqa: S310 (a fixed https URL, never one from input)
            self.API_URL + prefix,
            headers={"Add-Padding": "true", "User-Agent": "Impactportaal Groningen"},
        )
        with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (as above)
            return response.read().decode("ascii").splitlines()

    def get_help_text(self):
        return _("Your password may not appear in a known data breach.")
