"""The one permanent guest token becomes a one-time confirmation token (kept only as a
hash) and expiring signed access links (servicepoint.guest_links).

* Unconfirmed questions keep their pending confirmation link: the hash of their token
  is stored, and they get a random access key.
* Confirmed questions no longer need a confirmation token. Their access key becomes the
  SHA-256 of the old token: as random as any key (the hash of 256 random bits) and not
  the token itself, and it lets a link from an e-mail sent before this migration be
  recognised as genuine, so that it lands on the "link expired, send me a new one" page
  instead of a bare 404 (guest_links.OLD_TOKEN). Nothing else accepts it.

Backwards, the old tokens cannot be recovered from their hashes: every question gets a
new random token, so links in e-mails sent before no longer work.
"""

import hashlib
import secrets

from django.db import migrations, models

import servicepoint.models

BATCH = 1000


def _in_batches(Question, fields, change):
    batch = []
    for question in Question.objects.order_by("pk").iterator(chunk_size=BATCH):
        change(question)
        batch.append(question)
        if len(batch) == BATCH:
            Question.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Question.objects.bulk_update(batch, fields)


def split_tokens(apps, schema_editor):
    def change(question):
        digest = hashlib.sha256(question.confirmation_token.encode()).hexdigest()
        if question.submitted_at is None:
            question.confirmation_token_hash = digest
            question.access_key = secrets.token_urlsafe(32)
        else:
            question.confirmation_token_hash = ""
            question.access_key = digest

    Question = apps.get_model("servicepoint", "Question")
    _in_batches(Question, ["confirmation_token_hash", "access_key"], change)


def new_permanent_tokens(apps, schema_editor):
    def change(question):
        question.confirmation_token = secrets.token_urlsafe(32)

    Question = apps.get_model("servicepoint", "Question")
    _in_batches(Question, ["confirmation_token"], change)


class Migration(migrations.Migration):
    dependencies = [
        ("servicepoint", "0003_message_articles"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="confirmation_token_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        # The default is evaluated once for the existing rows; split_tokens gives each
        # its own key.
        migrations.AddField(
            model_name="question",
            name="access_key",
            field=models.CharField(
                default=servicepoint.models._token, editable=False, max_length=64
            ),
        ),
        migrations.RunPython(split_tokens, new_permanent_tokens, elidable=False),
        migrations.RemoveField(
            model_name="question",
            name="confirmation_token",
        ),
    ]
