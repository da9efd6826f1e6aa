"""What the service point holds on a person (AVG export) and what goes on deletion."""

from .constants import MessageKind
from .models import Message, Question


def export_questions(user):
    """The user's questions with the public conversation; internal notes are never exported."""
    questions = (
        Question.objects.filter(requester=user).select_related("topic").order_by("created_at")
    )
    messages = (
        Message.objects.filter(question__requester=user)
        .exclude(kind=MessageKind.INTERNAL_NOTE)
        .order_by("created_at")
    )
    by_question = {}
    for message in messages:
        by_question.setdefault(message.question_id, []).append(
            {
                "from": message.author_name,
                "kind": message.kind,
                "at": message.created_at.isoformat(),
                "text": message.body,
            }
        )
    return [
        {
            "reference": q.reference,
            "topic": q.topic.name,
            "subject": q.subject,
            "question": q.text,
            "name": q.name,
            "email": q.email,
            "phone": q.phone,
            "company": q.company_name,
            "kvk_number": q.kvk_number,
            "state": q.state,
            "asked_at": q.created_at.isoformat(),
            "attachments": list(q.attachments.values_list("original_name", flat=True)),
            "conversation": by_question.get(q.pk, []),
        }
        for q in questions
    ]


def erase_questions(user):
    """Contact details go; the question and its handling stay for the municipality's
    records (anonymised), so reports and the other people's work stay consistent."""
    Question.objects.filter(requester=user).update(
        name="",
        email="verwijderd@anoniem.invalid",
        phone="",
        requester=None,
    )
    Message.objects.filter(author=user).update(author_name="", author=None)
