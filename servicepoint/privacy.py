"""What the service point holds on a person (AVG export) and what goes on deletion."""

from impactportal import privacy

from .constants import MessageKind
from .models import (
    Assignment,
    Attachment,
    CannedReply,
    FollowUp,
    KnowledgeArticle,
    Message,
    Question,
    RoutingRule,
    Topic,
)
from .retention import anonymise_questions


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
    """The asker's questions are anonymised as retention anonymises a closed question:
    what they wrote, their contact details and files go; topic, directorates, states and
    times stay, so the monitor counts them as before. Messages the user wrote elsewhere
    (a staff member's replies) lose the name; a staff member's questions, routing rules
    and parts of questions are handed back to the desk."""
    theirs = Question.objects.filter(requester=user)
    privacy.forget(text for pair in theirs.values_list("subject", "text") for text in pair)
    privacy.forget(
        Message.objects.filter(author=user, question__requester=user).values_list("body", flat=True)
    )
    anonymise_questions(theirs)
    Message.objects.filter(author=user).update(author_name="", author=None)
    Question.objects.filter(account_manager=user).update(account_manager=None)
    Assignment.objects.filter(assignee=user).update(assignee=None)
    RoutingRule.objects.filter(assignee=user).update(assignee=None)


def register_sections() -> None:
    privacy.register(
        "servicepoint_questions",
        export=export_questions,
        erase=erase_questions,
        models=[Question, Message, Attachment, FollowUp, Assignment, RoutingRule],
    )
    for model, reason in {
        Topic: "The desk's list of topics.",
        KnowledgeArticle: "Articles the desk publishes for everyone.",
        CannedReply: "The desk's standard texts; nobody's personal data.",
    }.items():
        privacy.exempt(model, reason)
