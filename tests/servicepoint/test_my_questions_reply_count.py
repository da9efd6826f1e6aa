""" "Mijn vragen" counts the municipality's public replies only: an internal note is never
visible to the entrepreneur, not even as a number."""

import pytest

from accounts.roles import Role
from servicepoint import services
from tests.factories import QuestionFactory, UserFactory


@pytest.mark.django_db
def test_my_questions_counts_public_replies_and_not_internal_notes(client, user):
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(requester=user, account_manager=manager)
    services.question_add_note(question=question, author=manager, body="Intern: eerst WMP bellen")
    services.question_add_note(question=question, author=manager, body="Intern: WMP gebeld")
    services.question_reply(question=question, author=manager, body="U kunt subsidie aanvragen.")
    services.question_entrepreneur_reply(question=question, author=user, body="Dank u wel!")

    client.force_login(user)
    response = client.get("/servicepunt/mijn-vragen/")
    assert [q.reply_count for q in response.context["page"].object_list] == [1]
    assert "<td>1</td>" in response.content.decode()
