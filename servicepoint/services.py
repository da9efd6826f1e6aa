"""Every write of the service point: asking, routing, replying, state changes, follow-up.

Each service runs in one transaction, audits what it changed and queues its e-mails in
the outbox; nothing is sent inside a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Directorate, Organisation
from accounts.roles import Role
from impactportal.audit.services import audit_log
from impactportal.outbox.services import message_queue
from impactportal.workdays import add_working_days
from impactportal.workflow import TransitionNotAllowed, check_transition

from . import guest_links
from .constants import (
    ANNOUNCED_STATES,
    ASSIGNMENT_TRANSITIONS,
    TRANSITIONS,
    AssignmentState,
    MessageKind,
    QuestionState,
)
from .models import (
    Assignment,
    Attachment,
    FollowUp,
    KnowledgeArticle,
    Message,
    Question,
    RoutingRule,
    Topic,
)
from .uploads import check_attachment

User = get_user_model()


# Helpers ----------------------------------------------------------------------------


def _display_name(user) -> str:
    return (user.name or user.email) if user is not None else ""


def _account_managers() -> list:
    return list(User.objects.filter(groups__name=Role.ACCOUNT_MANAGER, is_active=True))


def _directorate_recipients(directorate: Directorate, assignee=None) -> list:
    if assignee is not None:
        return [assignee]
    return list(
        User.objects.filter(
            directorate=directorate, groups__name=Role.DIRECTORATE_CONTACT, is_active=True
        )
    )


def _notify_entrepreneur(question: Question, template: str, **context) -> None:
    """E-mail the asker, with a link to the question (``question_link``, a path).

    An account holder's link is their "Mijn vragen" page, behind the login. A guest's is
    a fresh access link (servicepoint.guest_links): it opens the question for whoever
    holds it, so the mail is queued as one that holds a secret and keeps no text once
    delivered."""
    requester = question.requester
    account = requester if requester is not None and requester.is_active else None
    if account is not None:
        link = reverse("servicepoint:my_question", kwargs={"uuid": question.uuid})
    else:
        link = guest_links.access_path(question)
    message_queue(
        to=question.email,
        user=account,
        language=question.language,
        template=f"servicepoint/{template}",
        context={
            "question": question,
            "recipient_name": question.name,
            "question_link": link,
            **context,
        },
        holds_secret=account is None,
    )


def _notify_staff(users: Iterable, template: str, question: Question, **context) -> None:
    for user in {user.pk: user for user in users}.values():
        message_queue(
            to=user.email,
            user=user,
            template=f"servicepoint/{template}",
            context={"question": question, "recipient_name": user.get_short_name(), **context},
        )


def _touch(question: Question) -> None:
    question.last_activity_at = timezone.now()
    question.save(update_fields=["last_activity_at"])


def _save_attachments(question: Question, files: Sequence, message: Message | None) -> None:
    """Store checked files with the question (``message`` None) or with one message.
    The limit is per question text and per message, so a conversation can go on."""
    if len(files) > settings.SERVICEPOINT_MAX_ATTACHMENTS:
        raise ValidationError(
            _("You can add at most %(max)d files at a time.")
            % {"max": settings.SERVICEPOINT_MAX_ATTACHMENTS},
            code="too_many_files",
        )
    for uploaded in files:
        checked = check_attachment(uploaded)
        attachment = Attachment(
            question=question,
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
        )
        attachment.file.save(checked.name, uploaded, save=False)
        attachment.save()


# Asking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """What ``question_submit`` hands back. For a guest, ``confirmation_token`` is the
    token of the confirmation link: the database keeps only its hash, so apart from the
    e-mail this is the one place it exists (the demo data confirms with it, as a guest
    would with the link). Empty for a logged-in asker, whose question needs no link."""

    question: Question
    confirmation_token: str = ""


@transaction.atomic
def question_submit(
    *,
    topic: Topic,
    subject: str,
    text: str,
    name: str,
    email: str,
    preferred_contact: str,
    requester=None,
    organisation: Organisation | None = None,
    company_name: str = "",
    kvk_number: str = "",
    phone: str = "",
    files: Sequence = (),
    language: str = "nl",
) -> Submission:
    """Store a new question. A logged-in (verified) user's question enters the queue at
    once; a guest first gets an e-mail with a one-time confirmation link."""
    question = Question(
        topic=topic,
        subject=subject,
        text=text,
        name=name,
        email=email.strip().lower(),
        phone=phone,
        preferred_contact=preferred_contact,
        requester=requester,
        organisation=organisation,
        company_name=company_name,
        kvk_number=kvk_number,
        language=language,
        reference="",
    )
    token = ""
    if requester is None:
        token, question.confirmation_token_hash = guest_links.new_confirmation_token()
    question.full_clean(exclude=["reference"])
    question.save()
    question.reference = f"SP-{timezone.localdate():%Y}-{question.pk:05d}"
    question.save(update_fields=["reference"])
    _save_attachments(question, files, message=None)
    audit_log(
        actor=requester,
        action="question.created",
        obj=question,
        data={"topic": topic.slug, "guest": requester is None},
    )
    if requester is not None:
        _enter_queue(question, actor=requester)
    else:
        message_queue(
            to=question.email,
            language=language,
            template="servicepoint/confirm_question",
            context={"question": question, "recipient_name": name, "confirmation_token": token},
            holds_secret=True,
        )
    return Submission(question=question, confirmation_token=token)


@transaction.atomic
def question_confirm(*, token: str) -> Question | None:
    """A guest opened the link in their e-mail: the question enters the queue. The link
    works once: its hash is cleared, and None is the answer for a used or unknown one."""
    if not token:
        return None
    question = (
        Question.objects.select_for_update()
        .filter(confirmation_token_hash=guest_links.confirmation_token_hash(token))
        .first()
    )
    if question is None:
        return None
    question.confirmation_token_hash = ""
    question.save(update_fields=["confirmation_token_hash"])
    if not question.is_confirmed:
        _enter_queue(question, actor=None)
    return question


@transaction.atomic
def question_link_send(*, question: Question) -> bool:
    """Mail the asker a fresh link to their question (the one they had expired), only
    ever to the address the question was asked with. Nothing is sent for a question that
    is not confirmed or has been anonymised; the caller answers the same either way, so
    the answer says nothing about the question or the address."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_confirmed or not question.text:  # anonymising empties the text
        return False
    audit_log(actor=None, action="question.link_sent", obj=question)
    _notify_entrepreneur(question, "new_link", link_days=guest_links.max_age().days)
    return True


