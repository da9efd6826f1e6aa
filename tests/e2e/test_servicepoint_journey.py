"""The service point from first question to follow-up, in the browser, for every role.

A guest asks a question with an attachment and confirms it by e-mail; the account
manager routes it to two directorates and writes an internal note; a directorate
contact answers on behalf of their directorate; the guest signs up with the same
address, finds the question under "Mijn vragen" and replies; the account manager
closes it; the follow-up e-mail's "nee" reopens it. axe-core checks every page, and the
internal note never reaches the entrepreneur, neither on a page nor in an e-mail.
"""

import re
import time
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from impactportal.workdays import add_working_days
from servicepoint.constants import QuestionState
from servicepoint.models import Attachment, FollowUp, Question
from servicepoint.tasks import send_follow_ups
from tests.conftest import totp_code
from tests.e2e.conftest import axe_check
from tests.factories import (
    PASSWORD,
    DirectorateFactory,
    KnowledgeArticleFactory,
    TopicFactory,
    UserFactory,
)
from tests.mailbox import delivered

NAME = "Hindrik Wierenga"
EMAIL = "hindrik@fietsherstel-oosterpoort.example.nl"
COMPANY = "Fietsherstel Oosterpoort"
SUBJECT = "Subsidie voor werkplekken met begeleiding"
QUESTION = (
    "Wij repareren fietsen met mensen met een afstand tot de arbeidsmarkt.\n"
    "Welke subsidie is er voor extra begeleiding op de werkvloer?"
)
SIGNUP_PASSWORD = "Zuiderdiep-Fietsen-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_NAME = "begroting-werkplekken.pdf"

SECRET_NOTE = "INTERN-7Q: ondernemer staat op de lijst betalingsachterstand, niet delen"
REPLY = "Namens onze directie: u komt in aanmerking voor de regeling Werkplekbegeleiding."
ENTREPRENEUR_REPLY = "Dank u wel. Kan ik de aanvraag ook in het Engels indienen?"
FOLLOW_UP_COMMENT = "Ik heb nog geen antwoord op mijn vraag over het Engels."

# Labels as the Dutch translation renders them (locale/nl/LC_MESSAGES/django.po).
STATE_FORWARDED = "doorgezet naar directie"
STATE_ANSWERED = "beantwoord"
STATE_CLOSED = "afgesloten"
PASSWORD_LABEL = re.compile(r"^Wachtwoord:?$")


# Helpers -------------------------------------------------------------------------------


def url_on(live_server, url: str) -> str:
    """``url`` with the live server's scheme and host (e-mails use PORTAL_BASE_URL)."""
    server = urlsplit(live_server.url)
    parts = urlsplit(url)
    return urlunsplit((server.scheme, server.netloc, parts.path, parts.query, parts.fragment))


def path_is(live_server, path: str | re.Pattern) -> re.Pattern:
    pattern = path.pattern if isinstance(path, re.Pattern) else re.escape(path)
    return re.compile(rf"^{re.escape(live_server.url)}{pattern}(\?.*)?(#.*)?$")


def link_in(message: OutboxMessage, path_pattern: str) -> str:
    """The one link matching ``path_pattern`` in the e-mail as it was delivered (a mail
    that held a secret keeps no text in the outbox)."""
    text = delivered(message).body
    links = set(re.findall(rf"https?://[^\s/]+{path_pattern}", text))
    assert len(links) == 1, text
    return links.pop()


def mail_to(email: str, kind: str) -> OutboxMessage:
    message = OutboxMessage.objects.get(recipient=email, kind=kind)
    assert message.state == OutboxMessage.State.SENT, message.last_error
    return message


def main(page: Page):
    return page.get_by_role("main")


def give_totp(user):
    """Staff made by the factory have an authenticator app already (``.totp_secret``)."""
    if not hasattr(user, "totp_secret"):
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
    return user


