"""The public pages of Platform Goed Inkopen: the search page (states, htmx, hostile
input, pages), supplier profiles and logos (who may see what), pinned query counts."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from procurement import views
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SupplierState
from procurement.selectors import confirmed_since
from procurement.services import search_words_rebuild
from tests.factories import (
    LabelFactory,
    MembershipFactory,
    ProductFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = "/goed-inkopen/"
SCRIPT = "<script>alert(1)</script>"
NOT_PUBLIC = (
    SupplierState.DRAFT,
    SupplierState.SUBMITTED,
    SupplierState.SENT_BACK,
    SupplierState.WITHDRAWN,
)


@pytest.fixture
def buyer(db):
    return UserFactory(roles=[Role.PROCUREMENT_OFFICER])


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


def names(response):
    return [supplier.name for supplier in response.context["page"].object_list]


def error_codes(response) -> dict[str, list[str]]:
    return {
        field: [error.code for error in errors]
        for field, errors in response.context["form"].errors.as_data().items()
    }


# The search page -------------------------------------------------------------------------


def test_without_a_search_all_verified_suppliers_by_name_with_an_introduction(client):
    SupplierFactory(name="Zuivelhoeve")
    SupplierFactory(name="appelboomgaard")
    SupplierFactory(name="Verborgen", draft=True)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert names(response) == ["appelboomgaard", "Zuivelhoeve"]
    assert response.context["filtered"] is False
    page = response.content.decode()
    assert 'id="intro-heading"' in page
    assert "Verborgen" not in page
    # Searching hides the introduction.
    assert 'id="intro-heading"' not in client.get(SEARCH, {"q": "zuivel"}).content.decode()


def test_the_form_is_a_shareable_get_form_enhanced_by_htmx(client):
    SupplierFactory()
    page = client.get(SEARCH).content.decode()
    form = re.search(r'<form id="supplier-search"[^>]*>', page).group(0)
    assert 'method="get"' in form
    assert 'hx-get="/goed-inkopen/"' in form
    assert 'hx-target="#search-results"' in form
    assert 'hx-push-url="true"' in form
    assert '<button type="submit">' in page  # works without JavaScript
    assert '"includeIndicatorStyles":false' in page
    assert re.search(r'<script src="[^"]*vendor/htmx/htmx\.min\.js" defer></script>', page)
    assert re.search(r'<script src="[^"]*js/procurement-search\.js" defer></script>', page)
    assert 'aria-live="polite"' in page
    # No inline scripts or styles (a strict Content-Security-Policy comes).
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", page)
    assert " style=" not in page and "<style" not in page
    # Every facet input has a label.
    for input_id in re.findall(r'<input type="(?:checkbox|radio)"[^>]* id="([^"]+)"', page):
        assert f'<label for="{input_id}">' in page, input_id


def test_htmx_gets_only_the_results_region(client):
    SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE])
    full = client.get(SEARCH, {"thema": MvoiTheme.CLIMATE})
    partial = client.get(SEARCH, {"thema": MvoiTheme.CLIMATE}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert [t.name for t in partial.templates][0] == "procurement/_results.html"
    fragment = partial.content.decode()
    assert "<html" not in fragment and "<form" not in fragment
    assert 'id="results-heading"' in fragment and 'id="facets-heading"' in fragment
    assert "Groenkracht" in fragment
    # The count for screen readers and the search text's errors are updated out of band.
    assert re.search(r'<div id="search-status" hx-swap-oob="innerHTML">\s*1 ', fragment)
    assert '<div id="id_q_errors" hx-swap-oob="true">' in fragment
    assert "<title>" in fragment
    assert "<html" in full.content.decode() and "hx-swap-oob" not in full.content.decode()
    assert "HX-Request" in full["Vary"] and "HX-Request" in partial["Vary"]
    # Restoring history after a cache miss needs the whole page.
    restore = client.get(SEARCH, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_search_is_read_only(client):
    assert client.post(SEARCH, {"q": "x"}).status_code == 405


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        '"><img src=x onerror=alert(1)>',
        "x" * 10_000,
        "a & | ! :* ( ) <-> <2> !!! &&",
        "' OR 1=1; DROP TABLE procurement_supplier; --",
        "\\'\\\"%_*",
        "schoonmaak:* & !groen",
        "(((",
        "🙂 é ß 中文",
        "   ",
    ],
)
def test_hostile_search_text_is_harmless(client, text):
    SupplierFactory(name="Poetsploeg", short_description="Schoonmaak van kantoren")
    search_words_rebuild()
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    for partial in (True, False):
        extra = {"HTTP_HX_REQUEST": "true"} if partial else {}
        assert client.get(SEARCH, {"q": text, "thema": "klimaat"}, **extra).status_code == 200
    assert "Poetsploeg" in client.get(SEARCH).content.decode()  # nothing was harmed


def test_search_text_is_escaped_where_it_is_repeated(client):
    SupplierFactory()
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(SEARCH, {"q": f"catering {SCRIPT}"}, **extra).content.decode()
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_too_long_search_text_is_an_error_and_left_out(client):
    SupplierFactory(name="Poetsploeg")
    response = client.get(SEARCH, {"q": "schoonmaak " * 1000})
    assert response.status_code == 200
    assert error_codes(response) == {"q": ["max_length"]}
    assert names(response) == ["Poetsploeg"]
    assert 'class="error-summary"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"thema": "bogus"}, "thema"),
        ({"thema": ["klimaat", "<b>x</b>"]}, "thema"),
        ({"label": "gold"}, "label"),
        ({"regio": "mars"}, "regio"),
        ({"categorie": "99999999"}, "categorie"),
        ({"categorie": "'; DROP TABLE x"}, "categorie"),
        ({"omvang": "reus"}, "omvang"),
        ({"impact": "maybe"}, "impact"),
        ({"sdg": "99"}, "sdg"),
        ({"sdg": "abc"}, "sdg"),
        ({"bevestigd": "ooit"}, "bevestigd"),
        ({"sortering": "random()"}, "sortering"),
    ],
)
def test_invalid_choices_are_named_and_the_valid_rest_still_filters(client, params, field):
    """Decision: an invalid parameter is named in the error summary and left out;
    the valid parameters next to it still narrow the result."""
    SupplierFactory(name="In Drenthe", region=Region.DRENTHE)
    SupplierFactory(name="In de stad", region=Region.CITY)
    response = client.get(
        SEARCH, {**params, "regio": Region.DRENTHE} if field != "regio" else params
    )
    assert response.status_code == 200
    assert error_codes(response) == {field: ["invalid_choice"]}
    expected = ["In de stad", "In Drenthe"] if field == "regio" else ["In Drenthe"]
    assert names(response) == expected
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert f'id="id_{field}"' in page  # the summary's link has a target
    assert "<b>x</b>" not in page
    # Links on the page leave the invalid value out.
    assert all(field not in f.remove_url for f in response.context["active_filters"])
    assert f"{field}=" not in response.context["query_string"]


@pytest.mark.parametrize(
    "params", [{"thema": "klim\x00aat"}, {"q\x00": "x"}, {"pagina": "1\x00"}, {"q": "\x00"}]
)
def test_nul_bytes_in_any_parameter_are_refused(client, params):
    SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE])
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(SEARCH, params, **extra)
        assert response.status_code == 400
        assert "Groenkracht" not in response.content.decode()


def test_active_filters_can_be_removed_one_by_one(client):
    SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE, MvoiTheme.CIRCULAR])
    response = client.get(
        SEARCH,
        {
            "q": "groen",
            "thema": [MvoiTheme.CLIMATE, MvoiTheme.CIRCULAR],
            "regio": "",
            "pagina": "1",
        },
    )
    active = {(f.value, f.remove_url) for f in response.context["active_filters"]}
    assert active == {
        ("groen", "/goed-inkopen/?thema=klimaat&thema=circulair"),
        ("Klimaat", "/goed-inkopen/?q=groen&thema=circulair"),
        ("Circulair", "/goed-inkopen/?q=groen&thema=klimaat"),
    }
    assert response.context["query_string"] == "q=groen&thema=klimaat&thema=circulair"


def test_zero_results_say_what_was_searched_and_offer_ways_out(client):
    SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE], region=Region.CITY)
    response = client.get(
        SEARCH, {"q": "xylofoon", "thema": MvoiTheme.CLIMATE, "regio": Region.CITY}
    )
    assert response.status_code == 200
    assert response.context["total"] == 0
    page = response.content.decode()
    assert 'id="no-results"' in page
    assert "xylofoon" in page
    for link in (
        'href="/goed-inkopen/?thema=klimaat&amp;regio=groningen"',  # without the words
        'href="/goed-inkopen/?q=xylofoon&amp;regio=groningen"',  # without the theme
        'href="/goed-inkopen/?q=xylofoon&amp;thema=klimaat"',  # without the region
        'href="/goed-inkopen/"',  # everything cleared
        'href="/servicepunt/"',  # ask for help
    ):
        assert link in page, link
    # The facet that was chosen stays visible so it can be unchecked.
    assert 'id="f-thema-klimaat" checked' in page


def test_no_suppliers_at_all(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert 'id="no-results"' in response.content.decode()


def test_pages_of_twenty(client):
    for n in range(45):
        SupplierFactory(name=f"Leverancier {n:02d}", products=[])
    response = client.get(SEARCH)
    assert response.context["total"] == 45
    assert names(response) == [f"Leverancier {n:02d}" for n in range(20)]
    assert 'rel="next"' in response.content.decode()
    assert names(client.get(SEARCH, {"pagina": "2"}))[0] == "Leverancier 20"
    assert names(client.get(SEARCH, {"pagina": "3"})) == [f"Leverancier {n}" for n in range(40, 45)]
    # Not a number: the first page; beyond the end: the last.
    for bad in ("abc", "1.5", "", "-1", "0", "99999999999999999999"):
        response = client.get(SEARCH, {"pagina": bad})
        assert response.status_code == 200, bad
        assert response.context["page"].number in (1, 3), bad
    # Page links keep the filters.
    page = client.get(SEARCH, {"q": "leverancier", "pagina": "2"}).content.decode()
    assert 'href="?q=leverancier&amp;pagina=3"' in page


def test_paging_stops_at_fifty_pages_with_a_request_to_narrow_down(client, monkeypatch):
    monkeypatch.setattr(views, "MAX_PAGES", 2)
    for n in range(45):
        SupplierFactory(name=f"Leverancier {n:02d}", products=[])
    response = client.get(SEARCH, {"pagina": "3"})
    assert response.context["total"] == 45
    assert response.context["capped"] is True
    assert response.context["page"].number == 2  # the last page that can be reached
    assert response.context["page"].paginator.num_pages == 2
    assert 'class="gi-notice"' in response.content.decode()
    assert views.MAX_PAGES * 20 == 40
    monkeypatch.undo()
    assert views.MAX_PAGES == 50
    assert client.get(SEARCH).context["capped"] is False


def test_result_cards(client):
    old = timezone.now() - timedelta(days=800)
    groen = SupplierFactory(
        name="Groenkracht",
        short_description="Groenonderhoud met leerwerkplekken",
        themes=[MvoiTheme.CLIMATE, MvoiTheme.SOCIAL_RETURN],
        impact_first=True,
        municipality="Winsum",
        region=Region.PROVINCE,
    )
    LabelFactory(supplier=groen, kind=LabelKind.PSO, pso_level=PsoLevel.STEP_1)
    LabelFactory(supplier=groen, kind=LabelKind.BCORP, pso_level="", expired=True)
    SupplierFactory(name="Stoffig", verified_at=old, confirmed_at=old, impact_first=False)
    page = client.get(SEARCH).content.decode()
    card = page[page.index('id="supplier-') : page.index("Stoffig")]
    assert 'href="/goed-inkopen/leverancier/' in card
    assert "Groenonderhoud met leerwerkplekken" in card
    assert "Winsum" in card
    assert "gi-badge--impact" in card
    assert "PSO trede 1" in card
    assert "B Corp" not in card  # expired
    assert "gi-badge--stale" not in card
    stale = page[page.index("Stoffig") :]
    stale = stale[: stale.index("</article>")]
    assert "gi-badge--stale" in stale and "gi-badge--impact" not in stale


def test_result_cards_speak_the_visitors_language(client):
    """The card texts come from tables kept per language: a Dutch and an English visitor
    in turn each get their own, also for the verification date."""
    verified = timezone.make_aware(timezone.datetime(2026, 3, 3, 12, 0))
    SupplierFactory(
        name="Groenkracht",
        themes=[MvoiTheme.CLIMATE],
        region=Region.PROVINCE,
        verified_at=verified,
        confirmed_at=timezone.now(),
    )
    english = type(client)()
    english.cookies["django_language"] = "en"
    for _ in range(2):
        dutch_card = client.get(SEARCH).content.decode()
        english_card = english.get(SEARCH).content.decode()
        assert "Rest van de provincie Groningen" in dutch_card
        assert "<li>Klimaat</li>" in dutch_card
        assert "Geverifieerd op 3 maart 2026" in dutch_card
        assert "Rest of the province of Groningen" in english_card
        assert "<li>Climate</li>" in english_card
        assert "Verified on 3 March 2026" in english_card


def test_procurement_officers_see_what_is_on_their_shortlists(client, buyer):
    on_list = SupplierFactory(name="Op de lijst")
    SupplierFactory(name="Niet op de lijst")
    ShortlistEntryFactory(shortlist=ShortlistFactory(owner=buyer), supplier=on_list)
    other = SupplierFactory(name="Op een andere lijst")
    ShortlistEntryFactory(supplier=other)  # another buyer's shortlist
    client.force_login(buyer)
    response = client.get(SEARCH)
    assert response.context["is_buyer"] is True
    assert response.context["shortlisted"] == {on_list.pk}
    page = response.content.decode()
    assert page.count("gi-badge--shortlisted") == 1
    assert 'id="buyer-tools"' in page
    assert 'href="/goed-inkopen/export.csv"' in page
    # Not for other users.
    for user in (None, UserFactory(roles=[Role.ENTREPRENEUR])):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(SEARCH)
        assert response.context["is_buyer"] is False
        assert response.context["shortlisted"] == set()
        assert 'id="buyer-tools"' not in response.content.decode()


# Query counts ----------------------------------------------------------------------------


def _suppliers(n):
    for _i in range(n):
        supplier = SupplierFactory(
            themes=[MvoiTheme.CLIMATE, MvoiTheme.CIRCULAR],
            sdgs=[8, 13],
            products=[("Kantoorschoonmaak", "90900000"), ("Catering", "55520000")],
        )
        LabelFactory(supplier=supplier)
        LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="")
        LabelFactory(supplier=supplier, kind=LabelKind.CODE_SOCIAL, pso_level="", expired=True)
    search_words_rebuild()


# category tree, facet counts (with the total), one page, its valid labels; the typo
# lookup when there are words; for a logged-in buyer the session, the user, the roles
# and what of the page is on the buyer's shortlists.
SEARCH_QUERIES = {(False, False): 4, (False, True): 5, (True, False): 8, (True, True): 9}


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "buyer"])
@pytest.mark.parametrize("with_words", [False, True], ids=["no-words", "words"])
def test_search_page_query_count_does_not_grow(
    client, buyer, django_assert_num_queries, logged_in, with_words
):
    if logged_in:
        client.force_login(buyer)
    params = {"q": "schoonmak", "thema": MvoiTheme.CLIMATE} if with_words else {"label": "pso"}
    expected = SEARCH_QUERIES[(logged_in, with_words)]
    for size, on_page in ((3, 3), (30, 20)):
        _suppliers(size if size == 3 else size - 3)
        ShortlistEntryFactory(
            shortlist=ShortlistFactory(owner=buyer), supplier=SupplierFactory(products=[])
        )
        with django_assert_num_queries(expected):
            response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == on_page
        with django_assert_num_queries(expected):
            assert client.get(SEARCH, params, HTTP_HX_REQUEST="true").status_code == 200


# Profiles --------------------------------------------------------------------------------


@pytest.fixture
def profile(db):
    today = timezone.localdate()
    supplier = SupplierFactory(
        name="Groenkracht",
        short_description="Groenonderhoud met leerwerkplekken",
        description="Wij onderhouden parken.\n\nMet mensen uit de wijk.",
        themes=[MvoiTheme.CLIMATE, MvoiTheme.SOCIAL_RETURN],
        sdgs=[13, 8],
        impact_first=True,
        target_group_share=35,
        municipality="Winsum",
        region=Region.PROVINCE,
        website="https://groenkracht.example",
        contact_name="Gerda Groen",
        contact_email="gerda@groenkracht.example",
        contact_phone="050 123 4567",
        branch_number="000012345678",
        products=[
            ("Maaien", "77300000"),
            ("Boomverzorging", "77300000"),
            ("Kantoorschoonmaak", "90900000"),
        ],
    )
    LabelFactory(
        supplier=supplier,
        kind=LabelKind.PSO,
        pso_level=PsoLevel.STEP_3,
        evidence_url="https://register.example/pso/123",
    )
    LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="", expired=True)
    LabelFactory(
        supplier=supplier,
        kind=LabelKind.CODE_SOCIAL,
        pso_level="",
        valid_from=today + timedelta(days=1),
        valid_until=today + timedelta(days=300),
    )
    return supplier


def test_a_public_profile_shows_everything(client, profile):
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    assert response.context["preview"] is False
    page = response.content.decode()
    for text in (
        "Groenkracht",
        "Groenonderhoud met leerwerkplekken",
        "<p>Wij onderhouden parken.</p>",
        "Winsum",
        "https://groenkracht.example",
        "Gerda Groen",
        'href="mailto:gerda@groenkracht.example"',
        'href="tel:0501234567"',
        profile.kvk_number,
        "000012345678",
        "35%",
        "13 Klimaatactie",
        'href="https://register.example/pso/123"',
        "gi-badge--impact",
    ):
        assert text in page, text
    assert 'id="preview-banner"' not in page
    assert 'id="not-recent"' not in page
    # Products grouped by category, with the CPV code.
    groups = [(c.code, [p.name for p in ps]) for c, ps in response.context["product_groups"]]
    assert groups == [
        ("77300000", ["Boomverzorging", "Maaien"]),
        ("90900000", ["Kantoorschoonmaak"]),
    ]
    assert "CPV 77300000" in page and "CPV 90900000" in page
    # Labels: valid ones as valid, expired and future ones never.
    assert [label.kind for label in response.context["valid_labels"]] == [LabelKind.PSO]
    assert [label.kind for label in response.context["expired_labels"]] == [LabelKind.BCORP]
    assert [label.kind for label in response.context["upcoming_labels"]] == [LabelKind.CODE_SOCIAL]
    valid = re.findall(r'<span class="gi-label gi-label--valid">([^<]+)</span>', page)
    assert valid == ["PSO trede 3"]
    assert '<span class="gi-label gi-label--expired">B Corp</span>' in page


def test_a_profile_not_recently_confirmed_says_so(client):
    old = timezone.now() - timedelta(days=800)
    supplier = SupplierFactory(verified_at=old, confirmed_at=old)
    assert supplier.confirmed_at < confirmed_since()
    response = client.get(supplier.get_absolute_url())
    assert response.context["not_recent"] is True
    assert 'id="not-recent"' in response.content.decode()


def test_profile_json_ld_is_data_and_escaped(client):
    supplier = SupplierFactory(
        name=f"Evil </script>{SCRIPT} & Co",
        short_description="<!-- kapot",
        website="https://evil.example",
    )
    LabelFactory(supplier=supplier)
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert SCRIPT not in page and "</script><script>" not in page
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(blob)
    assert data["@type"] == "Organization"
    assert data["name"] == supplier.name
    assert data["sameAs"] == ["https://evil.example"]
    assert data["award"] == ["PSO trede 2"]
    assert data["url"] == f"http://testserver{supplier.get_absolute_url()}"


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_profiles_that_are_not_public_are_404_for_everyone_else(client, buyer, state):
    supplier = SupplierFactory(name="Verborgen BV", state=state)
    stranger = UserFactory(roles=[Role.ENTREPRENEUR])
    other_owner = MembershipFactory(organisation=SupplierFactory().organisation).user
    for user in (None, stranger, buyer, other_owner):
        if user:
            client.force_login(user)
        assert client.get(supplier.get_absolute_url()).status_code == 404
        assert client.get(f"{supplier.get_absolute_url()}logo/").status_code == 404
        assert "Verborgen BV" not in client.get(SEARCH, {"q": "verborgen"}).content.decode()
    assert client.get("/goed-inkopen/leverancier/bestaat-niet/").status_code == 404


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_owners_and_the_coordinator_preview_a_profile_that_is_not_public(
    client, coordinator, state
):
    supplier = SupplierFactory(name="Bijna Klaar", state=state, review_note="Voeg een logo toe")
    owner = MembershipFactory(organisation=supplier.organisation).user
    for user in (owner, coordinator):
        client.force_login(user)
        response = client.get(supplier.get_absolute_url())
        assert response.status_code == 200
        assert response.context["preview"] is True
        assert response.context["json_ld"] is None
        page = response.content.decode()
        assert 'id="preview-banner"' in page
        assert f"gi-preview--{state}" in page
        assert '<meta name="robots" content="noindex">' in page
        assert ("Voeg een logo toe" in page) is (state == SupplierState.SENT_BACK)
        edit_link = f'href="/goed-inkopen/mijn-profiel/{supplier.slug}/"'
        assert (edit_link in page) is (user == owner)
        # Still not in the search, also not for them.
        assert "Bijna Klaar" not in client.get(SEARCH).content.decode()


def test_the_shortlist_slot_is_for_procurement_officers_only(
    client, buyer, profile, settings, tmp_path
):
    slot = tmp_path / "procurement" / "buyer" / "_shortlist_add.html"
    slot.parent.mkdir(parents=True)
    slot.write_text('<p id="shortlist-slot">{{ supplier.slug }}</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    client.force_login(buyer)
    response = client.get(profile.get_absolute_url())
    assert response.context["is_buyer"] is True
    assert f'<p id="shortlist-slot">{profile.slug}</p>' in response.content.decode()
    for user in (UserFactory(roles=[Role.ENTREPRENEUR]), None):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(profile.get_absolute_url())
        assert response.context["is_buyer"] is False
        assert 'id="shortlist-slot"' not in response.content.decode()


def test_the_profile_works_without_the_shortlist_slot(client, buyer, profile, monkeypatch):
    monkeypatch.setattr(views, "SHORTLIST_ADD_TEMPLATE", "procurement/buyer/_does_not_exist.html")
    client.force_login(buyer)
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    assert response.context["shortlist_add_template"] is None


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "buyer"])
def test_profile_query_count_does_not_grow_with_products_and_labels(
    client, buyer, django_assert_num_queries, logged_in
):
    if logged_in:
        client.force_login(buyer)
        ShortlistFactory(owner=buyer)
    supplier = SupplierFactory()
    LabelFactory(supplier=supplier)
    # The profile with its products and labels; for a buyer also the session, the
    # user, the roles and the buyer's shortlists (the "add to shortlist" form).
    expected = 7 if logged_in else 3
    with django_assert_num_queries(expected):
        assert client.get(supplier.get_absolute_url()).status_code == 200
    for n in range(10):
        ProductFactory(supplier=supplier, category_id=supplier.products.first().category_id)
        LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="", expired=n % 2 == 0)
    with django_assert_num_queries(expected):
        response = client.get(supplier.get_absolute_url())
    assert len(response.context["product_groups"][0][1]) == 11
    assert len(response.context["valid_labels"]) == 6


# Logos -----------------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def with_logo(db):
    supplier = SupplierFactory(name="Met Logo")
    supplier.logo.save("logo.png", ContentFile(_png()), save=True)
    yield supplier
    supplier.logo.delete(save=False)


def test_the_logo_of_a_public_profile_is_served(client, with_logo):
    url = f"{with_logo.get_absolute_url()}logo/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f'src="{url}"' in client.get(with_logo.get_absolute_url()).content.decode()
    # No logo: 404.
    assert client.get(f"{SupplierFactory().get_absolute_url()}logo/").status_code == 404


def test_the_logo_of_a_profile_that_is_not_public(client, with_logo, coordinator, buyer):
    with_logo.state = SupplierState.SUBMITTED
    with_logo.save()
    url = f"{with_logo.get_absolute_url()}logo/"
    assert client.get(url).status_code == 404
    for user, status in (
        (buyer, 404),
        (UserFactory(), 404),
        (MembershipFactory(organisation=with_logo.organisation).user, 200),
        (coordinator, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status
