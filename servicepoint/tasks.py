from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_overdue_digests() -> int:
    """Daily: e-mail every assignee the list of their overdue questions."""
    return services.overdue_digest_send()


@shared_task(ignore_result=True)
def send_follow_ups() -> int:
    """Daily: 'Bent u goed geholpen?' to entrepreneurs whose question closed N working
    days ago. Each question in its own transaction."""
    due = services.questions_due_for_follow_up()
    for question_id in due:
        services.follow_up_send(question_id=question_id)
    return len(due)
