"""The links in the e-mails that let someone who asked without an account reach their
question. Two secrets, each with one job:

* The **confirmation token** opens ``/servicepunt/vraag/bevestigen/<token>/`` once. It is
  random (``new_confirmation_token``), exists only in the "please confirm" e-mail, and
  the database keeps its SHA-256 (``Question.confirmation_token_hash``), cleared when the
  question is confirmed.
* The **access token** in every later e-mail to the asker
  (``/servicepunt/vraag/<uuid>/<token>/``) is a signature, not stored anywhere: a
  ``TimestampSigner`` signs the question's uuid with the question's own ``access_key``
  in the salt, so it opens only that question, for ``SERVICEPOINT_GUEST_LINK_DAYS``
  days, and rotating the key (retention does, when it anonymises) ends every link at
  once. Its form is ``<timestamp>:<signature>`` (the signed uuid is the one in the URL).

Opening a valid access link puts a grant in the session (question uuid → until when,
and which key) and sends the visitor on to the clean address
``/servicepunt/vraag/<uuid>/``; from then on the token is in no address bar, history,
Referer or access log, and the page and its attachments accept the grant instead.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Question

_SALT = "servicepoint.guest-link"
_GRANTS = "servicepoint_guest_access"

# What the views let through to the checks below; anything else (a NUL byte, an overlong
# or otherwise mangled token) is no token at all and answers 404 without a lookup.
CONFIRMATION_TOKEN = re.compile(r"[-\w]{1,64}", re.ASCII)
ACCESS_TOKEN = re.compile(r"[0-9A-Za-z]{1,13}:[-\w]{40,100}", re.ASCII)
# Before the tokens were split, one permanent token (secrets.token_urlsafe(32)) did both
# jobs and was in every e-mail. Migration 0004 set the access_key of each confirmed
# question to its SHA-256, so such a link is still recognised as genuine: it opens
# nothing, but it lands on the "link expired, send me a new one" page rather than a bare
# 404. Guessing one is as hard as guessing the old token; a question asked after the
# migration has a random key that no old token hashes to; anonymising rotates the key.
OLD_TOKEN = re.compile(r"[-\w]{43}", re.ASCII)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Confirmation ------------------------------------------------------------------------


def new_confirmation_token() -> tuple[str, str]:
    """A fresh confirmation token and the hash to store: ``(token, hash)``."""
    token = secrets.token_urlsafe(32)
    return token, confirmation_token_hash(token)


def confirmation_token_hash(token: str) -> str:
    return _sha256(token)


# Access ------------------------------------------------------------------------------


class Link(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"  # genuine, but older than SERVICEPOINT_GUEST_LINK_DAYS
    OLD = "old"  # genuine, from an e-mail sent before the tokens were split
    INVALID = "invalid"  # forged, mangled, for another question, or the key was rotated


@dataclass(frozen=True)
class LinkCheck:
    state: Link
    expires_at: float | None = None  # Unix time; for a valid link

    @property
    def is_genuine(self) -> bool:
        return self.state is not Link.INVALID


def max_age() -> timedelta:
    return timedelta(days=settings.SERVICEPOINT_GUEST_LINK_DAYS)


def _signer(question: Question) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}:{question.access_key}")


def access_token(question: Question) -> str:
    """A fresh access token for the question (``<timestamp>:<signature>``)."""
    signer = _signer(question)
    return signer.sign(question.uuid.hex).removeprefix(question.uuid.hex + signer.sep)


def access_path(question: Question) -> str:
    """The path of a fresh link to the question, for an e-mail to the asker."""
    return reverse(
        "servicepoint:guest_question",
        kwargs={"uuid": question.uuid, "token": access_token(question)},
    )


def is_well_formed(token: str) -> bool:
    """Whether ``token`` could be an access token (or an old permanent one) at all."""
    return bool(ACCESS_TOKEN.fullmatch(token) or OLD_TOKEN.fullmatch(token))


def check_access_token(question: Question, token: str) -> LinkCheck:
    """What ``token`` from a link to ``question`` is: valid (and until when), genuine but
    expired, an old permanent token, or nothing at all."""
    if OLD_TOKEN.fullmatch(token):
        if constant_time_compare(_sha256(token), question.access_key):
            return LinkCheck(Link.OLD)
        return LinkCheck(Link.INVALID)
    if not ACCESS_TOKEN.fullmatch(token):
        return LinkCheck(Link.INVALID)
    signer = _signer(question)
    try:
        signer.unsign(f"{question.uuid.hex}{signer.sep}{token}", max_age=max_age())
    except signing.SignatureExpired:  # checked only once the signature is right
        return LinkCheck(Link.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(Link.INVALID)
    signed_at = signing.b62_decode(token.split(signer.sep, 1)[0])
    return LinkCheck(Link.VALID, expires_at=signed_at + max_age().total_seconds())


# The grant in the session ------------------------------------------------------------


def _key_fingerprint(question: Question) -> str:
    # Which key the grant was given under: a rotated key ends the grant too.
    return salted_hmac(_SALT, question.access_key).hexdigest()[:32]


def grant(request, question: Question, *, until: float | None = None) -> None:
    """Let this browser session open the question's page and files until ``until``
    (Unix time; default: as long as a new link would last)."""
    now = time.time()
    until = until if until is not None else now + max_age().total_seconds()
    grants = {
        uuid: entry for uuid, entry in request.session.get(_GRANTS, {}).items() if entry[0] > now
    }
    grants[str(question.uuid)] = [until, _key_fingerprint(question)]
    # A new session key, so that a session id planted in the browser beforehand does
    # not share the grant (as a login cycles the key).
    request.session.cycle_key()
    request.session[_GRANTS] = grants


def has_grant(request, question: Question) -> bool:
    entry = request.session.get(_GRANTS, {}).get(str(question.uuid))
    if not entry:
        return False
    until, fingerprint = entry
    return time.time() < until and constant_time_compare(fingerprint, _key_fingerprint(question))