def fresh_totp_code(secret: str) -> str:
    """A code that stays valid for a few seconds more (no tolerance for the next window)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.2)
    return totp_code(secret)


def log_in(page: Page, live_server, email: str, password: str, next_path: str = "") -> None:
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    page.goto(f"{live_server.url}{reverse('account_login')}{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    main(page).get_by_role("button", name="Aanmelden").click()


def staff_log_in(page: Page, live_server, user, next_path: str) -> None:
    """Password, then the authenticator code; ends on ``next_path``."""
    log_in(page, live_server, user.email, PASSWORD, next_path)
    page.wait_for_url(path_is(live_server, reverse("mfa_authenticate")))
    page.locator("#id_code").fill(fresh_totp_code(user.totp_secret))
    main(page).get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(path_is(live_server, next_path))


def open_question_in_admin(page: Page, live_server, question: Question) -> None:
    """From the admin's question list (where it must be listed) to its page."""
    changelist = reverse("admin:servicepoint_question_changelist")
    if not path_is(live_server, changelist).match(page.url):
        page.goto(f"{live_server.url}{changelist}")
    page.get_by_role("link", name=question.reference, exact=True).click()
    page.wait_for_url(
        path_is(live_server, reverse("admin:servicepoint_question_change", args=[question.pk]))
    )
    expect(page.locator(".field-subject .readonly")).to_have_text(SUBJECT)


def admin_state(page: Page):
    return page.locator(".field-state .readonly")


def admin_success(page: Page, text: str) -> None:
    expect(page.locator(".messagelist .success")).to_contain_text(text)


def change_state(page: Page, live_server, question: Question, label: str) -> None:
    form = page.locator("form", has=page.locator("#id_state"))
    form.locator("#id_state").select_option(label=label)
    form.get_by_role("button", name="Status wijzigen").click()
    page.wait_for_url(
        path_is(live_server, reverse("admin:servicepoint_question_change", args=[question.pk]))
    )
    admin_success(page, "Status gewijzigd.")
    expect(admin_state(page)).to_have_text(label)


def entrepreneur_sees(page: Page) -> None:
    """An entrepreneur's page: accessible, and without a trace of the internal note."""
    assert SECRET_NOTE not in page.content(), page.url


# The journey ---------------------------------------------------------------------------