def _enter_queue(question: Question, *, actor) -> None:
    now = timezone.now()
    topic = question.topic
    question.submitted_at = now
    question.first_response_due = add_working_days(now, topic.first_response_days)
    question.resolution_due = add_working_days(now, topic.resolution_days)
    question.save(update_fields=["submitted_at", "first_response_due", "resolution_due"])
    audit_log(
        actor=actor,
        action="question.submitted",
        obj=question,
        data={
            "first_response_due": question.first_response_due,
            "resolution_due": question.resolution_due,
        },
    )
    _notify_entrepreneur(question, "receipt")
    if not _apply_routing(question, actor=actor):
        _notify_staff(_account_managers(), "new_question", question)


# Routing ----------------------------------------------------------------------------


def routing_rule_for(question: Question) -> RoutingRule | None:
    """The first active rule for the question's topic whose keywords (if any) occur."""
    haystack = f"{question.subject}\n{question.text}".lower()
    rules = RoutingRule.objects.filter(topic=question.topic_id, is_active=True).select_related(
        "directorate", "assignee"
    )
    for rule in rules:
        keywords = rule.keyword_list
        if not keywords or any(keyword in haystack for keyword in keywords):
            return rule
    return None


def _apply_routing(question: Question, *, actor) -> bool:
    rule = routing_rule_for(question)
    if rule is None:
        return False
    _route(question, [rule.directorate], actor=actor, assignee=rule.assignee, rule=rule)
    return True


