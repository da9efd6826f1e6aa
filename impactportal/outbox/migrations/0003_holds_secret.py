from django.db import migrations, models

# The text left of a delivered mail that held a secret (services.REMOVED_AFTER_DELIVERY).
REMOVED = "[removed after delivery: it held a personal link or code]"


def mark_and_forget_auth_mails(apps, schema_editor):
    """allauth's mails (confirmation, password reset) hold a working link: mark them, and
    blank the ones already delivered or given up, which nobody needs to read again."""
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    auth_mails = OutboxMessage.objects.filter(kind__startswith="allauth/")
    auth_mails.update(holds_secret=True)
    auth_mails.filter(state__in=["sent", "failed"]).update(
        body_text=REMOVED, body_html="", attachments=[]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_reply_to"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="holds_secret",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The text holds a link or code that proves who someone is (e-mail "
                    "confirmation, password reset). Nobody reads it here, it is in no data "
                    "export, and it is removed once the mail is delivered or given up."
                ),
                verbose_name="holds a secret",
            ),
        ),
        migrations.RunPython(mark_and_forget_auth_mails, migrations.RunPython.noop),
    ]
