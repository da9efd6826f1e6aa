"""The knowledge base: Dutch full-text search kept current by the service, and its pages."""

import re

import pytest

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from servicepoint import selectors, services
from servicepoint.models import KnowledgeArticle
from tests.factories import TopicFactory, UserFactory

KNOWLEDGE_BASE = "/servicepunt/kennisbank/"
SUGGESTIONS = "/servicepunt/kennisbank/suggesties/"
ASK = "/servicepunt/vraag/"


@pytest.fixture
def coordinator(db):
    return UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)


def write(
    coordinator,
    *,
    title,
    body="Lees hier hoe het werkt.",
    summary="Uitleg",
    slug=None,
    published=True,
    topic="financiering",
):
    article = KnowledgeArticle(
        topic=TopicFactory(slug=topic),
        title=title,
        slug=slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        summary=summary,
        body=body,
        is_published=published,
    )
    return services.article_save(article=article, actor=coordinator)


def found(text: str) -> list[str]:
    return [article.title for article in selectors.search_articles(text)]


# Search --------------------------------------------------------------------------------


def test_article_save_keeps_the_search_vector_current(coordinator):
    article = write(
        coordinator,
        title="Ruimte huren voor je onderneming",
        body="Een leegstaand buurthuis kan een goede plek zijn.",
    )
    assert article.title in found("buurthuis")
    assert found("fietsenwerkplaats") == []

    article.body = "Een fietsenwerkplaats in de Oosterpoort zocht een bedrijfsruimte."
    services.article_save(article=article, actor=coordinator)
    assert found("fietsenwerkplaats") == [article.title]
    assert found("buurthuis") == []  # the old text is gone from the index too

    article.title = "Bedrijfsruimte vinden in Groningen"
    services.article_save(article=article, actor=coordinator)
    assert found("bedrijfsruimte") == ["Bedrijfsruimte vinden in Groningen"]
    assert AuditLogEntry.objects.filter(action="article.changed").count() == 2
    assert AuditLogEntry.objects.filter(action="article.created").count() == 1


