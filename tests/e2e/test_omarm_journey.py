"""Omarm Groningen from help request to published success story, in the browser.

A member of a social organisation posts a help request and submits it for approval;
it waits on "Mijn Omarm" and is not on the board yet. The coordinator approves it from
the moderation queue in the admin. A business member filters the board, finds the
request and offers help; the social organisation replies (the match is "in gesprek"),
the business marks it "gematcht" and completes it with a result story, hours and value.
The coordinator publishes the story and it shows on the board. Someone else gets 404 on
the match. axe-core checks every page, public and admin.
"""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.constants import OrganisationKind
from accounts.roles import Role
from omarm.constants import HelpKind, MatchState, PostingState, StoryState, Theme
from omarm.models import Area, HelpRequest, Match
from tests.e2e.journey import main, member_log_in, path_is, staff_log_in, success_message
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

SOCIAL_NAME = "Stichting Buurtkamer De Wijert"
BUSINESS_NAME = "Installatiebedrijf Hoogkerk"
TITLE = "Laptops voor het huiswerkcafé in Oost"
STORY = (
    "Kinderen uit gezinnen met weinig geld maken in ons huiswerkcafé hun huiswerk.\n"
    "Wij zoeken tien laptops en iemand die ze kan installeren."
)
HELP_MESSAGE = "Wij hebben twaalf afgeschreven laptops en een monteur die ze kan inrichten."
REPLY = "Wat fijn! Kunt u dinsdagmiddag langskomen in het buurthuis?"
RESULT_STORY = "Twaalf laptops geïnstalleerd; dertig kinderen maken nu thuis hun huiswerk."
HOURS = "12"
VALUE = "450"

# Labels as the Dutch translation renders them (locale/nl/LC_MESSAGES/django.po).
THEME_LABEL = "armoede"  # Theme.POVERTY
KIND_LABELS = ["geld", "kennis en expertise"]  # HelpKind.MONEY, HelpKind.EXPERTISE
AREA_NAME = "Oost"


def run_admin_action(page: Page, row_text: str, action_label: str, done: str) -> None:
    """Tick the changelist row containing ``row_text`` and run an action on it."""
    row = page.locator("#result_list tbody tr").filter(has_text=row_text)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action_label)
    page.get_by_role("button", name="Uitvoeren").click()
    expect(page.locator(".messagelist .success")).to_contain_text(done)


def match_state(page: Page):
    return main(page).locator("dt", has_text=re.compile(r"^Status$")).locator("+ dd")


# The journey ---------------------------------------------------------------------------


