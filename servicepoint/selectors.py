"""Reads of the service point, with the joins each page needs (query counts are pinned)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.postgres.search import SearchRank
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts.roles import Role
from impactportal.search import prefix_query
from impactportal.workdays import working_days_between

from . import guest_links
from .constants import OPEN_STATES, AssignmentState, Deadline, MessageKind
from .models import Assignment, Attachment, KnowledgeArticle, Message, Question


def staff_can_see_all(user) -> bool:
    return (
        user.is_superuser or user.has_role(Role.ACCOUNT_MANAGER) or user.has_role(Role.COORDINATOR)
    )


def questions_for_staff(user) -> QuerySet[Question]:
    """Confirmed questions a staff member may see: all for account managers and the
    coordinator, only those routed to their directorate for a directorate contact."""
    questions = Question.objects.filter(submitted_at__isnull=False)
    if staff_can_see_all(user):
        return questions
    if user.has_role(Role.DIRECTORATE_CONTACT) and user.directorate_id:
        routed = Assignment.objects.filter(
            question=OuterRef("pk"), directorate=user.directorate_id
        ).exclude(state=AssignmentState.WITHDRAWN)
        return questions.filter(Exists(routed))
    return questions.none()


def questions_of_entrepreneur(user) -> QuerySet[Question]:
    """'Mijn vragen': the user's own questions, newest first, with what the list shows."""
    return (
        Question.objects.filter(requester=user)
        .select_related("topic")
        .annotate(reply_count=Count("messages", filter=Q(messages__kind=MessageKind.PUBLIC_REPLY)))
        .order_by("-created_at")
    )


def question_awaiting_confirmation(token: str) -> Question | None:
    """The question whose (unused) confirmation link has this token, if any."""
    if not token:
        return None
    return Question.objects.filter(
        confirmation_token_hash=guest_links.confirmation_token_hash(token)
    ).first()


def confirmed_question(uuid) -> Question | None:
    """A question in the queue, by the uuid in a guest's link (None: unconfirmed or
    unknown; the guest pages answer 404 for both)."""
    return Question.objects.filter(uuid=uuid, submitted_at__isnull=False).first()


def question_public_detail(question_id: int) -> Question:
    """A question with only what the entrepreneur may see: no internal notes, ever."""
    public_messages = (
        Message.objects.exclude(kind=MessageKind.INTERNAL_NOTE)
        .select_related("assignment__directorate")
        .prefetch_related("attachments", "articles")
    )
    return (
        Question.objects.select_related("topic", "organisation")
        .prefetch_related(
            Prefetch("messages", queryset=public_messages, to_attr="public_messages"),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(message__isnull=True),
                to_attr="question_attachments",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("directorate").exclude(
                    state=AssignmentState.WITHDRAWN
                ),
            ),
        )
        .get(pk=question_id)
    )


def deadline_status(question: Question, today: date) -> Deadline | None:
    """On time, overdue, or more than three times its service level (open questions only)."""
    if question.state not in OPEN_STATES or question.resolution_due is None:
        return None
    if today <= question.resolution_due:
        return Deadline.ON_TIME
    allowed = max(question.topic.resolution_days, 1)
    taken = working_days_between(question.submitted_at, today)
    return Deadline.OVERDUE_3X if taken > 3 * allowed else Deadline.OVERDUE


def overdue_questions(today: date) -> QuerySet[Question]:
    return Question.objects.filter(state__in=OPEN_STATES, resolution_due__lt=today)


def overdue_by_person(*, today: date) -> list[tuple[object, list[Question]]]:
    """Each person with overdue work and their questions: the account manager of an
    overdue question, and the assignee (or the directorate's contacts) of an overdue
    assignment."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    per_person: dict[int, list[Question]] = defaultdict(list)
    questions = overdue_questions(today).filter(account_manager__isnull=False)
    for question in questions.select_related("topic"):
        per_person[question.account_manager_id].append(question)
    assignments = Assignment.objects.filter(
        state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS],
        due__lt=today,
        question__state__in=OPEN_STATES,
    ).select_related("question__topic")
    contacts: dict[int, list[int]] = defaultdict(list)
    for user_id, directorate_id in User.objects.filter(
        groups__name=Role.DIRECTORATE_CONTACT, is_active=True, directorate__isnull=False
    ).values_list("pk", "directorate_id"):
        contacts[directorate_id].append(user_id)
    for assignment in assignments:
        people = (
            [assignment.assignee_id]
            if assignment.assignee_id
            else contacts[assignment.directorate_id]
        )
        for person_id in people:
            if assignment.question not in per_person[person_id]:
                per_person[person_id].append(assignment.question)
    users = User.objects.in_bulk(list(per_person))
    return [
        (users[pk], sorted(qs, key=lambda q: q.resolution_due))
        for pk, qs in per_person.items()
        if pk in users and users[pk].is_active
    ]


def search_articles(text: str, *, limit: int = 5) -> QuerySet[KnowledgeArticle]:
    """Published articles holding every word of ``text`` (Dutch full-text, words as
    prefixes: ``impactportal.search``), best first: title matches outrank summary
    matches, which outrank body matches."""
    return _ranked_articles(prefix_query(text), limit)


def suggest_articles(text: str, *, limit: int = 5) -> QuerySet[KnowledgeArticle]:
    """Published articles for a question being written: those holding any word of
    ``text``, best first (more of its words, and in the title, rank higher)."""
    return _ranked_articles(prefix_query(text, any_word=True), limit)


def _ranked_articles(query, limit: int) -> QuerySet[KnowledgeArticle]:
    if query is None:
        return KnowledgeArticle.objects.none()
    return (
        KnowledgeArticle.objects.filter(is_published=True, search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .select_related("topic")
        .order_by("-rank", "title")[:limit]
    )
