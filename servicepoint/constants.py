from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionState(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    FORWARDED = "forwarded", _("forwarded to directorate")
    WAITING = "waiting", _("waiting for entrepreneur")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


S = QuestionState

# The one table of allowed moves. Services refuse anything not in it.
TRANSITIONS: dict[QuestionState, frozenset[QuestionState]] = {
    S.NEW: frozenset({S.IN_PROGRESS, S.FORWARDED, S.WAITING, S.ANSWERED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.FORWARDED, S.WAITING, S.ANSWERED, S.CLOSED}),
    S.FORWARDED: frozenset({S.IN_PROGRESS, S.WAITING, S.ANSWERED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.FORWARDED, S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.IN_PROGRESS, S.WAITING, S.CLOSED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.FORWARDED, S.WAITING, S.ANSWERED, S.CLOSED}),
}

# States the entrepreneur is told about by e-mail. Forwarding is not among them: the
# question page shows which directorates handle it, and a question routed on arrival
# would otherwise get two e-mails at once.
ANNOUNCED_STATES = frozenset({S.IN_PROGRESS, S.WAITING, S.ANSWERED, S.CLOSED, S.REOPENED})

# States in which the question sits with the municipality (its deadlines run).
OPEN_STATES = frozenset({S.NEW, S.IN_PROGRESS, S.FORWARDED, S.REOPENED})


class AssignmentState(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    WITHDRAWN = "withdrawn", _("withdrawn")


A = AssignmentState

ASSIGNMENT_TRANSITIONS: dict[AssignmentState, frozenset[AssignmentState]] = {
    A.OPEN: frozenset({A.IN_PROGRESS, A.ANSWERED, A.WITHDRAWN}),
    A.IN_PROGRESS: frozenset({A.ANSWERED, A.WITHDRAWN}),
    A.ANSWERED: frozenset({A.IN_PROGRESS}),
    A.WITHDRAWN: frozenset({A.OPEN}),
}


class MessageKind(models.TextChoices):
    PUBLIC_REPLY = "reply", _("reply to the entrepreneur")
    INTERNAL_NOTE = "note", _("internal note")
    ENTREPRENEUR = "entrepreneur", _("message from the entrepreneur")


class PreferredContact(models.TextChoices):
    EMAIL = "email", _("by e-mail")
    PHONE = "phone", _("by phone")


class Deadline(models.TextChoices):
    """How a deadline stands today, as the admin shows it."""

    ON_TIME = "on_time", _("on time")
    OVERDUE = "overdue", _("overdue")
    OVERDUE_3X = "overdue_3x", _("3x overdue")
