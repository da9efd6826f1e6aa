"""The rows between the preview and the import, as a signed token the import form
carries back: a token that was changed, is older than an hour or belongs to someone
else is refused, and the rows are validated again."""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _

from .reading import Table, _refuse

TOKEN_MAX_AGE = 60 * 60
MAX_TOKEN_CHARS = 4 * 1024 * 1024
_SALT = "procurement.supplier-import"


def sign_table(table: Table, *, actor) -> str:
    """The table as a token the import form carries back; tamper-proof, not secret."""
    token = signing.dumps(
        {
            "user": actor.pk,
            "file": table.file_name,
            "columns": table.columns,
            "ignored": table.ignored_columns,
            "rows": [[number, [cells[c] for c in table.columns]] for number, cells in table.rows],
        },
        salt=_SALT,
        compress=True,
    )
    if len(token) > MAX_TOKEN_CHARS:
        # The form posting it back would exceed the request size Django accepts.
        raise _refuse(
            _("%(name)s holds too much to import at once; split it into smaller files.")
            % {"name": table.file_name},
            "too_large_to_import",
        )
    return token


def unsign_table(token: str, *, actor) -> Table:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise _refuse(
            _("The preview is more than an hour old. Upload the file again."), "expired"
        ) from error
    except signing.BadSignature as error:
        raise _refuse(
            _("The import could not be checked. Upload the file again."), "bad_signature"
        ) from error
    if payload.get("user") != actor.pk:
        raise _refuse(_("The import could not be checked. Upload the file again."), "bad_signature")
    columns = payload["columns"]
    return Table(
        file_name=payload["file"],
        columns=columns,
        rows=[
            (number, dict(zip(columns, values, strict=True))) for number, values in payload["rows"]
        ],
        ignored_columns=payload.get("ignored", []),
    )
