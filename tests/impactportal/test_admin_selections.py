"""Selections that name no object get a message, not a server error (Django looks the
values up as they are): the rows ticked for an admin action and an autocomplete field
shown again with errors. And an empty post is a post: the form answers with its errors."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import Role
from servicepoint.constants import QuestionState
from servicepoint.models import Question, RoutingRule
from tests.factories import QuestionFactory, RoutingRuleFactory, UserFactory


@pytest.fixture
def desk_client(client):
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("selected", ["x", "\u200b", "1 OR 1=1", "-"])
def test_an_action_on_a_selection_that_is_no_id_is_refused_with_a_message(desk_client, selected):
    question = QuestionFactory()
    url = reverse("admin:servicepoint_question_changelist")
    response = desk_client.post(
        url,
        {"action": "mark_in_progress", "_selected_action": [question.pk, selected], "index": "0"},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts == ["De selectie is niet geldig. Er is niets gewijzigd."]
    assert Question.objects.get(pk=question.pk).state == QuestionState.NEW


@pytest.mark.django_db
def test_an_action_on_valid_ids_still_runs(desk_client):
    question = QuestionFactory()
    desk_client.post(
        reverse("admin:servicepoint_question_changelist"),
        {"action": "mark_in_progress", "_selected_action": [question.pk], "index": "0"},
    )
    assert Question.objects.get(pk=question.pk).state == QuestionState.IN_PROGRESS


@pytest.mark.django_db
def test_a_wrong_autocomplete_value_is_shown_again_with_an_error(desk_client):
    rule = RoutingRuleFactory()
    response = desk_client.post(
        reverse("admin:servicepoint_routingrule_change", args=[rule.pk]),
        {"topic": rule.topic_id, "directorate": rule.directorate_id, "assignee": "\u200b"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["assignee"]
    assert RoutingRule.objects.get(pk=rule.pk).assignee is None


@pytest.mark.django_db
def test_an_empty_reply_is_answered_with_the_forms_errors(client):
    question = QuestionFactory()
    client.force_login(question.requester)
    response = client.post(reverse("servicepoint:my_question", args=[question.uuid]), {})
    assert response.status_code == 200
    assert response.context["form"].is_bound
    assert response.context["form"].errors
    assert question.messages.count() == 0
