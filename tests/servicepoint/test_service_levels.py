"""Service levels: deadlines in working days, the overdue digest and the follow-up."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from servicepoint import selectors, services, tasks
from servicepoint.constants import AssignmentState, Deadline, PreferredContact, QuestionState
from servicepoint.models import FollowUp, Question
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def frozen(*args):
    return time_machine.travel(amsterdam(*args), tick=False)


def outbox(kind: str):
    return OutboxMessage.objects.filter(kind=f"servicepoint/{kind}")


# Deadlines --------------------------------------------------------------------------------


def submit(topic, requester) -> Question:
    return services.question_submit(
        topic=topic,
        subject="Subsidie voor onze fietsenwerkplaats",
        text="Wij willen twee mensen met afstand tot de arbeidsmarkt aannemen.",
        name=requester.name,
        email=requester.email,
        preferred_contact=PreferredContact.EMAIL,
        requester=requester,
    ).question


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted", "first_days", "resolution_days", "first_due", "resolution_due"),
    [
        # Friday: the weekend is skipped; counting starts on the day after.
        ((2026, 11, 20, 10, 0), 2, 10, date(2026, 11, 24), date(2026, 12, 4)),
        # Late on Friday evening in Groningen (already Friday 22:30 UTC): still Friday.
        ((2026, 11, 20, 23, 30), 2, 10, date(2026, 11, 24), date(2026, 12, 4)),
        # Monday before Koningsdag (Tue 27 April 2027): Wed 28 is day one, Thu 29 day two;
        # ten working days also skip Hemelvaartsdag (Thu 6 May 2027).
        ((2027, 4, 26, 10, 0), 1, 2, date(2027, 4, 28), date(2027, 4, 29)),
        ((2027, 4, 26, 10, 0), 2, 10, date(2027, 4, 29), date(2027, 5, 12)),
        # Wed 23 Dec 2026: Thu 24, (Fri 25 and Sat 26 Christmas, Sun 27), Mon 28, Tue 29,
        # Wed 30, Thu 31, (Fri 1 Jan Nieuwjaarsdag), Mon 4 ... Fri 8 January 2027.
        ((2026, 12, 23, 10, 0), 3, 10, date(2026, 12, 29), date(2027, 1, 8)),
    ],
)
def test_submit_sets_deadlines_in_working_days(
    submitted, first_days, resolution_days, first_due, resolution_due
):
    topic = TopicFactory(
        slug="termijnen",
        name="Termijnen",
        first_response_days=first_days,
        resolution_days=resolution_days,
    )
    requester = UserFactory(roles=[Role.ENTREPRENEUR])
    with frozen(*submitted):
        question = submit(topic, requester)
    question.refresh_from_db()
    assert question.submitted_at == amsterdam(*submitted)
    assert question.first_response_due == first_due
    assert question.resolution_due == resolution_due


@pytest.mark.django_db
def test_guest_question_gets_deadlines_only_when_confirmed():
    topic = TopicFactory(
        slug="termijnen", name="Termijnen", first_response_days=2, resolution_days=10
    )
    with frozen(2026, 11, 19, 16, 0):  # Thursday: asked
        submission = services.question_submit(
            topic=topic,
            subject="Vraag",
            text="Tekst",
            name="Gast",
            email="gast@example.nl",
            preferred_contact=PreferredContact.EMAIL,
        )
    question = submission.question
    assert question.first_response_due is None and question.resolution_due is None
    with frozen(2026, 11, 20, 9, 0):  # Friday: the link is opened, the clock starts
        services.question_confirm(token=submission.confirmation_token)
    question.refresh_from_db()
    assert question.first_response_due == date(2026, 11, 24)
    assert question.resolution_due == date(2026, 12, 4)


# Deadline status -------------------------------------------------------------------------


@pytest.fixture
def two_day_question(db):
    """Submitted Monday 2 November 2026 on a topic with two working days: due Wednesday."""
    topic = TopicFactory(slug="snel", name="Snel", first_response_days=1, resolution_days=2)
    return QuestionFactory(
        topic=topic,
        state=QuestionState.IN_PROGRESS,
        submitted_at=amsterdam(2026, 11, 2, 10, 0),
        first_response_due=date(2026, 11, 3),
        resolution_due=date(2026, 11, 4),
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 3), Deadline.ON_TIME),
        (date(2026, 11, 4), Deadline.ON_TIME),  # the due day itself is still on time
        (date(2026, 11, 5), Deadline.OVERDUE),
        (date(2026, 11, 10), Deadline.OVERDUE),  # 6 working days: exactly 3x, not more
        (date(2026, 11, 11), Deadline.OVERDUE_3X),  # 7 working days > 3 x 2
    ],
)
def test_deadline_status(two_day_question, today, expected):
    assert selectors.deadline_status(two_day_question, today) == expected


def test_weekend_does_not_count_towards_three_times_overdue(two_day_question):
    # Saturday 7 and Sunday 8 November add nothing: still 4 working days on Sunday.
    assert selectors.deadline_status(two_day_question, date(2026, 11, 8)) == Deadline.OVERDUE


@pytest.mark.parametrize(
    "state", [QuestionState.NEW, QuestionState.FORWARDED, QuestionState.REOPENED]
)
def test_deadline_runs_in_every_open_state(two_day_question, state):
    two_day_question.state = state
    assert selectors.deadline_status(two_day_question, date(2026, 11, 11)) == Deadline.OVERDUE_3X


@pytest.mark.parametrize(
    "state", [QuestionState.CLOSED, QuestionState.WAITING, QuestionState.ANSWERED]
)
def test_no_deadline_status_when_closed_or_waiting(two_day_question, state):
    two_day_question.state = state
    assert selectors.deadline_status(two_day_question, date(2026, 11, 11)) is None


@pytest.mark.django_db
def test_no_deadline_status_for_unconfirmed_guest_question():
    question = QuestionFactory(guest=True)
    assert selectors.deadline_status(question, date(2026, 11, 11)) is None


# Overdue digest --------------------------------------------------------------------------


PAST, FUTURE = date(2026, 11, 20), date(2026, 12, 4)  # seen from Wednesday 25 November


@pytest.mark.django_db
def test_overdue_digest_one_mail_per_person_with_only_their_questions(
    django_capture_on_commit_callbacks,
):
    am_late, am_on_time = (UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER]) for _ in range(2))
    wmp, inkoop = DirectorateFactory(), DirectorateFactory()
    assignee = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=wmp)
    done_assignee = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=wmp)
    contact_1, contact_2 = (
        UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=inkoop)
        for _ in range(2)
    )
    UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=inkoop, is_active=False)
    UserFactory(directorate=inkoop)  # works there, but is no contact

    def question(subject, state=QuestionState.IN_PROGRESS, due=PAST, **kwargs):
        return QuestionFactory(subject=subject, state=state, resolution_due=due, **kwargs)

    own = question("Eigen vraag te laat", account_manager=am_late)
    shared = question(
        "Gedeelde vraag te laat", account_manager=am_late, state=QuestionState.FORWARDED
    )
    AssignmentFactory(question=shared, directorate=inkoop, due=PAST)
    routed = question("Doorgezet naar persoon", state=QuestionState.FORWARDED)
    AssignmentFactory(question=routed, directorate=wmp, assignee=assignee, due=PAST)
    to_contacts = question("Doorgezet naar directie", state=QuestionState.FORWARDED)
    AssignmentFactory(
        question=to_contacts, directorate=inkoop, due=PAST, state=AssignmentState.IN_PROGRESS
    )
    # Not overdue work: answered assignment, on-time questions, a question waiting for
    # the entrepreneur, a closed one, a future assignment deadline.
    answered = question("Al beantwoord door directie", state=QuestionState.FORWARDED)
    AssignmentFactory(
        question=answered,
        directorate=wmp,
        assignee=done_assignee,
        due=PAST,
        state=AssignmentState.ANSWERED,
    )
    on_time = question("Op tijd", account_manager=am_on_time, due=FUTURE)
    AssignmentFactory(question=on_time, directorate=wmp, assignee=done_assignee, due=FUTURE)
    question("Wacht op ondernemer", state=QuestionState.WAITING, account_manager=am_on_time)
    closed = question("Afgesloten", state=QuestionState.CLOSED, account_manager=am_on_time)
    AssignmentFactory(question=closed, directorate=inkoop, due=PAST)

    with frozen(2026, 11, 25, 7, 0), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.send_overdue_digests()

    expected = {
        am_late.email: {own, shared},
        assignee.email: {routed},
        contact_1.email: {to_contacts, shared},
        contact_2.email: {to_contacts, shared},
    }
    all_questions = Question.objects.all()
    assert queued == 4
    digests = list(outbox("overdue_digest"))
    assert sorted(m.recipient for m in digests) == sorted(expected)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    for message in digests:
        mine = expected[message.recipient]
        for q in all_questions:
            assert (q.reference in message.body_text) == (q in mine), (message.recipient, q)
            assert (q.subject in message.body_html) == (q in mine), (message.recipient, q)
        assert message.subject.startswith(f"{len(mine)} ")


@pytest.mark.django_db
def test_no_digest_when_everything_is_on_time(django_capture_on_commit_callbacks):
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(
        state=QuestionState.IN_PROGRESS, account_manager=manager, resolution_due=date(2026, 11, 25)
    )  # due today: on time
    AssignmentFactory(question=question, due=date(2026, 11, 25))
    with frozen(2026, 11, 25, 7, 0), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_overdue_digests() == 0
    assert not outbox("overdue_digest").exists()
    assert mail.outbox == []


# Follow-up --------------------------------------------------------------------------------


@pytest.fixture
def closed_on_friday(db, settings):
    """A question with an account manager, closed on Friday 20 November 2026."""
    settings.SERVICEPOINT_FOLLOW_UP_WORKING_DAYS = 5
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(state=QuestionState.ANSWERED, account_manager=manager)
    with frozen(2026, 11, 20, 15, 0):
        services.question_close(question=question, actor=manager)
    question.refresh_from_db()
    return question


def _sent_follow_up(question, capture) -> FollowUp:
    with frozen(2026, 11, 27, 9, 0), capture(execute=True):
        tasks.send_follow_ups()
    return question.follow_ups.get()


@pytest.mark.django_db
def test_follow_up_is_sent_after_five_working_days_once(
    closed_on_friday, django_capture_on_commit_callbacks
):
    question = closed_on_friday
    with frozen(2026, 11, 26, 9, 0), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_follow_ups() == 0  # Thursday: four working days
    assert not FollowUp.objects.exists()
    assert not outbox("follow_up").exists()

    with frozen(2026, 11, 27, 9, 0), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_follow_ups() == 1  # Friday: five working days
        tasks.send_follow_ups()  # the daily job ran twice
    with frozen(2026, 11, 30, 9, 0), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_follow_ups() == 0

    follow_up = FollowUp.objects.get()
    assert follow_up.question == question
    assert outbox("follow_up").count() == 1
    queued = outbox("follow_up").get()
    assert queued.recipient == question.email
    [sent] = [m for m in mail.outbox if m.extra_headers["Message-ID"] == queued.message_id]
    for answer in ("ja", "nee"):
        link = f"/servicepunt/tevredenheid/{follow_up.token}/{answer}/"
        assert link in sent.body
        assert link in sent.alternatives[0][0]


@pytest.mark.django_db
def test_no_follow_up_for_a_question_reopened_before_it_was_due(
    closed_on_friday, django_capture_on_commit_callbacks
):
    services.question_transition(
        question=closed_on_friday, to=QuestionState.REOPENED, actor=closed_on_friday.account_manager
    )
    with frozen(2026, 11, 27, 9, 0), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_follow_ups() == 0
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_get_on_the_follow_up_link_changes_nothing(
    client, closed_on_friday, django_capture_on_commit_callbacks
):
    follow_up = _sent_follow_up(closed_on_friday, django_capture_on_commit_callbacks)
    for answer in ("ja", "nee"):
        response = client.get(f"/servicepunt/tevredenheid/{follow_up.token}/{answer}/")
        assert response.status_code == 200
        assert closed_on_friday.reference in response.content.decode()
    follow_up.refresh_from_db()
    closed_on_friday.refresh_from_db()
    assert follow_up.answered_at is None and follow_up.helped is None
    assert closed_on_friday.state == QuestionState.CLOSED
    assert not outbox("not_helped").exists()


@pytest.mark.django_db
def test_answer_no_reopens_and_tells_the_account_manager_once(
    client, closed_on_friday, django_capture_on_commit_callbacks
):
    question = closed_on_friday
    UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])  # someone else: not told
    follow_up = _sent_follow_up(question, django_capture_on_commit_callbacks)
    url = f"/servicepunt/tevredenheid/{follow_up.token}/nee/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": "Ik heb nog steeds geen vergunning."})
    assert response.status_code == 200
    follow_up.refresh_from_db()
    question.refresh_from_db()
    assert follow_up.helped is False
    assert follow_up.comment == "Ik heb nog steeds geen vergunning."
    assert question.state == QuestionState.REOPENED
    assert question.closed_at is None
    assert [m.recipient for m in outbox("not_helped")] == [question.account_manager.email]
    assert question.account_manager.email in [m.to[0] for m in mail.outbox]
    answered_at = follow_up.answered_at

    # A second answer, either way, changes nothing.
    for answer in ("ja", "nee"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/servicepunt/tevredenheid/{follow_up.token}/{answer}/", {"comment": "Toch wel"}
            )
        assert response.status_code == 200
    follow_up.refresh_from_db()
    question.refresh_from_db()
    assert (follow_up.helped, follow_up.comment, follow_up.answered_at) == (
        False,
        "Ik heb nog steeds geen vergunning.",
        answered_at,
    )
    assert question.state == QuestionState.REOPENED
    assert outbox("not_helped").count() == 1


@pytest.mark.django_db
def test_answer_no_without_account_manager_tells_all_account_managers(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SERVICEPOINT_FOLLOW_UP_WORKING_DAYS = 5
    managers = [UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER]) for _ in range(2)]
    UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], is_active=False)
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR])
    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    with frozen(2026, 11, 20, 15, 0):
        services.question_close(question=question, actor=coordinator)
    follow_up = _sent_follow_up(question, django_capture_on_commit_callbacks)
    client.post(f"/servicepunt/tevredenheid/{follow_up.token}/nee/", {"comment": ""})
    question.refresh_from_db()
    assert question.state == QuestionState.REOPENED
    assert sorted(m.recipient for m in outbox("not_helped")) == sorted(m.email for m in managers)


@pytest.mark.django_db
def test_answer_yes_records_helped_and_keeps_the_question_closed(
    client, closed_on_friday, django_capture_on_commit_callbacks
):
    follow_up = _sent_follow_up(closed_on_friday, django_capture_on_commit_callbacks)
    response = client.post(f"/servicepunt/tevredenheid/{follow_up.token}/ja/", {"comment": ""})
    assert response.status_code == 200
    follow_up.refresh_from_db()
    closed_on_friday.refresh_from_db()
    assert follow_up.helped is True
    assert follow_up.answered_at is not None
    assert closed_on_friday.state == QuestionState.CLOSED
    assert not outbox("not_helped").exists()
    # Changing one's mind afterwards does not reopen it either.
    client.post(f"/servicepunt/tevredenheid/{follow_up.token}/nee/", {"comment": ""})
    closed_on_friday.refresh_from_db()
    follow_up.refresh_from_db()
    assert closed_on_friday.state == QuestionState.CLOSED
    assert follow_up.helped is True


@pytest.mark.django_db
def test_unknown_follow_up_token_or_answer_is_404(
    client, closed_on_friday, django_capture_on_commit_callbacks
):
    follow_up = _sent_follow_up(closed_on_friday, django_capture_on_commit_callbacks)
    assert client.get("/servicepunt/tevredenheid/onbekend/ja/").status_code == 404
    assert client.post(f"/servicepunt/tevredenheid/{follow_up.token}/misschien/").status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
