"""The one check of a state change against a workflow's table (impactportal.workflow)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from impactportal.workflow import TransitionNotAllowed, check_transition


class Lamp(models.TextChoices):
    OFF = "off", "uit"
    ON = "on", "aan"
    BROKEN = "broken", "kapot"


TABLE = {
    Lamp.OFF: frozenset({Lamp.ON, Lamp.BROKEN}),
    Lamp.ON: frozenset({Lamp.OFF, Lamp.BROKEN}),
    Lamp.BROKEN: frozenset(),
}


@pytest.mark.parametrize(("current", "to"), list(itertools.product(Lamp, Lamp)))
def test_every_move_is_allowed_exactly_when_the_table_says_so(current, to):
    if to in TABLE[current]:
        check_transition(TABLE, current, to)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            check_transition(TABLE, current, to)
        assert refused.value.code == "transition_not_allowed"


def test_stored_values_are_compared_like_their_states():
    check_transition(TABLE, "off", "on")  # e.g. a model field's value
    with pytest.raises(TransitionNotAllowed):
        check_transition(TABLE, "broken", "on")


def test_a_state_missing_from_the_table_may_become_nothing():
    with pytest.raises(TransitionNotAllowed):
        check_transition({Lamp.OFF: {Lamp.ON}}, Lamp.ON, Lamp.OFF)


def test_the_message_names_both_states_by_their_labels():
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(
            TABLE, Lamp.BROKEN, Lamp.ON, message="Een lamp die %(current)s is, wordt nooit %(to)s."
        )
    assert refused.value.messages == ["Een lamp die kapot is, wordt nooit aan."]


def test_the_default_message_is_translated():
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        check_transition(TABLE, Lamp.BROKEN, Lamp.OFF)
    assert refused.value.messages == ["Something that is kapot cannot become uit."]


def test_it_is_a_validation_error_so_forms_show_it():
    assert issubclass(TransitionNotAllowed, ValidationError)