def _route(question, directorates, *, actor, assignee=None, rule=None) -> list[Assignment]:
    due = add_working_days(timezone.now(), question.topic.resolution_days)
    created = []
    for directorate in directorates:
        assignment, is_new = Assignment.objects.get_or_create(
            question=question,
            directorate=directorate,
            defaults={"assignee": assignee, "due": due, "rule": rule},
        )
        if not is_new:
            if assignment.state != AssignmentState.WITHDRAWN:
                continue  # already with this directorate
            assignment.state = AssignmentState.OPEN
            assignment.due, assignment.rule, assignment.answered_at = due, rule, None
            assignment.assignee = assignee or assignment.assignee
            assignment.save()
        created.append(assignment)
        audit_log(
            actor=actor,
            action="question.routed",
            obj=question,
            data={
                "directorate": directorate.name,
                "assignee": assignee.email if assignee else "",
                "rule": rule.pk if rule else None,
            },
        )
        recipients = _directorate_recipients(directorate, assignee)
        if recipients:
            _notify_staff(recipients, "assignment", question, assignment=assignment)
        elif directorate.email:
            # No contact person registered yet: the directorate's shared mailbox.
            message_queue(
                to=directorate.email,
                template="servicepoint/assignment",
                context={
                    "question": question,
                    "assignment": assignment,
                    "recipient_name": directorate.name,
                },
            )
    if created and question.state != QuestionState.FORWARDED:
        if QuestionState.FORWARDED in TRANSITIONS[QuestionState(question.state)]:
            _transition(question, QuestionState.FORWARDED, actor=actor)
    return created


@transaction.atomic
def question_route(
    *, question: Question, directorates: Iterable[Directorate], actor, assignee=None
) -> list[Assignment]:
    """Route to one or more directorates; each gets its own assignment and deadline."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    directorates = list(directorates)
    if not directorates:
        raise ValidationError(_("Choose at least one directorate."), code="no_directorate")
    if question.state == QuestionState.CLOSED:
        raise TransitionNotAllowed(_("A closed question cannot be routed; reopen it first."))
    created = _route(question, directorates, actor=actor, assignee=assignee)
    _touch(question)
    return created


@transaction.atomic
def question_change_topic(*, question: Question, topic: Topic, actor) -> Question:
    """Change the topic; deadlines follow the new topic and the routing rules run again.

    Assignments a rule made and nobody answered yet are withdrawn; what an account
    manager routed by hand stays.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if topic.pk == question.topic_id:
        return question
    old = question.topic
    question.topic = topic
    if question.submitted_at:
        question.first_response_due = add_working_days(
            question.submitted_at, topic.first_response_days
        )
        question.resolution_due = add_working_days(question.submitted_at, topic.resolution_days)
    question.save(update_fields=["topic", "first_response_due", "resolution_due"])
    audit_log(
        actor=actor,
        action="question.topic_changed",
        obj=question,
        changes={"topic": [old.slug, topic.slug]},
    )
    stale = question.assignments.filter(
        rule__isnull=False, state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
    )
    for assignment in stale:
        _assignment_transition(assignment, AssignmentState.WITHDRAWN, actor=actor)
    if question.is_confirmed and question.state != QuestionState.CLOSED:
        if (
            not _apply_routing(question, actor=actor)
            and not question.assignments.exclude(state=AssignmentState.WITHDRAWN).exists()
        ):
            if question.state == QuestionState.FORWARDED:
                _transition(question, QuestionState.IN_PROGRESS, actor=actor)
            _notify_staff(_account_managers(), "new_question", question)
    return question


@transaction.atomic
def question_assign(*, question: Question, account_manager, actor) -> Question:
    """Make an account manager responsible for the question."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not account_manager.has_role(Role.ACCOUNT_MANAGER):
        raise ValidationError(
            _("%(name)s is not an account manager.") % {"name": _display_name(account_manager)}
        )
    if question.account_manager_id == account_manager.pk:
        return question
    old = question.account_manager
    question.account_manager = account_manager
    question.save(update_fields=["account_manager"])
    audit_log(
        actor=actor,
        action="question.assigned",
        obj=question,
        changes={"account_manager": [old.email if old else None, account_manager.email]},
    )
    if account_manager != actor:
        _notify_staff([account_manager], "assigned", question)
    return question


# Workflow ---------------------------------------------------------------------------


def _transition(question: Question, to: QuestionState, *, actor, reason: str = "") -> None:
    current = QuestionState(question.state)
    check_transition(
        TRANSITIONS,
        current,
        to,
        message=_("A question that is %(current)s cannot become %(to)s."),
    )
    now = timezone.now()
    question.state = to
    fields = ["state"]
    if to == QuestionState.ANSWERED and question.answered_at is None:
        question.answered_at = now
        fields.append("answered_at")
    if to == QuestionState.CLOSED:
        question.closed_at = now
        fields.append("closed_at")
        question.assignments.filter(
            state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
        ).update(state=AssignmentState.WITHDRAWN)
    if to == QuestionState.REOPENED:
        # A reopened question gets a fresh service level from today, or it would show
        # as overdue (often 3x) the moment it comes back.
        question.closed_at = None
        question.answered_at = None
        question.resolution_due = add_working_days(now, question.topic.resolution_days)
        fields += ["closed_at", "answered_at", "resolution_due"]
    question.last_activity_at = now
    fields.append("last_activity_at")
    question.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="question.state_changed",
        obj=question,
        changes={"state": [current.value, to.value]},
        data={"reason": reason} if reason else None,
    )
    if to in ANNOUNCED_STATES:
        _notify_entrepreneur(question, "state_changed", reason=reason)


@transaction.atomic
def question_transition(*, question: Question, to: str, actor, reason: str = "") -> Question:
    """Move a question to another state, if the workflow table allows it."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("The question has not been confirmed by the asker yet."))
    _transition(question, QuestionState(to), actor=actor, reason=reason)
    return question


