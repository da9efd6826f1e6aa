"""Every write of the service point: asking, routing, replying, state changes, follow-up.

Each service runs in one transaction, audits what it changed and queues its e-mails in
the outbox; nothing is sent inside a request.

One module per concern: ``questions`` (asking and confirming), ``routing``, ``workflow``
(the state changes the transition tables allow), ``conversation`` (replies, notes,
attachments), ``follow_ups``, ``digests`` and ``articles``; what they share is in
``_common``. Callers use ``from servicepoint import services`` and the names below.
"""

from __future__ import annotations

from .articles import article_refresh_search_vector, article_save
from .conversation import question_add_note, question_entrepreneur_reply, question_reply
from .digests import overdue_digest_send
from .follow_ups import follow_up_answer, follow_up_send, questions_due_for_follow_up
from .questions import Submission, question_confirm, question_link_send, question_submit
from .routing import question_assign, question_change_topic, question_route, routing_rule_for
from .workflow import assignment_transition, question_close, question_transition

__all__ = [
    "Submission",
    "article_refresh_search_vector",
    "article_save",
    "assignment_transition",
    "follow_up_answer",
    "follow_up_send",
    "overdue_digest_send",
    "question_add_note",
    "question_assign",
    "question_change_topic",
    "question_close",
    "question_confirm",
    "question_entrepreneur_reply",
    "question_link_send",
    "question_reply",
    "question_route",
    "question_submit",
    "question_transition",
    "questions_due_for_follow_up",
    "routing_rule_for",
]