def test_article_save_validates_before_saving(coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        write(coordinator, title="Zonder tekst", body="")
    assert not KnowledgeArticle.objects.exists()


def test_dutch_stemming(coordinator):
    write(
        coordinator,
        title="Subsidie voor sociale ondernemers",
        body="Sociale ondernemingen in Groningen kunnen een bijdrage aanvragen.",
    )
    write(
        coordinator,
        title="Een jobcoach aanvragen",
        topic="personeel-jobcoach",
        body="De gemeente betaalt begeleiding op de werkvloer.",
    )
    assert found("ondernemer") == ["Subsidie voor sociale ondernemers"]
    assert found("onderneming") == ["Subsidie voor sociale ondernemers"]
    assert found("ondernemingen") == ["Subsidie voor sociale ondernemers"]
    assert found("opdrachtnemers") == []
    # Dutch stop words alone find nothing, rather than everything.
    assert found("voor een het") == []


def test_a_search_needs_every_word_suggestions_any(coordinator):
    write(coordinator, title="Subsidie voor sociale ondernemers")
    write(coordinator, title="Een jobcoach aanvragen", topic="personeel-jobcoach")
    assert found("jobcoach subsidie") == []
    assert found("sociale subsidie") == ["Subsidie voor sociale ondernemers"]
    # Suggestions for a question being written take any of its words.
    suggested = selectors.suggest_articles("Is er subsidie voor een jobcoach?")
    assert sorted(article.title for article in suggested) == [
        "Een jobcoach aanvragen",
        "Subsidie voor sociale ondernemers",
    ]


def test_title_matches_rank_above_body_matches(coordinator):
    # Alphabetically the body match comes first, so only the rank can put the title first.
    write(
        coordinator,
        title="Aan de slag met nieuwe medewerkers",
        topic="personeel-jobcoach",
        body="Soms helpt een jobcoach bij de eerste weken.",
    )
    write(
        coordinator,
        title="Een jobcoach aanvragen",
        topic="personeel-jobcoach",
        body="Begeleiding op de werkvloer voor medewerkers met een beperking.",
    )
    write(
        coordinator,
        title="Begeleiding op maat",
        topic="personeel-jobcoach",
        summary="Wat een jobcoach voor u kan doen",
    )
    assert found("jobcoach") == [
        "Een jobcoach aanvragen",
        "Begeleiding op maat",
        "Aan de slag met nieuwe medewerkers",
    ]


def test_unpublished_articles_never_appear(client, coordinator):
    published = write(coordinator, title="Subsidie voor sociale ondernemers")
    draft = write(
        coordinator,
        title="Subsidie voor sociale ondernemers (concept)",
        slug="concept-subsidie",
        published=False,
        body="Geheim conceptbedrag.",
    )
    assert found("subsidie") == [published.title]
    assert found("conceptbedrag") == []

    suggestions = client.get(SUGGESTIONS, {"q": "subsidie conceptbedrag"}).content.decode()
    assert published.get_absolute_url() in suggestions
    assert draft.get_absolute_url() not in suggestions and "concept" not in suggestions

    ask = client.post(ASK, {"suggest": "1", "text": "Is er subsidie? conceptbedrag"})
    assert ask.status_code == 200
    assert published.title in ask.content.decode()
    assert draft.title not in ask.content.decode()

    for query in ({}, {"q": "subsidie"}, {"q": "conceptbedrag"}):
        page = client.get(KNOWLEDGE_BASE, query).content.decode()
        assert draft.title not in page and draft.get_absolute_url() not in page
    assert client.get(draft.get_absolute_url()).status_code == 404

    # Publishing it (through the service) makes it appear.
    draft.is_published = True
    services.article_save(article=draft, actor=coordinator)
    assert found("conceptbedrag") == [draft.title]
    assert client.get(draft.get_absolute_url()).status_code == 200


# Pages ---------------------------------------------------------------------------------


def test_knowledge_base_page_lists_and_searches(client, coordinator):
    subsidy = write(
        coordinator,
        title="Subsidie voor sociale ondernemers",
        summary="Welke regelingen er zijn voor sociale ondernemingen",
    )
    coach = write(
        coordinator,
        title="Een jobcoach aanvragen",
        topic="personeel-jobcoach",
        summary="Begeleiding op de werkvloer",
    )
    page = client.get(KNOWLEDGE_BASE)
    assert page.status_code == 200
    html = page.content.decode()
    assert subsidy.get_absolute_url() in html and coach.get_absolute_url() in html

    page = client.get(KNOWLEDGE_BASE, {"q": "ondernemer"})
    assert page.status_code == 200
    assert list(page.context["articles"]) == [subsidy]
    html = page.content.decode()
    assert subsidy.get_absolute_url() in html and coach.get_absolute_url() not in html

    nothing = client.get(KNOWLEDGE_BASE, {"q": "zonnepanelen"})
    assert nothing.status_code == 200
    assert list(nothing.context["articles"]) == []


def test_article_page_renders(client, coordinator):
    article = write(
        coordinator,
        title="Vergunning voor een buurtrestaurant",
        topic="vergunningen",
        summary="Wat u nodig hebt om een restaurant te openen",
        body="Eerste alinea over de omgevingsvergunning.\n\nTweede alinea <b>vet</b>.",
    )
    response = client.get(f"/servicepunt/kennisbank/{article.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Vergunning voor een buurtrestaurant</h1>" in html
    assert "Wat u nodig hebt om een restaurant te openen" in html
    assert "<p>Eerste alinea over de omgevingsvergunning.</p>" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html and "<b>vet</b>" not in html
    assert 'href="/servicepunt/vraag/"' in html
    assert client.get("/servicepunt/kennisbank/bestaat-niet/").status_code == 404


HOSTILE = [
    "subsidie " * 2000,
    "x" * 10_000,
    "<script>alert(1)</script>",
    "!!! ??? ... --- &&& ||| ((( )))",
    "' OR 1=1 --",
    "'; DROP TABLE servicepoint_knowledgearticle; --",
    '"subsidie',
    "subsidie:* & !ondernemer | (",
    "-subsidie or or or",
    "🚲 fietsenwerkplaats ✓",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("url", [KNOWLEDGE_BASE, SUGGESTIONS])
def test_hostile_queries_are_harmless(client, coordinator, url, query):
    write(coordinator, title="Subsidie voor sociale ondernemers")
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert KnowledgeArticle.objects.count() == 1


NUL_QUERIES = ["sub\x00sidie", "\x00", "subsidie \x00\x00\x00 ondernemer"]


@pytest.mark.parametrize("query", NUL_QUERIES, ids=range(len(NUL_QUERIES)))
def test_nul_bytes_in_a_search_are_refused(client, coordinator, query):
    write(coordinator, title="Subsidie voor sociale ondernemers")
    assert client.get(KNOWLEDGE_BASE, {"q": query}).status_code == 400
    assert client.get(SUGGESTIONS, {"q": query}).status_code == 400
    assert client.post(ASK, {"suggest": "1", "text": query}).status_code == 400
    assert KnowledgeArticle.objects.count() == 1


def test_script_in_query_is_escaped_on_the_results_page(client, coordinator):
    response = client.get(KNOWLEDGE_BASE, {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_ask_suggestions_is_harmless(client, coordinator, query):
    write(coordinator, title="Subsidie voor sociale ondernemers")
    response = client.post(ASK, {"suggest": "1", "text": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


# Admin ---------------------------------------------------------------------------------


def _management_form(html: str) -> dict[str, str]:
    """The hidden management-form fields of the inlines on an admin page."""
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and re.search(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$", name.group(1)):
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def test_admin_save_stores_article_with_search_vector(client, coordinator):
    client.force_login(coordinator)
    url = "/beheer/servicepoint/knowledgearticle/add/"
    page = client.get(url)
    assert page.status_code == 200
    topic = TopicFactory(slug="social-return")
    response = client.post(
        url,
        {
            **_management_form(page.content.decode()),
            "topic": topic.pk,
            "title": "Social return bij gemeentelijke opdrachten",
            "slug": "social-return-bij-opdrachten",
            "summary": "Wat de gemeente van opdrachtnemers vraagt",
            "body": "Bij opdrachten boven 100.000 euro besteedt u vijf procent aan social return.",
            "is_published": "on",
        },
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if (response.context) else response
    )
    article = KnowledgeArticle.objects.get(slug="social-return-bij-opdrachten")
    assert article.search_vector is not None
    assert found("opdrachtnemer") == [article.title]
    assert AuditLogEntry.objects.filter(action="article.created", actor=coordinator).exists()

    # Editing in the admin re-indexes as well.
    change = f"/beheer/servicepoint/knowledgearticle/{article.pk}/change/"
    page = client.get(change)
    response = client.post(
        change,
        {
            **_management_form(page.content.decode()),
            "topic": topic.pk,
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": "Denk aan leerwerkplekken en inkoop bij sociale ondernemingen.",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    assert found("leerwerkplek") == [article.title]
