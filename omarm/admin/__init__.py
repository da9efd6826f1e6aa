"""The Omarm coordinator's tools: moderation, matches, challenges and areas.

Requests, offers and matches are read-only here: every change goes through
``omarm.services`` (the actions and the custom views call them), so the state machines,
the audit log and the e-mails always apply.

One module per concern, each registering its own admins: ``postings`` (the moderation
queue and "propose a match"), ``matches`` (the pipeline and the export), ``challenges``,
``areas`` and ``reports``; ``filters`` holds the list filters they share.
"""

from .areas import AreaAdmin
from .challenges import ChallengeAdmin
from .matches import MatchAdmin
from .postings import HelpRequestAdmin, OfferAdmin, PostingAdmin
from .reports import ReportAdmin

__all__ = [
    "AreaAdmin",
    "ChallengeAdmin",
    "HelpRequestAdmin",
    "MatchAdmin",
    "OfferAdmin",
    "PostingAdmin",
    "ReportAdmin",
]
