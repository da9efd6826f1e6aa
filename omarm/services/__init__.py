"""Every write of Omarm Groningen: postings and their moderation, reports, matches.

Requests (hulpvragen) and offers (aanbod) share one life cycle (constants.POSTING_
TRANSITIONS) and one set of services; matches have their own (MATCH_TRANSITIONS). Each
service runs in one transaction, audits the change and queues its e-mails in the outbox.

One module per aggregate (``postings``, ``reports``, ``matches``), what they share in
``_common``; callers use ``from omarm import services`` and the names below.
"""

from __future__ import annotations

from ._common import is_member
from .matches import (
    can_take_part,
    match_complete,
    match_message_add,
    match_offer_help,
    match_propose,
    match_publish_story,
    match_show_interest,
    match_transition,
    may_accept_conversation,
)
from .postings import (
    OFFER_FIELDS,
    REQUEST_FIELDS,
    expire_due_postings,
    offer_create,
    posting_approve,
    posting_extend,
    posting_fulfil,
    posting_send_back,
    posting_submit,
    posting_update,
    posting_withdraw,
    posting_withdraw_unanswered,
    request_create,
    send_expiry_reminders,
)
from .reports import request_report, request_review_reports

__all__ = [
    "OFFER_FIELDS",
    "REQUEST_FIELDS",
    "can_take_part",
    "expire_due_postings",
    "is_member",
    "match_complete",
    "match_message_add",
    "match_offer_help",
    "match_propose",
    "match_publish_story",
    "match_show_interest",
    "match_transition",
    "may_accept_conversation",
    "offer_create",
    "posting_approve",
    "posting_extend",
    "posting_fulfil",
    "posting_send_back",
    "posting_submit",
    "posting_update",
    "posting_withdraw",
    "posting_withdraw_unanswered",
    "request_create",
    "request_report",
    "request_review_reports",
    "send_expiry_reminders",
]
