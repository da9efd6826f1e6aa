"""Building blocks of the apps' retention purges (``<app>/retention.py``).

The rules they follow (docs/privacy.md has the reasons):

* Whatever the programme monitor counts stays countable: only what says who a person was
  and what they wrote goes.
* The audit entries about a purged or anonymised object stay (the history must stay
  whole) but lose its description, free text in their data and the names of actors who
  are not staff (``scrub_audit``).
* Files are removed from storage only after the transaction commits, so a rollback never
  leaves a row pointing at a deleted file (``delete_files_after_commit``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.db.models import CharField, F, Func, JSONField, Q, TextField, Value
from django.db.models.functions import Cast

from impactportal.audit.models import AuditLogEntry

logger = logging.getLogger(__name__)

# The placeholder address of anonymised rows: the field is required, and ".invalid" can
# never receive mail.
ANONYMOUS_EMAIL = "verwijderd@anoniem.invalid"
ANONYMISED = "geanonimiseerd"
ANONYMISED_SUBJECT = f"[{ANONYMISED}]"
FILE_BATCH = 500


class WithoutKeys(Func):
    """PostgreSQL's ``jsonb - text[]``: the object without the given keys."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = JSONField()


def without_keys(field: str, keys: Iterable[str]) -> WithoutKeys:
    return WithoutKeys(F(field), Value(list(keys), output_field=ArrayField(TextField())))


def first_word(field: str) -> Func:
    """A question's ``__str__`` is "<reference> <subject>"; the reference has no space."""
    return Func(F(field), Value(" "), Value(1), function="split_part", output_field=CharField())


def pk_text(queryset: models.QuerySet) -> models.QuerySet:
    """The primary keys as text, to compare with ``AuditLogEntry.object_id`` in SQL."""
    return queryset.order_by().annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def scrub_audit(
    objects: models.QuerySet,
    *,
    description: Func | str = ANONYMISED,
    needs_description: Q | None = None,
    text_keys: Iterable[str] = (),
) -> None:
    """The audit entries about ``objects`` stay (the history must stay whole), but lose
    what identifies a person: the object's description, free text in their data, and the
    name of an actor who is not staff (the entrepreneur, guest or participant).
    Staff actors stay: who handled something is the municipality's own accountability."""
    entries = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(objects.model),
        object_id__in=pk_text(objects),
    )
    entries.filter(actor__is_staff=False).update(actor=None, actor_label=ANONYMISED)
    if needs_description is None:
        needs_description = ~Q(object_repr=description)
    changes: dict = {
        "object_repr": Value(description) if isinstance(description, str) else description
    }
    needs = needs_description
    text_keys = list(text_keys)
    if text_keys:
        changes["data"] = without_keys("data", text_keys)
        needs |= Q(data__has_any_keys=text_keys)
    entries.filter(needs).update(**changes)


def delete_files_after_commit(storage, names: list[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: _delete_files(storage, names))


def _delete_files(storage, names: list[str]) -> None:
    failed = 0
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            failed += 1
    if failed:
        # File names can carry personal data (the uploader's own file name): count only.
        logger.error("Retention: %d of %d files could not be deleted.", failed, len(names))


def delete_rows_and_files(rows: models.QuerySet, field: str) -> int:
    """Delete ``rows`` and, after commit, the files in their ``field``. The file names
    have to be read, so this goes in batches rather than one statement."""
    found = list(rows.order_by().values_list("pk", field))
    for start in range(0, len(found), FILE_BATCH):
        batch = found[start : start + FILE_BATCH]
        rows.model.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
    delete_files_after_commit(
        rows.model._meta.get_field(field).storage, [name for _pk, name in found]
    )
    return len(found)


def deleted_count(result: tuple[int, dict[str, int]], model: type[models.Model]) -> int:
    """The rows of ``model`` itself that ``QuerySet.delete()`` removed (not cascades)."""
    return result[1].get(model._meta.label, 0)
