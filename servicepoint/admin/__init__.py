"""The account managers' and directorate contacts' working tool.

Every change made here goes through ``servicepoint.services``: the admin's own save
paths are closed for questions, so the workflow table, audit and e-mails always apply.

``questions`` holds the queue and the question page with its forms and views,
``configuration`` the topics, routing rules, canned replies, articles and follow-ups, and
``filters`` the queue's list filters.
"""

from .configuration import (
    CannedReplyAdmin,
    FollowUpAdmin,
    KnowledgeArticleAdmin,
    RoutingRuleAdmin,
    TopicAdmin,
)
from .questions import QuestionAdmin

__all__ = [
    "CannedReplyAdmin",
    "FollowUpAdmin",
    "KnowledgeArticleAdmin",
    "QuestionAdmin",
    "RoutingRuleAdmin",
    "TopicAdmin",
]