def test_question_routed_answered_closed_and_reopened_by_follow_up(
    live_server, page: Page, new_page, tmp_path: Path
):
    # A transactional test may have flushed the data migration's topics: get or create.
    topic = TopicFactory(slug="financiering", name="Financiering")
    work = DirectorateFactory(
        slug="werk-en-maatschappelijke-participatie",
        name="Werk en Maatschappelijke Participatie",
    )
    income = DirectorateFactory(slug="inkomen", name="Inkomen")
    work_contact = give_totp(
        UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=work)
    )
    give_totp(UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=income))
    manager = give_totp(UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER]))
    article = KnowledgeArticleFactory(
        topic=topic,
        title="Subsidie voor begeleiding op de werkplek",
        slug="subsidie-begeleiding-werkplek",
        summary="Welke subsidie er is voor begeleiding van medewerkers op de werkvloer.",
        body="De gemeente vergoedt een deel van de kosten van een jobcoach.",
    )
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(PDF)

    # 1. A guest asks a question with an attachment. -----------------------------------
    page.goto(f"{live_server.url}/servicepunt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Servicepunt Impact Ondernemen")
    main(page).get_by_role("link", name="Stel een vraag").click()
    page.wait_for_url(path_is(live_server, "/servicepunt/vraag/"))
    page.get_by_role("radio", name=topic.name, exact=True).check()
    page.locator("#id_subject").fill(SUBJECT)
    page.locator("#id_text").fill(QUESTION)
    # While typing, the knowledge base suggests the matching article.
    expect(page.locator("#article-suggestions")).to_contain_text(article.title)
    page.locator("#id_name").fill(NAME)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_company_name").fill(COMPANY)
    page.locator("#id_files").set_input_files(pdf)
    # A state no page load shows: the suggestions the script loaded while typing.
    axe_check(page)
    main(page).get_by_role("button", name="Vraag versturen").click()

    page.wait_for_url(path_is(live_server, "/servicepunt/vraag/verzonden/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw vraag")
    expect(main(page)).to_contain_text("Nog één stap: bevestig uw e-mailadres")
    question = Question.objects.get(email=EMAIL)
    assert not question.is_confirmed
    assert question.requester is None
    assert question.company_name == COMPANY

    # 2. The link in the e-mail confirms it; the guest sees it with the attachment. ------
    confirmation = mail_to(EMAIL, "servicepoint/confirm_question")
    page.goto(url_on(live_server, link_in(confirmation, r"/servicepunt/vraag/bevestigen/[^\s/]+/")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw vraag")
    expect(main(page)).to_contain_text(question.reference)
    main(page).get_by_role("button", name="Mijn vraag bevestigen en versturen").click()
    # The question's clean address: the browser holds a grant, the URL no token.
    guest_path = f"/servicepunt/vraag/{question.uuid}/"
    page.wait_for_url(path_is(live_server, guest_path))
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(main(page)).to_contain_text("Wij repareren fietsen")
    with page.expect_download() as download_info:
        main(page).get_by_role("link", name=PDF_NAME).click()
    download = download_info.value
    assert download.suggested_filename == PDF_NAME
    assert Path(download.path()).read_bytes() == PDF
    question.refresh_from_db()
    assert question.is_confirmed
    assert question.state == QuestionState.NEW
    assert Attachment.objects.get(question=question).original_name == PDF_NAME

    # 3. The account manager routes it to both directorates and notes something internal.
    manager_page = new_page()
    staff_log_in(
        manager_page, live_server, manager, reverse("admin:servicepoint_question_changelist")
    )
    open_question_in_admin(manager_page, live_server, question)
    route_form = manager_page.locator("form", has=manager_page.locator("#id_directorates_0"))
    route_form.get_by_role("checkbox", name=work.name, exact=True).check()
    route_form.get_by_role("checkbox", name=income.name, exact=True).check()
    route_form.get_by_role("button", name="Doorzetten", exact=True).click()
    manager_page.wait_for_url(
        path_is(live_server, reverse("admin:servicepoint_question_change", args=[question.pk]))
    )
    admin_success(manager_page, "Doorgezet naar 2 directies.")
    directorates = manager_page.locator(".sp-panel").filter(
        has=manager_page.get_by_role("heading", name="Directies", exact=True)
    )
    expect(directorates.get_by_role("cell", name=work.name, exact=True)).to_be_visible()
    expect(directorates.get_by_role("cell", name=income.name, exact=True)).to_be_visible()
    expect(admin_state(manager_page)).to_have_text(STATE_FORWARDED)
    question.refresh_from_db()
    assert question.state == QuestionState.FORWARDED
    assert {a.directorate for a in question.assignments.all()} == {work, income}
    mail_to(work_contact.email, "servicepoint/assignment")

    message_form = manager_page.locator("form", has=manager_page.locator("#id_body"))
    message_form.get_by_role("radio", name="Interne notitie (alleen voor medewerkers)").check()
    message_form.locator("#id_body").fill(SECRET_NOTE)
    message_form.get_by_role("button", name="Versturen", exact=True).click()
    admin_success(manager_page, "Interne notitie opgeslagen.")
    expect(manager_page.locator(".sp-conversation li.note")).to_contain_text(SECRET_NOTE)

    # 4. A contact of one directorate replies on its behalf, linking the article. -------
    contact_page = new_page()
    staff_log_in(
        contact_page, live_server, work_contact, reverse("admin:servicepoint_question_changelist")
    )
    open_question_in_admin(contact_page, live_server, question)
    # A directorate contact sees the internal note (staff only), but cannot route.
    expect(contact_page.locator(".sp-conversation li.note")).to_contain_text(SECRET_NOTE)
    expect(contact_page.locator("#id_directorates_0")).to_have_count(0)
    message_form = contact_page.locator("form", has=contact_page.locator("#id_body"))
    message_form.get_by_role(
        "radio", name="Antwoord aan de ondernemer (wordt per e-mail verstuurd)"
    ).check()
    message_form.locator("#id_body").fill(REPLY)
    message_form.locator("#id_assignment").select_option(
        label=f"{question.reference} → {work.name}"
    )
    message_form.locator("#id_articles").select_option(label=article.title)
    message_form.get_by_role("button", name="Versturen", exact=True).click()
    admin_success(contact_page, "Antwoord verstuurd naar de ondernemer.")
    expect(contact_page.locator(".sp-conversation li.reply")).to_contain_text(REPLY)
    reply_mail = mail_to(EMAIL, "servicepoint/reply")
    # A guest's mail carries the link to their question: only the mailbox keeps its text.
    assert reply_mail.holds_secret
    assert REPLY in delivered(reply_mail).body

    # 5. The guest signs up with the same address and finds the question and reply. ----
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Registreren").click()
    page.wait_for_url(path_is(live_server, reverse("account_signup")))
    page.get_by_label("Naam").fill(NAME)
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label(PASSWORD_LABEL).fill(SIGNUP_PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(SIGNUP_PASSWORD)
    main(page).get_by_role("button", name="Registreren").click()
    page.wait_for_url(path_is(live_server, "/account/confirm-email/"))

    signup_mail = mail_to(EMAIL, "allauth/email_confirmation_signup")
    page.goto(url_on(live_server, link_in(signup_mail, r"/account/confirm-email/[^\s/]+/")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig e-mailadres")
    main(page).get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(path_is(live_server, "/account/profiel/"))
    entrepreneur_sees(page)
    question.refresh_from_db()
    assert question.requester is not None
    assert question.requester.email == EMAIL

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Mijn vragen").click()
    page.wait_for_url(path_is(live_server, "/servicepunt/mijn-vragen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn vragen")
    row = main(page).get_by_role("row").filter(has_text=question.reference)
    expect(row).to_contain_text("Doorgezet naar directie")
    entrepreneur_sees(page)
    row.get_by_role("link", name=SUBJECT).click()
    page.wait_for_url(path_is(live_server, f"/servicepunt/mijn-vragen/{question.uuid}/"))
    conversation = main(page).get_by_role("list").filter(has_text="Wij repareren fietsen").first
    expect(conversation).to_contain_text(REPLY)
    expect(conversation).to_contain_text(f"({work.name})")
    expect(conversation.get_by_role("link", name=article.title)).to_be_visible()
    handled_by = main(page).locator("dt", has_text="In behandeling bij").locator("+ dd")
    expect(handled_by).to_contain_text(work.name)
    expect(handled_by).to_contain_text(income.name)
    entrepreneur_sees(page)

    page.locator("#id_body").fill(ENTREPRENEUR_REPLY)
    main(page).get_by_role("button", name="Reactie versturen").click()
    page.wait_for_url(path_is(live_server, f"/servicepunt/mijn-vragen/{question.uuid}/"))
    expect(page.locator(".messages")).to_contain_text(
        "Uw reactie is naar het servicepunt gestuurd."
    )
    expect(main(page).locator(".conversation")).to_contain_text(ENTREPRENEUR_REPLY)
    entrepreneur_sees(page)

    # 6. The account manager closes it (a forwarded question is answered first). -------
    manager_page.reload()
    expect(manager_page.locator(".sp-conversation")).to_contain_text(ENTREPRENEUR_REPLY)
    change_state(manager_page, live_server, question, STATE_ANSWERED)
    change_state(manager_page, live_server, question, STATE_CLOSED)
    question.refresh_from_db()
    assert question.state == QuestionState.CLOSED

    # 7. Six working days later the follow-up goes out; "nee" reopens the question. ----
    later = add_working_days(timezone.now(), 6)
    with time_machine.travel(
        timezone.make_aware(datetime.combine(later, dt_time(9, 0))), tick=False
    ):
        assert send_follow_ups() == 1
    follow_up_mail = mail_to(EMAIL, "servicepoint/follow_up")
    page.goto(
        url_on(live_server, link_in(follow_up_mail, r"/servicepunt/tevredenheid/[^\s/]+/nee/"))
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Bent u goed geholpen?")
    entrepreneur_sees(page)
    page.get_by_label("Wilt u ons nog iets laten weten?").fill(FOLLOW_UP_COMMENT)
    main(page).get_by_role("button", name="Mijn antwoord versturen").click()
    expect(main(page).get_by_role("status")).to_contain_text("Wij hebben uw vraag heropend")
    entrepreneur_sees(page)

    question.refresh_from_db()
    assert question.state == QuestionState.REOPENED
    follow_up = FollowUp.objects.get(question=question)
    assert follow_up.helped is False
    assert follow_up.comment == FOLLOW_UP_COMMENT
    not_helped = mail_to(manager.email, "servicepoint/not_helped")
    assert question.reference in not_helped.body_text

    # The internal note never went out to the entrepreneur.
    to_entrepreneur = OutboxMessage.objects.filter(recipient=EMAIL)
    kinds = set(to_entrepreneur.values_list("kind", flat=True))
    assert {
        "servicepoint/confirm_question",
        "servicepoint/receipt",
        "servicepoint/reply",
        "servicepoint/state_changed",
        "servicepoint/follow_up",
        "allauth/email_confirmation_signup",
    } <= kinds, kinds
    for message in to_entrepreneur:
        for text in (message.subject, message.body_text, message.body_html):
            assert SECRET_NOTE not in text, message.kind
    received = [sent for sent in mail.outbox if EMAIL in sent.to]
    assert len(received) == to_entrepreneur.count()
    for sent in received:
        assert SECRET_NOTE not in sent.subject
        assert SECRET_NOTE not in sent.body
        assert all(SECRET_NOTE not in str(content) for content, _type in sent.alternatives)
