"""The agenda from a draft in the admin to the CSV of who came, in the browser.

The coordinator creates an event with two places and a required registration question
in the admin, saves it as a draft and publishes it with the admin action. Three people
find it on the agenda and register: two get a place, the third lands on the waiting
list. One of the two cancels; the third moves up, sees it on "Mijn aanmeldingen" and on
the event page, and gets the "promoted" e-mail. The coordinator opens the attendee list
and the check-in page, checks someone in and downloads the CSV, which holds exactly the
people with a place and their answers. axe-core checks every page, public and admin.
"""

import csv
import io
import re
from datetime import datetime, timedelta
from datetime import time as clock

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from events.constants import EventState, EventType, QuestionKind, RegistrationStatus
from events.models import Event, Registration
from impactportal.outbox.models import OutboxMessage
from tests.e2e.conftest import axe_check
from tests.e2e.journey import main, member_log_in, path_is, staff_log_in, success_message
from tests.factories import UserFactory

TITLE = "Impactcafé: inkopen met sociale waarde"
SLUG = "impactcafe-inkopen-met-sociale-waarde"  # what the admin prepopulates
DESCRIPTION = "Een avond over social return: drie ondernemers vertellen hoe zij het aanpakken."
VENUE = "Het Kielzog, Hoogezand"
QUESTION = "Welke vraag wilt u stellen aan de sprekers?"
PEOPLE = [
    ("Anneke de Vries", "Hoe meet je sociale waarde?"),
    ("Bram Hoekstra", "Wat kost een werkervaringsplek?"),
    ("Cor Veenstra", "Hoe vind ik een sociale onderneming?"),
]


def registration_status(page: Page):
    return page.locator("#aanmelden .agenda-status")


# The journey ---------------------------------------------------------------------------


