"""Every allowed and every forbidden move of an event's state, against the rules written
out here: a move added to or dropped from events/constants.py must be made here too."""

import itertools

import pytest

from events.constants import EVENT_TRANSITIONS, EventState
from events.services import _event_transition
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from tests.events.test_registration import make_event

ALLOWED = {
    "draft": {"published", "cancelled"},
    "published": {"cancelled", "past"},
    "cancelled": set(),
    "past": set(),
}
MOVES = list(itertools.product(EventState, EventState))


def test_the_table_is_the_rules_written_here():
    assert {k.value: {v.value for v in vs} for k, vs in EVENT_TRANSITIONS.items()} == ALLOWED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target"), MOVES, ids=[f"{a.value}->{b.value}" for a, b in MOVES]
)
def test_event_transition(current, target):
    event = make_event(state=current)
    if target.value in ALLOWED[current.value]:
        _event_transition(event, target, actor=None)
        event.refresh_from_db()
        assert event.state == target
        entry = AuditLogEntry.objects.get(action="event.state_changed")
        assert entry.changes == {"state": [current.value, target.value]}
    else:
        with pytest.raises(TransitionNotAllowed):
            _event_transition(event, target, actor=None)
        event.refresh_from_db()
        assert event.state == current
        assert not AuditLogEntry.objects.filter(action="event.state_changed").exists()
