from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    POVERTY = "armoede", _("poverty")
    LONELINESS = "eenzaamheid", _("loneliness")
    LOW_LITERACY = "laaggeletterdheid", _("low literacy")
    OPPORTUNITIES = "kansen", _("chances for residents")
    SUSTAINABILITY = "duurzaamheid", _("sustainability")
    LACK_OF_EXERCISE = "bewegingsarmoede", _("lack of exercise")
    OTHER = "overig", _("other")


class HelpKind(models.TextChoices):
    HANDS = "inzet", _("hands (volunteers)")
    MONEY = "geld", _("money")
    NETWORK = "netwerk", _("network")
    MATERIALS = "materialen", _("materials")
    EXPERTISE = "expertise", _("expertise")


class PostingState(models.TextChoices):
    """The life of a request (hulpvraag) or an offer (aanbod)."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for approval")
    SENT_BACK = "sent_back", _("sent back")
    OPEN = "open", _("open")
    FULFILLED = "fulfilled", _("fulfilled")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


P = PostingState

POSTING_TRANSITIONS: dict[PostingState, frozenset[PostingState]] = {
    P.DRAFT: frozenset({P.SUBMITTED, P.WITHDRAWN}),
    P.SUBMITTED: frozenset({P.OPEN, P.SENT_BACK, P.WITHDRAWN}),
    P.SENT_BACK: frozenset({P.SUBMITTED, P.WITHDRAWN}),
    P.OPEN: frozenset({P.FULFILLED, P.EXPIRED, P.WITHDRAWN}),
    # Extending an expired posting puts it back on the board.
    P.EXPIRED: frozenset({P.OPEN, P.WITHDRAWN}),
    P.FULFILLED: frozenset(),
    P.WITHDRAWN: frozenset(),
}

# The owner may still edit the text in these states.
EDITABLE_STATES = frozenset({P.DRAFT, P.SENT_BACK})


class MatchState(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    TALKING = "talking", _("in conversation")
    MATCHED = "matched", _("matched")
    COMPLETED = "completed", _("completed")
    BROKEN_OFF = "broken_off", _("broken off")


M = MatchState

MATCH_TRANSITIONS: dict[MatchState, frozenset[MatchState]] = {
    M.PROPOSED: frozenset({M.TALKING, M.BROKEN_OFF}),
    M.TALKING: frozenset({M.MATCHED, M.BROKEN_OFF}),
    M.MATCHED: frozenset({M.COMPLETED, M.BROKEN_OFF}),
    M.COMPLETED: frozenset(),
    M.BROKEN_OFF: frozenset(),
}

ACTIVE_MATCH_STATES = frozenset({M.PROPOSED, M.TALKING, M.MATCHED})


class StoryState(models.TextChoices):
    NONE = "none", _("no story")
    SUBMITTED = "submitted", _("waiting for approval")
    PUBLISHED = "published", _("published")


# Reports by this many different people hide a posting until the coordinator looks.
REPORT_THRESHOLD = 3