def test_help_request_approved_matched_completed_and_story_published(
    live_server, page: Page, new_page
):
    # A transactional test may have flushed the data migration's areas: get or create.
    area, _created = Area.objects.get_or_create(
        slug="oost", defaults={"name": AREA_NAME, "position": 1}
    )
    social = OrganisationFactory(name=SOCIAL_NAME, kind=OrganisationKind.SOCIAL)
    business = OrganisationFactory(name=BUSINESS_NAME, kind=OrganisationKind.COMPANY)
    social_member = MembershipFactory(organisation=social, user__name="Fenna Bakker").user
    business_member = MembershipFactory(organisation=business, user__name="Sjoerd Mulder").user
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)
    stranger = UserFactory(name="Nieuwsgierige Buurman")
    wanted_by = timezone.localdate() + timedelta(days=60)
    mine_path = reverse("omarm:mine")
    board_path = reverse("omarm:index")

    # 1. The social organisation posts a help request and submits it. ------------------
    new_path = reverse("omarm:request_new")
    member_log_in(page, live_server, social_member, new_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe hulpvraag")
    form = main(page).locator("form.omarm-form")
    form.get_by_label("Titel", exact=True).fill(TITLE)
    form.locator("#id_story").fill(STORY)
    form.get_by_label("Thema", exact=True).select_option(label=THEME_LABEL)
    kinds = form.get_by_role("group", name="Soort hulp")
    for label in KIND_LABELS:
        kinds.get_by_role("checkbox", name=label, exact=True).check()
    form.get_by_label("Gebied", exact=True).select_option(label=AREA_NAME)
    form.get_by_label("Nodig vóór", exact=True).fill(wanted_by.isoformat())
    form.get_by_role("button", name="Indienen voor goedkeuring").click()

    page.wait_for_url(path_is(live_server, mine_path))
    success_message(page, "Naar de coördinator gestuurd voor goedkeuring.")
    requests_table = main(page).get_by_role("table", name="Hulpvragen van uw organisaties")
    row = requests_table.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Wacht op goedkeuring")
    help_request = HelpRequest.objects.get(title=TITLE)
    assert help_request.organisation == social
    assert help_request.state == PostingState.SUBMITTED
    assert help_request.theme == Theme.POVERTY
    assert set(help_request.help_kinds) == {HelpKind.MONEY, HelpKind.EXPERTISE}
    assert help_request.area == area
    assert help_request.wanted_by == wanted_by
    assert help_request.story.replace("\r\n", "\n") == STORY

    # Not on the board yet, and its page is 404 for anyone else.
    page.goto(f"{live_server.url}{board_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Omarm Groningen")
    expect(main(page).get_by_role("link", name=TITLE)).to_have_count(0)

    # 2. The coordinator approves it from the moderation queue. ------------------------
    coordinator_page = new_page()
    changelist = reverse("admin:omarm_helprequest_changelist")
    staff_log_in(coordinator_page, live_server, coordinator, changelist)
    coordinator_page.get_by_role("link", name="Te beoordelen").click()
    coordinator_page.wait_for_url(re.compile(rf"{re.escape(changelist)}\?wachtrij=ja$"))
    run_admin_action(
        coordinator_page, TITLE, "Goedkeuren: op het prikbord zetten", "1 goedgekeurd."
    )
    help_request.refresh_from_db()
    assert help_request.state == PostingState.OPEN
    # The queue is empty again.
    expect(coordinator_page.locator("#result_list tbody tr").filter(has_text=TITLE)).to_have_count(
        0
    )

    # 3. A business filters the board, finds the request and offers help. -------------
    business_page = new_page()
    member_log_in(business_page, live_server, business_member, board_path)
    filters = main(business_page).get_by_role("search")
    filters.get_by_label(re.compile(r"^Thema\b")).select_option(label=THEME_LABEL)
    filters.get_by_role("group", name="Soort hulp").get_by_role(
        "checkbox", name="geld", exact=True
    ).check()
    filters.get_by_role("button", name="Resultaten tonen").click()
    business_page.wait_for_url(re.compile(r"[?&]thema=armoede(&|$)"))
    assert "hulp=geld" in business_page.url
    expect(main(business_page).get_by_role("status")).to_have_text("1 resultaat")
    main(business_page).get_by_role("link", name=TITLE).click()
    business_page.wait_for_url(path_is(live_server, help_request.get_absolute_url()))
    expect(business_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main(business_page)).to_contain_text(SOCIAL_NAME)
    help_form = business_page.locator("#helpen form")
    help_form.get_by_label("Uw bericht").fill(HELP_MESSAGE)
    help_form.get_by_role("button", name="Ik wil helpen").click()

    business_page.wait_for_url(path_is(live_server, re.compile(r"/omarm/match/[0-9a-f-]+/")))
    match = Match.objects.get(request=help_request, business=business)
    assert business_page.url.startswith(f"{live_server.url}{match.get_absolute_url()}")
    expect(business_page.get_by_role("heading", level=1)).to_have_text(f"Match: {TITLE}")
    success_message(business_page, f"Bedankt! {SOCIAL_NAME} weet nu dat u wilt helpen.")
    expect(match_state(business_page)).to_have_text("Voorgesteld")
    expect(main(business_page).locator(".conversation")).to_contain_text(HELP_MESSAGE)
    assert match.state == MatchState.PROPOSED
    assert match.social_organisation == social

    # Someone who takes no part in the match gets 404 on it.
    stranger_page = new_page()
    member_log_in(stranger_page, live_server, stranger, board_path)
    response = stranger_page.goto(f"{live_server.url}{match.get_absolute_url()}")
    assert response is not None
    assert response.status == 404
    assert HELP_MESSAGE not in stranger_page.content()

    # 4. The social organisation answers from "Mijn Omarm": now they are talking. ------
    page.goto(f"{live_server.url}{mine_path}")
    matches_table = main(page).get_by_role("table", name="Matches van uw organisaties")
    match_row = matches_table.get_by_role("row").filter(has_text=TITLE)
    expect(match_row).to_contain_text(BUSINESS_NAME)
    expect(match_row).to_contain_text("Voorgesteld")
    match_row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(path_is(live_server, match.get_absolute_url()))
    expect(main(page).locator(".conversation")).to_contain_text(HELP_MESSAGE)
    message_form = page.locator("#bericht form")
    message_form.get_by_label("Bericht", exact=True).fill(REPLY)
    message_form.get_by_role("button", name="Versturen").click()
    page.wait_for_url(path_is(live_server, match.get_absolute_url()))
    success_message(page, "Uw bericht is verstuurd.")
    expect(main(page).locator(".conversation")).to_contain_text(REPLY)
    expect(match_state(page)).to_have_text("In gesprek")
    match.refresh_from_db()
    assert match.state == MatchState.TALKING

    # The business reads the reply and says they have a match. -------------------------
    business_page.reload()
    expect(main(business_page).locator(".conversation")).to_contain_text(REPLY)
    expect(match_state(business_page)).to_have_text("In gesprek")
    state_form = business_page.locator("#status form")
    state_form.get_by_label("Nieuwe status").select_option(label="gematcht")
    state_form.get_by_role("button", name="Status wijzigen").click()
    business_page.wait_for_url(path_is(live_server, match.get_absolute_url()))
    success_message(business_page, "De match is nu gematcht.")
    expect(match_state(business_page)).to_have_text("Gematcht")
    match.refresh_from_db()
    assert match.state == MatchState.MATCHED

    # 5. The business completes the match with its result. -----------------------------
    complete_form = business_page.locator("#afronden form")
    complete_form.locator("#id_result_story").fill(RESULT_STORY)
    complete_form.locator("#id_hours").fill(HOURS)
    complete_form.locator("#id_value_eur").fill(VALUE)
    complete_form.get_by_role("button", name="Afronden").click()
    business_page.wait_for_url(path_is(live_server, match.get_absolute_url()))
    success_message(business_page, "De match is afgerond. Bedankt voor het verhaal!")
    expect(match_state(business_page)).to_have_text("Afgerond")
    result = business_page.get_by_role("region", name="Resultaat")
    expect(result).to_contain_text(RESULT_STORY)
    expect(result).to_contain_text("Bijgedragen uren")
    match.refresh_from_db()
    assert match.state == MatchState.COMPLETED
    assert match.result_story == RESULT_STORY
    assert match.hours == 12
    assert match.value_eur == 450
    assert match.story_state == StoryState.SUBMITTED

    # Not on the board before the coordinator publishes it.
    page.goto(f"{live_server.url}{board_path}")
    expect(main(page)).not_to_contain_text(RESULT_STORY)

    # The coordinator publishes the story from the matches in the admin. ---------------
    coordinator_page.goto(f"{live_server.url}{reverse('admin:omarm_match_changelist')}")
    run_admin_action(coordinator_page, TITLE, "Succesverhaal publiceren", "1 verhaal gepubliceerd.")
    match.refresh_from_db()
    assert match.story_state == StoryState.PUBLISHED

    # The story is on the board.
    page.goto(f"{live_server.url}{board_path}")
    stories = page.get_by_role("region", name="Succesverhalen")
    story = stories.get_by_role("listitem").filter(has_text=RESULT_STORY)
    expect(story).to_contain_text(f"{BUSINESS_NAME} & {SOCIAL_NAME}")
    expect(story).to_contain_text(TITLE)