def question_close(*, question: Question, actor) -> Question:
    return question_transition(question=question, to=QuestionState.CLOSED, actor=actor)


def _assignment_transition(assignment: Assignment, to: AssignmentState, *, actor) -> None:
    current = AssignmentState(assignment.state)
    check_transition(
        ASSIGNMENT_TRANSITIONS,
        current,
        to,
        message=_("An assignment that is %(current)s cannot become %(to)s."),
    )
    assignment.state = to
    assignment.answered_at = timezone.now() if to == AssignmentState.ANSWERED else None
    assignment.save(update_fields=["state", "answered_at"])
    audit_log(
        actor=actor,
        action="assignment.state_changed",
        obj=assignment.question,
        changes={f"assignment {assignment.directorate}": [current.value, to.value]},
    )


@transaction.atomic
def assignment_transition(*, assignment: Assignment, to: str, actor) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update().select_related("question").get(pk=assignment.pk)
    )
    _assignment_transition(assignment, AssignmentState(to), actor=actor)
    return assignment


# Conversation -----------------------------------------------------------------------


@transaction.atomic
def question_reply(
    *,
    question: Question,
    author,
    body: str,
    assignment: Assignment | None = None,
    files: Sequence = (),
    articles: Iterable[KnowledgeArticle] = (),
) -> Message:
    """A public reply: e-mailed to the entrepreneur and shown in Mijn vragen, with links
    to the knowledge-base articles chosen for further reading."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("The question has not been confirmed by the asker yet."))
    message = Message.objects.create(
        question=question,
        kind=MessageKind.PUBLIC_REPLY,
        author=author,
        author_name=_display_name(author),
        body=body,
        assignment=assignment,
    )
    message.articles.set([a for a in articles if a.is_published])
    _save_attachments(question, files, message)
    if question.first_response_at is None:
        question.first_response_at = message.created_at
        question.save(update_fields=["first_response_at"])
    if assignment is not None and assignment.state in (
        AssignmentState.OPEN,
        AssignmentState.IN_PROGRESS,
    ):
        _assignment_transition(assignment, AssignmentState.ANSWERED, actor=author)
    audit_log(
        actor=author,
        action="question.replied",
        obj=question,
        data={
            "message": message.pk,
            "directorate": str(assignment.directorate) if assignment else "",
        },
    )
    _touch(question)
    _notify_entrepreneur(question, "reply", message=message)
    return message


@transaction.atomic
def question_add_note(*, question: Question, author, body: str, files: Sequence = ()) -> Message:
    """An internal note: staff only, never shown or sent to the entrepreneur."""
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    message = Message.objects.create(
        question=question,
        kind=MessageKind.INTERNAL_NOTE,
        author=author,
        author_name=_display_name(author),
        body=body,
    )
    _save_attachments(question, files, message)
    audit_log(
        actor=author, action="question.note_added", obj=question, data={"message": message.pk}
    )
    return message


@transaction.atomic
def question_entrepreneur_reply(
    *, question: Question, author, body: str, files: Sequence = ()
) -> Message:
    """The entrepreneur answers on the web (logged in, or a guest through their link)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("Confirm your question first with the link in your e-mail."))
    message = Message.objects.create(
        question=question,
        kind=MessageKind.ENTREPRENEUR,
        author=author,
        author_name=_display_name(author) or question.name,
        body=body,
    )
    _save_attachments(question, files, message)
    audit_log(
        actor=author,
        action="question.entrepreneur_replied",
        obj=question,
        data={"message": message.pk},
    )
    state = QuestionState(question.state)
    if state in (QuestionState.WAITING, QuestionState.ANSWERED):
        _transition(question, QuestionState.IN_PROGRESS, actor=author)
    elif state == QuestionState.CLOSED:
        _transition(
            question,
            QuestionState.REOPENED,
            actor=author,
            reason=_("The entrepreneur replied after closing."),
        )
    _touch(question)
    recipients = [question.account_manager] if question.account_manager else _account_managers()
    for assignment in question.assignments.filter(
        state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
    ).select_related("directorate", "assignee"):
        recipients += _directorate_recipients(assignment.directorate, assignment.assignee)
    _notify_staff(recipients, "entrepreneur_replied", question, message=message)
    return message


