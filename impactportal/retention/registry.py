"""The kinds of personal data the portal keeps for a limited time, as the apps declare them.

Each app registers its kinds in its ``AppConfig.ready()``: a name, what happens to a row
(deleted, anonymised), the purge function, the default period in days and the models the
kind covers. ``settings.RETENTION_DAYS`` only overrides periods (``RETENTION_<KIND>_DAYS``
in the environment). The system check ``retention.E004`` fails for a model that holds
personal data (``impactportal.privacy.personal_fields``) and is covered by no kind and not
exempted with a reason, so a new app cannot keep personal data forever by forgetting.

A purge is ``purge(cutoff, *, dry_run) -> int``: it finds the rows whose period ended
before ``cutoff`` and deletes or anonymises them with set-based queries, returning how many
it handled (or would handle). ``services.retention_apply`` runs each kind in its own
transaction and audits the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class Kind:
    name: str
    outcome: str  # what happens to a row, for the command's output
    purge: Callable[..., int]
    days: int  # the default period
    models: tuple[type[models.Model], ...] = ()

    @property
    def period_days(self) -> int:
        """The period in force: the setting's override, else the default."""
        return getattr(settings, "RETENTION_DAYS", {}).get(self.name, self.days)


KINDS: dict[str, Kind] = {}
_EXEMPT: dict[str, str] = {}


def register(
    name: str,
    *,
    outcome: str,
    purge: Callable[..., int],
    days: int,
    models: Iterable[type[models.Model]] = (),
) -> None:
    """Declare a kind; kinds run in the order they are registered (app order)."""
    if name in KINDS:
        raise ValueError(f"retention kind {name!r} is registered twice")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"retention kind {name!r} needs a whole number of days, 0 or more")
    KINDS[name] = Kind(name=name, outcome=outcome, purge=purge, days=days, models=tuple(models))


def exempt(model: type[models.Model] | str, reason: str) -> None:
    """Declare that ``model`` holds personal data but needs no retention period of its
    own, and why (it is kept as the programme's record, its personal part goes with
    account deletion...). A model without personal data is exempted once, with
    ``impactportal.privacy.exempt``."""
    if not reason.strip():
        raise ValueError("an exemption needs a reason")
    label = model if isinstance(model, str) else model._meta.label
    _EXEMPT[label.lower()] = reason


def kinds() -> list[Kind]:
    return list(KINDS.values())


def get(name: str) -> Kind:
    return KINDS[name]


def covered_models() -> set[str]:
    return {model._meta.label_lower for kind in KINDS.values() for model in kind.models}


def exemptions() -> dict[str, str]:
    return dict(_EXEMPT)
