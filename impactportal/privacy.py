"""AVG (GDPR): what the portal holds on a person, for the data export and for erasure.

Every app registers, in its ``AppConfig.ready()``, a section per kind of personal data it
holds: an exporter that returns JSON-ready data about one user, an eraser that removes or
anonymises that data when the account is deleted, and the models the section covers.
``export_user`` and ``erase_user`` walk every section, so an app is covered by both by
registering, and the system check ``privacy.E001`` (``coverage_problems``) fails for a
model that holds personal data but is covered by no section and not exempted with a
written reason.

What counts as personal data for the check (``personal_fields``): a link to a user, an
e-mail address, a person's name or phone number, free text (``TextField``), JSON and
uploaded files. An exemption says why a model with such fields holds nothing of a person
(a directorate's shared mailbox, the coordinator's own texts about an event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class PrivacySection:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None = None
    models: tuple[type[models.Model], ...] = ()
    # Erasers run in this order, lowest first, all before the account itself is blanked.
    order: int = 100


_SECTIONS: dict[str, PrivacySection] = {}
_EXEMPT: dict[str, str] = {}


def register(
    name: str,
    *,
    export: Callable[[Any], Any],
    erase: Callable[[Any], None] | None = None,
    models: Iterable[type[models.Model]] = (),
    order: int = 100,
) -> None:
    """Add a section: ``export(user)`` for the data download, ``erase(user)`` for account
    deletion, ``models`` it covers (for the completeness check)."""
    if name in _SECTIONS:
        raise ValueError(f"privacy section {name!r} is registered twice")
    _SECTIONS[name] = PrivacySection(
        name=name, export=export, erase=erase, models=tuple(models), order=order
    )


def exempt(model: type[models.Model] | str, reason: str) -> None:
    """Declare that ``model`` (a class or ``"app_label.ModelName"``) holds no personal
    data despite fields that look like it, and why. It then needs neither a privacy
    section nor a retention kind."""
    if not reason.strip():
        raise ValueError("an exemption needs a reason")
    label = model if isinstance(model, str) else model._meta.label
    _EXEMPT[label.lower()] = reason


_FORGETTERS: list[Callable[[list[str]], None]] = []


def register_forgetter(forget: Callable[[list[str]], None]) -> None:
    """``forget(texts)`` removes the given texts wherever a store repeats other records'
    text (the audit log's descriptions, the outbox's copies of sent mail)."""
    _FORGETTERS.append(forget)


def forget(texts: Iterable[str]) -> None:
    """An eraser that anonymises something a person wrote (a posting's title, a question's
    subject) calls this, so no copy of the text survives elsewhere."""
    texts = sorted({text.strip() for text in texts if len(text.strip()) >= MIN_IDENTIFIER_LENGTH})
    if texts:
        for forgetter in _FORGETTERS:
            forgetter(texts)


def sections() -> list[PrivacySection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name))


def export_user(user) -> dict[str, Any]:
    """Everything the portal holds on ``user``, one key per section."""
    return {
        "exported_at": timezone.now().isoformat(),
        "sections": {name: section.export(user) for name, section in sorted(_SECTIONS.items())},
    }


def erase_user(user) -> None:
    """Run every section's eraser (``accounts.services.user_delete_account`` then blanks
    the account itself)."""
    for section in sections():
        if section.erase is not None:
            section.erase(user)


# Names and phone numbers shorter than this are not looked for in other people's text:
# "Jan" would match half the audit log.
MIN_IDENTIFIER_LENGTH = 5


def identifying_strings(user) -> list[str]:
    """What identifies ``user`` in text written about them: every e-mail address of the
    account, and the name and phone number when they are distinctive enough. Erasers
    remove these from text other records hold (the audit log, the outbox)."""
    from allauth.account.models import EmailAddress

    strings = {user.email.lower()} if user.email else set()
    strings |= {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    for value in (user.name, user.phone):
        if value and len(value.strip()) >= MIN_IDENTIFIER_LENGTH:
            strings.add(value.strip())
    return sorted(strings)


def iso(value) -> str | None:
    """A date or time for the export."""
    return value.isoformat() if value else None


# The completeness check -----------------------------------------------------------------

PERSON_FIELD_WORDS = ("name", "phone", "email", "mail")


def personal_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that can hold personal data (see the module docstring)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for field in model._meta.get_fields():
        forward = field.concrete or (field.many_to_many and not field.auto_created)
        if not forward:
            continue
        if field.is_relation and field.related_model is user_model:
            found.append(field.name)
        elif isinstance(
            field, (models.EmailField, models.TextField, models.JSONField, models.FileField)
        ):
            found.append(field.name)
        elif isinstance(field, models.CharField) and any(
            word in field.name for word in PERSON_FIELD_WORDS
        ):
            found.append(field.name)
    return found


def exemptions() -> dict[str, str]:
    return dict(_EXEMPT)


def covered_models() -> set[str]:
    return {model._meta.label_lower for section in _SECTIONS.values() for model in section.models}


def coverage_problems(*, covered: set[str], exempt: dict[str, str], what: str) -> list[str]:
    """Models with personal fields that are neither ``covered`` nor ``exempt``, as
    messages; also exemptions of models that do not exist (a typo exempts nothing)."""
    labels = {model._meta.label_lower for model in apps.get_models()}
    problems = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or label in covered or label in exempt:
            continue
        fields = personal_fields(model)
        if fields:
            problems.append(
                f"{model._meta.label} holds personal data ({', '.join(fields)}) but no {what} "
                "covers it and it is not exempted with a reason."
            )
    problems += [
        f"{what} exemption for unknown model {label!r}" for label in exempt if label not in labels
    ]
    return problems


def privacy_coverage_check(app_configs=None, **kwargs):
    from django.core.checks import Error

    return [
        Error(
            problem,
            hint="Register a section with impactportal.privacy.register(models=...) "
            "or impactportal.privacy.exempt(model, reason).",
            id="privacy.E001",
        )
        for problem in coverage_problems(
            covered=covered_models(), exempt=_EXEMPT, what="privacy section"
        )
    ]