# Follow-up --------------------------------------------------------------------------


def questions_due_for_follow_up(today=None):
    """Closed questions whose follow-up e-mail is due and not yet sent."""
    today = today or timezone.localdate()
    # Working days are not SQL arithmetic; the candidates are the few closed recently.
    candidates = Question.objects.filter(
        state=QuestionState.CLOSED,
        closed_at__gte=timezone.now() - timedelta(days=60),
        follow_ups__isnull=True,
    ).only("pk", "closed_at")
    days = settings.SERVICEPOINT_FOLLOW_UP_WORKING_DAYS
    return [q.pk for q in candidates if add_working_days(q.closed_at, days) <= today]


@transaction.atomic
def follow_up_send(*, question_id: int) -> FollowUp | None:
    """Send 'Bent u goed geholpen?' once for a closed question."""
    question = Question.objects.select_for_update().get(pk=question_id)
    if question.state != QuestionState.CLOSED or question.follow_ups.exists():
        return None
    follow_up = FollowUp.objects.create(question=question)
    audit_log(actor=None, action="question.follow_up_sent", obj=question)
    _notify_entrepreneur(question, "follow_up", follow_up=follow_up)
    return follow_up


@transaction.atomic
def follow_up_answer(*, token: str, helped: bool, comment: str = "") -> FollowUp | None:
    """Record the answer; 'no' reopens the question and tells the account manager."""
    follow_up = FollowUp.objects.select_for_update().filter(token=token).first() if token else None
    if follow_up is None or follow_up.answered_at is not None:
        return follow_up
    follow_up.helped = helped
    follow_up.comment = comment.strip()
    follow_up.answered_at = timezone.now()
    follow_up.save(update_fields=["helped", "comment", "answered_at"])
    question = Question.objects.select_for_update().get(pk=follow_up.question_id)
    audit_log(
        actor=None,
        action="question.follow_up_answered",
        obj=question,
        data={"helped": helped, "comment": follow_up.comment},
    )
    if not helped:
        if question.state == QuestionState.CLOSED:
            _transition(
                question,
                QuestionState.REOPENED,
                actor=None,
                reason=_("Not helped well, according to the follow-up."),
            )
        recipients = [question.account_manager] if question.account_manager else _account_managers()
        _notify_staff(recipients, "not_helped", question, follow_up=follow_up)
    return follow_up


# Service levels ---------------------------------------------------------------------


def overdue_digest_send(*, today=None) -> int:
    """E-mail each assignee the list of their overdue questions. Returns e-mails queued."""
    from .selectors import overdue_by_person

    sent = 0
    with transaction.atomic():
        for person, questions in overdue_by_person(today=today or timezone.localdate()):
            message_queue(
                to=person.email,
                user=person,
                template="servicepoint/overdue_digest",
                context={"recipient_name": person.get_short_name(), "questions": questions},
            )
            sent += 1
    return sent


# Knowledge base ---------------------------------------------------------------------


def article_refresh_search_vector(*, article_ids: Iterable[int]) -> None:
    """Recompute the stored Dutch search vector (title A, summary B, text C)."""
    from django.contrib.postgres.search import SearchVector

    KnowledgeArticle.objects.filter(pk__in=list(article_ids)).update(
        search_vector=SearchVector("title", weight="A", config="dutch")
        + SearchVector("summary", weight="B", config="dutch")
        + SearchVector("body", weight="C", config="dutch")
    )


@transaction.atomic
def article_save(*, article: KnowledgeArticle, actor) -> KnowledgeArticle:
    """Create or change an article and keep its search vector current."""
    created = article.pk is None
    article.full_clean()
    article.save()
    article_refresh_search_vector(article_ids=[article.pk])
    audit_log(actor=actor, action="article.created" if created else "article.changed", obj=article)
    return article
