from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> None:
    """Deliver one outbox row (by primary key); reschedules itself on a transient failure."""
    result = services.message_deliver(message_id=message_id)
    if result.retry_in is not None:
        services.message_enqueue(message_id=message_id, countdown=result.retry_in)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Beat task: hand out rows left pending (Redis was down) or stuck (worker died)."""
    return services.outbox_sweep()
