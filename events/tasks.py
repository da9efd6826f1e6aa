from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_event_reminders() -> int:
    """Every quarter of an hour: reminders for events starting within their reminder time."""
    return services.send_due_reminders()


@shared_task(ignore_result=True)
def mark_past_events() -> int:
    """Every hour: events that have ended move from published to past."""
    return services.mark_past_events()