def test_event_created_published_registered_waitlisted_promoted_checked_in_exported(
    live_server, page: Page, new_page
):
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR], totp=True)
    people = [UserFactory(name=name) for name, _answer in PEOPLE]
    day = timezone.localdate() + timedelta(days=21)
    starts_at = timezone.make_aware(datetime.combine(day, clock(19, 30)))
    agenda_path = reverse("events:index")
    event_path = reverse("events:detail", kwargs={"slug": SLUG})
    mine_path = reverse("events:mine")

    # 1. The coordinator creates the event in the admin, as a draft. -------------------
    add_path = reverse("admin:events_event_add")
    staff_log_in(page, live_server, coordinator, add_path)
    form = page.locator("#event_form")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_title").blur()
    expect(form.locator("#id_slug")).to_have_value(SLUG)
    form.locator("#id_type").select_option(EventType.IMPACT_CAFE.value)
    form.locator("#id_description").fill(DESCRIPTION)
    form.locator("#id_starts_at_0").fill(day.strftime("%d-%m-%Y"))
    form.locator("#id_starts_at_1").fill("19:30:00")
    form.locator("#id_ends_at_0").fill(day.strftime("%d-%m-%Y"))
    form.locator("#id_ends_at_1").fill("21:30:00")
    form.locator("#id_venue").fill(VENUE)
    form.locator("#id_capacity").fill("2")
    # The question inline starts empty: add a row.
    page.locator("#questions-group .add-row a").click()
    form.locator("#id_questions-0-position").fill("1")
    form.locator("#id_questions-0-label").fill(QUESTION)
    form.locator("#id_questions-0-kind").select_option(QuestionKind.TEXT.value)
    form.locator("#id_questions-0-required").check()
    # A state no page load shows: the inline row the admin's script added.
    axe_check(page)
    form.locator("input[name=_save]").click()

    changelist = reverse("admin:events_event_changelist")
    page.wait_for_url(path_is(live_server, changelist))
    expect(page.locator(".messagelist .success")).to_contain_text(TITLE)
    event = Event.objects.get(slug=SLUG)
    assert event.state == EventState.DRAFT
    assert event.capacity == 2
    assert event.starts_at == starts_at
    assert event.venue == VENUE
    questions = list(event.questions.all())
    assert [(q.label, q.kind, q.required) for q in questions] == [
        (QUESTION, QuestionKind.TEXT, True)
    ]

    # A draft is not on the agenda.
    member_page = new_page()
    member_page.goto(f"{live_server.url}{agenda_path}")
    expect(main(member_page).get_by_role("link", name=TITLE)).to_have_count(0)

    # ... then publishes it with the admin action.
    row = page.locator("#result_list tbody tr").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Publiceren")
    page.get_by_role("button", name="Uitvoeren").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 bijeenkomst gepubliceerd.")
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED

    # 2. Three people find it on the agenda and register. ------------------------------
    pages = []
    for index, (user, (_name, answer)) in enumerate(zip(people, PEOPLE, strict=True)):
        person_page = new_page()
        pages.append(person_page)
        member_log_in(person_page, live_server, user, agenda_path)
        expect(person_page.get_by_role("heading", level=1)).to_have_text("Impactagenda")
        card = main(person_page).locator(".agenda-card").filter(has_text=TITLE)
        expect(card).to_have_count(1)
        expect(card).to_contain_text(VENUE)
        expect(card.locator(".agenda-card__places")).to_contain_text(
            ["Nog 2 plaatsen vrij", "Nog 1 plaats vrij", "Vol: wachtlijst"][index]
        )
        card.get_by_role("link", name=TITLE).click()
        person_page.wait_for_url(path_is(live_server, event_path))
        expect(person_page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(main(person_page)).to_contain_text(DESCRIPTION)
        registration_form = person_page.locator("#aanmelden form")
        registration_form.get_by_label(QUESTION).fill(answer)
        registration_form.get_by_role("button", name="Aanmelden").click()
        person_page.wait_for_url(path_is(live_server, event_path))
        if index < 2:
            success_message(
                person_page,
                "U bent aangemeld. De bevestiging wordt per e-mail naar u verstuurd.",
            )
            expect(registration_status(person_page)).to_have_text(
                "U bent aangemeld: uw plaats is bevestigd."
            )
        else:
            success_message(person_page, "De bijeenkomst is vol. U staat op de wachtlijst")
            expect(registration_status(person_page)).to_have_text(
                "U staat op de wachtlijst. Wij e-mailen u als er een plaats vrijkomt."
            )

    registrations = {r.user_id: r for r in Registration.objects.filter(event=event)}
    assert [registrations[u.pk].status for u in people] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ]
    question_key = str(questions[0].pk)
    assert [registrations[u.pk].answers for u in people] == [
        {question_key: answer} for _name, answer in PEOPLE
    ]

    # 3. The first person cancels on the event page. -----------------------------------
    first_page, _second_page, third_page = pages
    first_page.locator("#aanmelden").get_by_role("button", name="Afmelden").click()
    first_page.wait_for_url(path_is(live_server, event_path))
    success_message(first_page, "U bent afgemeld.")
    registrations[people[0].pk].refresh_from_db()
    assert registrations[people[0].pk].status == RegistrationStatus.CANCELLED

    # 4. The third person moved up: on "Mijn aanmeldingen" and on the event page. ------
    third_page.goto(f"{live_server.url}{mine_path}")
    expect(third_page.get_by_role("heading", level=1)).to_have_text("Mijn aanmeldingen")
    upcoming = main(third_page).get_by_role("table", name="Uw komende bijeenkomsten")
    mine_row = upcoming.get_by_role("row").filter(has_text=TITLE)
    expect(mine_row).to_have_count(1)
    expect(mine_row).to_contain_text("Bevestigd")
    expect(mine_row).to_contain_text("doorgeschoven van de wachtlijst")
    mine_row.get_by_role("link", name=TITLE).click()
    third_page.wait_for_url(path_is(live_server, event_path))
    expect(registration_status(third_page)).to_have_text(
        "U hebt een plaats: u bent doorgeschoven van de wachtlijst."
    )
    promoted = registrations[people[2].pk]
    promoted.refresh_from_db()
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert promoted.promoted_at is not None
    promoted_mail = OutboxMessage.objects.filter(kind="events/promoted")
    assert [(m.recipient_user_id, m.recipient) for m in promoted_mail] == [
        (people[2].pk, people[2].email)
    ]

    # 5. The coordinator: the attendee list, check-in and the CSV. ---------------------
    attendees_path = reverse("events:organiser_attendees", kwargs={"slug": SLUG})
    page.goto(f"{live_server.url}{attendees_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Deelnemers: {TITLE}")
    table = main(page).get_by_role("table")
    for (name, answer), status in zip(
        PEOPLE, ["Geannuleerd", "Bevestigd", "Bevestigd"], strict=True
    ):
        person_row = table.get_by_role("row").filter(has_text=name)
        expect(person_row).to_contain_text(answer)
        expect(person_row.get_by_role("cell").nth(1)).to_have_text(status)

    page.locator(".organiser-nav").get_by_role("link", name="Binnenkomst").click()
    check_in_path = reverse("events:organiser_check_in", kwargs={"slug": SLUG})
    page.wait_for_url(path_is(live_server, check_in_path))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Binnenkomst: {TITLE}")
    people_list = main(page).locator(".check-in-list > li")
    expect(people_list).to_have_count(2)
    expect(people_list.filter(has_text=PEOPLE[0][0])).to_have_count(0)
    second_name = PEOPLE[1][0]
    people_list.filter(has_text=second_name).get_by_role(
        "button", name=re.compile(r"^Aanwezig\b")
    ).click()
    page.wait_for_url(path_is(live_server, check_in_path))
    success_message(page, f"{second_name} is gemarkeerd als aanwezig.")
    expect(
        people_list.filter(has_text=second_name).get_by_role(
            "button", name=re.compile(r"^Aanwezig\b")
        )
    ).to_have_attribute("aria-pressed", "true")
    checked_in = registrations[people[1].pk]
    checked_in.refresh_from_db()
    assert checked_in.status == RegistrationStatus.ATTENDED
    assert checked_in.checked_in_at is not None

    with page.expect_download() as download_info:
        page.locator(".organiser-nav").get_by_role("link", name="CSV downloaden").click()
    download = download_info.value
    assert download.suggested_filename == f"deelnemers-{SLUG}.csv"
    content = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, *body = rows
    assert header[:3] == ["naam", "e-mail", "status"]
    assert header[-1] == QUESTION
    by_email = {row[1]: row for row in body}
    assert set(by_email) == {people[1].email, people[2].email}
    attended_row, confirmed_row = by_email[people[1].email], by_email[people[2].email]
    assert attended_row[0] == PEOPLE[1][0]
    assert attended_row[2] == "aanwezig"
    assert attended_row[4]  # checked in at
    assert attended_row[-1] == PEOPLE[1][1]
    assert confirmed_row[0] == PEOPLE[2][0]
    assert confirmed_row[2] == "bevestigd"
    assert confirmed_row[4] == ""
    assert confirmed_row[-1] == PEOPLE[2][1]
    # Still on the check-in page after the download.
