"""A refused move named in plain stored values (impactportal.workflow.check_transition).

A caller may hand in a model field's value instead of the workflow's state; the refusal
must still say which move it refused, not "None".
"""

import pytest
from django.db import models

from impactportal.workflow import TransitionNotAllowed, check_transition


class Door(models.TextChoices):
    OPEN = "open", "open"
    LOCKED = "locked", "op slot"


TABLE = {Door.OPEN: frozenset({Door.LOCKED}), Door.LOCKED: frozenset()}


def test_a_refusal_for_stored_values_names_the_values():
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(
            TABLE, "locked", "open", message="Een deur die %(current)s is, wordt niet %(to)s."
        )
    assert refused.value.messages == ["Een deur die locked is, wordt niet open."]
