"""Periodic work of Omarm Groningen, run by Celery beat (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def expire_postings() -> int:
    """Daily: open requests and offers past their end date become expired and leave the
    board; the owners get an e-mail saying they can extend. Returns how many expired."""
    return services.expire_due_postings()


@shared_task(ignore_result=True)
def send_expiry_reminders() -> int:
    """Daily: a week before the end date, remind the owners that they can extend (once
    per end date; extending resets it). Returns how many reminders were sent."""
    return services.send_expiry_reminders()
