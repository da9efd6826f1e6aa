"""How many articles the knowledge base offers: five suggestions while one types a
question, twenty results on the search page."""

import pytest

from tests.factories import KnowledgeArticleFactory


@pytest.mark.django_db
def test_typing_a_question_suggests_the_five_best_articles(client):
    KnowledgeArticleFactory.create_batch(7, title="Subsidie voor sociale ondernemers")
    response = client.get("/servicepunt/kennisbank/suggesties/", {"q": "subsidie"})
    assert len(list(response.context["suggestions"])) == 5


@pytest.mark.django_db
def test_the_search_page_shows_twenty_articles_at_most(client):
    KnowledgeArticleFactory.create_batch(22, title="Subsidie voor sociale ondernemers")
    response = client.get("/servicepunt/kennisbank/", {"q": "subsidie"})
    assert len(list(response.context["articles"])) == 20
