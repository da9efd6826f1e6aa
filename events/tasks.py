from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_event_reminders() -> int:
    """Every quarter of an hour: reminders for events starting within their reminder time."""
    return services.send_due_reminders()
