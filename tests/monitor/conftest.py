"""A fixed dataset with known answers for the programme monitor.

The chosen period is the second quarter of 2026 (1 April - 30 June), compared with the
first quarter (the previous period) and the year 2025 (the baseline). "Today" is
23 November 2026. Times are Europe/Amsterdam; summer time runs from 29 March, so
30 June 23:30 is 21:30 UTC (inside Q2) and 1 April 00:30 is 22:30 UTC on 31 March
(inside Q2 as well, not Q1).

Public holidays that matter: Good Friday 3 April, Easter Monday 6 April, Koningsdag
27 April, Ascension 14 May and Whit Monday 25 May 2026.

Service point (financiering: answered within 3 working days; vergunningen: within 5).
Working days in brackets; ✓ answered within the service level.

  ref topic        received          1st reply       answered         closed
  q1  financiering Fri 24 Apr 10:00  Tue 28 Apr (1)  Thu 30 Apr (3) ✓ Thu 30 Apr (3)
  q2  financiering Thu  2 Apr 14:00  Tue  7 Apr (1)  Wed  8 Apr (2) ✓ Thu  9 Apr (3)
  q3  vergunningen Mon 11 May 09:00  Mon 11 May (0)  Tue 19 May (5) ✓ -
  q4  vergunningen Fri 22 May 16:00  Wed 27 May (2)  Mon  8 Jun (10)  Tue  9 Jun (11)
  q5  financiering Tue 30 Jun 23:30  Wed  1 Jul (1)  -                -
  q6  financiering Wed  1 Apr 00:30  Wed  1 Apr (0)  Mon 13 Apr (6)   - (closed, reopened)
  q7  vergunningen Mon 15 Jun 11:00  -               -                -

  Routed: q1 WMP; q2 WMP and Inkomen; q3 Inkomen (its routing to WMP was withdrawn);
  q4 WMP. Follow-ups: q1 and q2 helped, q6 not helped, q4 asked but never answered.

  Q2: 7 received, 5 answered, 3 within the service level (60%); median first response
  1.0 working days (1.5 if holidays were ignored); 3 closed, median 3.0 (5.0 ignoring
  holidays); 3 follow-ups answered, 2 helped (67%); 1 reopened (14%).
  Q1: p1 (Tue 31 Mar 23:30, reply Wed 1 Apr (1), answered 1 Apr (1) ✓, closed Thu 2 Apr (2),
  WMP) and p2 (Mon 12 Jan, reply Fri 16 Jan (4), answered and closed Mon 26 Jan (10) ✗).
  2025: b1 (Mon 3 Mar, reply Tue 4 Mar (1), answered and closed Wed 5 Mar (2) ✓).

Omarm: requests r1 (A, 10 Apr, armoede, geld+netwerk), r2 (A, 5 May, duurzaamheid,
materialen), r3 (B, 30 Jun 23:30, kansen, inzet); r4 (B, 1 Jul 00:30, outside); r5 (C,
31 Mar 23:30, Q1, laaggeletterdheid, expertise). Matches started in Q2, one in every
state: m1 X proposed, m2 Y talking (both on r1), m3 X matched, m4 Z completed on 20 Jun
(8.5 h, EUR 250, Social Return EUR 200) (both on r2), m5 Y broken off (r3); m6 Z on r5
started in Q1, completed 2 Apr (4 h, EUR 100). Challenge on 20 May: team X + Y.

Suppliers: s1 (created Jun 2025; klimaat, circulair; SDG 8, 12, 13; Groningen; PSO
1 Jul 2025 - 30 Jun 2026, B Corp from 15 Apr 2026), s2 (created May 2026; social return,
diversiteit; SDG 8, 10; Drenthe; CSO from 10 Jan 2026, PSO 2024 - 31 Dec 2025), s3
(created Aug 2026: too late for Q2), s4 (a draft: never counted), s5 (created Dec 2024;
milieu; SDG 8, 17; Groningen; B Corp 1 Feb 2025 - 28 Feb 2026). Inquiries: 10 May to s1
and s2, 30 Jun 23:30 to s1; 20 Mar (Q1) to s5; 1 Jul 00:30 (outside) to s2.

Events: impact café 20 Apr (3 attended, 1 no-show, 1 confirmed after promotion on
18 Apr, 1 waiting, 1 cancelled); training 30 Jun 23:30, past (1 attended, 1 no-show);
Inkoop Meets Impact 15 Jun (2 confirmed, nobody checked in); a cancelled evening lecture
on 10 May; a training on 1 Jul 00:30 (outside); impact café 31 Mar 23:30 (Q1, 1 attended).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.roles import Role
from events.constants import EventState, RegistrationStatus
from events.models import Registration
from impactportal.audit.models import AuditLogEntry
from monitor.periods import Period
from omarm.constants import MatchState
from omarm.models import Area, Challenge, ChallengeTeam, HelpRequest, Match
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SupplierState
from procurement.models import Inquiry, InquiryRecipient, Label, Supplier
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.models import FollowUp, Question, Topic
from tests.events.test_registration import make_event
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    OrganisationFactory,
    QuestionFactory,
    SupplierFactory,
    UserFactory,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 11, 23)
Q2 = Period.quarter(2026, 2)
Q1 = Period.quarter(2026, 1)
BASELINE = Period.custom(date(2025, 1, 1), date(2025, 12, 31))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


# Service point ---------------------------------------------------------------------------


def _question(topic, received, *, first=None, answered=None, closed=None, state=None):
    if state is None:
        state = (
            QuestionState.CLOSED
            if closed
            else QuestionState.ANSWERED
            if answered
            else QuestionState.IN_PROGRESS
            if first
            else QuestionState.NEW
        )
    return QuestionFactory(
        topic=topic,
        submitted_at=received,
        first_response_at=first,
        answered_at=answered,
        closed_at=closed,
        state=state,
    )


def _state_change(question, old, new, moment):
    entry = AuditLogEntry.objects.create(
        action="question.state_changed",
        content_type=ContentType.objects.get_for_model(Question),
        object_id=str(question.pk),
        object_repr=str(question),
        changes={"state": [old, new]},
    )
    AuditLogEntry.objects.filter(pk=entry.pk).update(timestamp=moment)


def _follow_up(question, helped, answered_at):
    return FollowUp.objects.create(question=question, helped=helped, answered_at=answered_at)


def servicepoint_data():
    financiering = Topic.objects.get(slug="financiering")
    vergunningen = Topic.objects.get(slug="vergunningen")
    Topic.objects.filter(pk=financiering.pk).update(first_response_days=1, resolution_days=3)
    Topic.objects.filter(pk=vergunningen.pk).update(first_response_days=2, resolution_days=5)
    wmp = DirectorateFactory(slug="wmp", name="Werk en Maatschappelijke Participatie")
    inkomen = DirectorateFactory(slug="inkomen", name="Inkomen")

    q1 = _question(
        financiering,
        at(2026, 4, 24, 10),
        first=at(2026, 4, 28, 9),
        answered=at(2026, 4, 30, 15),
        closed=at(2026, 4, 30, 16),
    )
    q2 = _question(
        financiering,
        at(2026, 4, 2, 14),
        first=at(2026, 4, 7, 10),
        answered=at(2026, 4, 8, 11),
        closed=at(2026, 4, 9, 9),
    )
    q3 = _question(
        vergunningen, at(2026, 5, 11, 9), first=at(2026, 5, 11, 15), answered=at(2026, 5, 19, 10)
    )
    q4 = _question(
        vergunningen,
        at(2026, 5, 22, 16),
        first=at(2026, 5, 27, 9),
        answered=at(2026, 6, 8, 10),
        closed=at(2026, 6, 9, 10),
    )
    _question(financiering, at(2026, 6, 30, 23, 30), first=at(2026, 7, 1, 10))  # q5
    # q6 was closed on the day it came in, reopened after "not helped" and answered again.
    q6 = _question(
        financiering,
        at(2026, 4, 1, 0, 30),
        first=at(2026, 4, 1, 9),
        answered=at(2026, 4, 13, 10),
        state=QuestionState.ANSWERED,
    )
    _question(vergunningen, at(2026, 6, 15, 11))  # q7

    for question, directorate in [(q1, wmp), (q2, wmp), (q2, inkomen), (q3, inkomen), (q4, wmp)]:
        AssignmentFactory(question=question, directorate=directorate)
    AssignmentFactory(question=q3, directorate=wmp, state=AssignmentState.WITHDRAWN)
    _follow_up(q1, True, at(2026, 5, 8, 9))
    _follow_up(q2, True, at(2026, 4, 17, 9))
    _follow_up(q4, None, None)  # asked, never answered: not counted
    _follow_up(q6, False, at(2026, 4, 10, 9))
    _state_change(q6, "new", "closed", at(2026, 4, 1, 12))
    _state_change(q6, "closed", "reopened", at(2026, 4, 10, 9))
    _state_change(q1, "answered", "closed", at(2026, 4, 30, 16))

    # The previous quarter: 31 March 23:30 is still Q1.
    p1 = _question(
        financiering,
        at(2026, 3, 31, 23, 30),
        first=at(2026, 4, 1, 10),
        answered=at(2026, 4, 1, 10),
        closed=at(2026, 4, 2, 9),
    )
    AssignmentFactory(question=p1, directorate=wmp)
    p2 = _question(
        vergunningen,
        at(2026, 1, 12, 10),
        first=at(2026, 1, 16, 10),
        answered=at(2026, 1, 26, 10),
        closed=at(2026, 1, 26, 11),
    )
    # A reopening of a question outside Q2 does not count in Q2.
    _state_change(p2, "closed", "reopened", at(2026, 4, 15, 9))
    _state_change(p2, "reopened", "closed", at(2026, 4, 16, 9))
    # The baseline year.
    _question(
        financiering,
        at(2025, 3, 3, 10),
        first=at(2025, 3, 4, 10),
        answered=at(2025, 3, 5, 10),
        closed=at(2025, 3, 5, 11),
    )
    # Outside every period: the third quarter, and a guest who never confirmed.
    _question(financiering, at(2026, 7, 1, 0, 30), first=at(2026, 7, 1, 9))
    QuestionFactory(topic=financiering, guest=True)


# Omarm ---------------------------------------------------------------------------------------


def _request(organisation, submitted, theme, kinds):
    return HelpRequest.objects.create(
        organisation=organisation,
        title=f"Vraag van {organisation}",
        story="Een verhaal.",
        theme=theme,
        help_kinds=list(kinds),
        area=Area.objects.get(slug="centrum"),
        wanted_by=date(2026, 12, 31),
        state="open",
        submitted_at=submitted,
    )


def _match(business, request, started, state, *, completed=None, hours=None, value=None, sr=None):
    match = Match.objects.create(
        business=business,
        social_organisation=request.organisation,
        request=request,
        state=state,
        completed_at=completed,
        hours=hours,
        value_eur=value,
        counts_for_social_return=sr is not None,
        social_return_eur=sr,
    )
    Match.objects.filter(pk=match.pk).update(created_at=started, last_activity_at=started)
    return match


def omarm_data():
    a, b, c = (OrganisationFactory(kind="social", name=f"Stichting {n}") for n in "ABC")
    x, y, z = (OrganisationFactory(kind="company", name=f"Bedrijf {n}") for n in "XYZ")
    r1 = _request(a, at(2026, 4, 10, 10), "armoede", ("geld", "netwerk"))
    r2 = _request(a, at(2026, 5, 5, 10), "duurzaamheid", ("materialen",))
    r3 = _request(b, at(2026, 6, 30, 23, 30), "kansen", ("inzet",))
    _request(b, at(2026, 7, 1, 0, 30), "eenzaamheid", ("inzet",))
    r5 = _request(c, at(2026, 3, 31, 23, 30), "laaggeletterdheid", ("expertise",))

    S = MatchState
    _match(x, r1, at(2026, 4, 12, 10), S.PROPOSED)
    _match(y, r1, at(2026, 4, 15, 10), S.TALKING)
    _match(x, r2, at(2026, 5, 6, 10), S.MATCHED)
    _match(
        z,
        r2,
        at(2026, 5, 7, 10),
        S.COMPLETED,
        completed=at(2026, 6, 20, 15),
        hours=Decimal("8.5"),
        value=Decimal("250.00"),
        sr=Decimal("200.00"),
    )
    _match(y, r3, at(2026, 6, 30, 23, 45), S.BROKEN_OFF)
    _match(
        z,
        r5,
        at(2026, 3, 20, 10),
        S.COMPLETED,
        completed=at(2026, 4, 2, 10),
        hours=Decimal("4"),
        value=Decimal("100.00"),
    )
    challenge = Challenge.objects.create(
        title="Omarm Challenge", slug="omarm-challenge-2026", date=date(2026, 5, 20), place="Forum"
    )
    team = ChallengeTeam.objects.create(challenge=challenge, name="Team 1", request=r2)
    team.members.set([x, y])


# Suppliers -----------------------------------------------------------------------------------


def _supplier(created, themes, sdgs, region, **extra):
    supplier = SupplierFactory(themes=themes, sdgs=sdgs, region=region, products=[], **extra)
    Supplier.objects.filter(pk=supplier.pk).update(created_at=created)
    return supplier


def _label(supplier, kind, valid_from, valid_until, **extra):
    if kind == LabelKind.PSO:
        extra.setdefault("pso_level", PsoLevel.STEP_1)
    if kind == LabelKind.OTHER:
        extra.setdefault("name", "Keurmerk Noord")
    return Label.objects.create(
        supplier=supplier, kind=kind, valid_from=valid_from, valid_until=valid_until, **extra
    )


def _inquiry(sender, sent, suppliers):
    inquiry = Inquiry.objects.create(sender=sender, subject="Marktverkenning", message="Vraag")
    Inquiry.objects.filter(pk=inquiry.pk).update(sent_at=sent)
    for supplier in suppliers:
        InquiryRecipient.objects.create(
            inquiry=inquiry, supplier=supplier, email=supplier.contact_email
        )


def supplier_data():
    T = MvoiTheme
    s1 = _supplier(at(2025, 6, 1), [T.CLIMATE, T.CIRCULAR], [8, 12, 13], Region.CITY)
    s2 = _supplier(at(2026, 5, 10), [T.SOCIAL_RETURN, T.DIVERSITY], [8, 10], Region.DRENTHE)
    s3 = _supplier(at(2026, 8, 1), [T.CLIMATE], [11], Region.PROVINCE)
    s4 = _supplier(at(2025, 1, 1), [T.CLIMATE], [17], Region.CITY, draft=True)
    s5 = _supplier(at(2024, 12, 1), [T.ENVIRONMENT], [17, 8], Region.CITY)
    assert s4.state == SupplierState.DRAFT
    _label(s1, LabelKind.PSO, date(2025, 7, 1), date(2026, 6, 30))
    _label(s1, LabelKind.BCORP, date(2026, 4, 15), date(2029, 4, 14))
    _label(s2, LabelKind.CODE_SOCIAL, date(2026, 1, 10), date(2028, 1, 9))
    _label(s2, LabelKind.PSO, date(2024, 1, 1), date(2025, 12, 31))
    _label(s3, LabelKind.OTHER, date(2026, 8, 1), date(2027, 7, 31))
    _label(s4, LabelKind.PSO, date(2026, 5, 1), date(2027, 4, 30))
    _label(s5, LabelKind.BCORP, date(2025, 2, 1), date(2026, 2, 28))

    buyer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    _inquiry(buyer, at(2026, 5, 10, 11), [s1, s2])
    _inquiry(buyer, at(2026, 6, 30, 23, 30), [s1])
    _inquiry(buyer, at(2026, 3, 20, 11), [s5])
    _inquiry(buyer, at(2026, 7, 1, 0, 30), [s2])


# Events --------------------------------------------------------------------------------------


def _event(type_, start, state=EventState.PUBLISHED):
    return make_event(type=type_, starts_at=start, ends_at=start + timedelta(hours=2), state=state)


def _registrations(event, *statuses, promoted_at=None):
    for status in statuses:
        Registration.objects.create(
            event=event, user=UserFactory(), status=status, promoted_at=promoted_at
        )


def event_data():
    R = RegistrationStatus
    cafe = _event("impactcafe", at(2026, 4, 20, 19))
    _registrations(cafe, R.ATTENDED, R.ATTENDED, R.ATTENDED, R.NO_SHOW, R.WAITING, R.CANCELLED)
    _registrations(cafe, R.CONFIRMED, promoted_at=at(2026, 4, 18, 12))
    training = _event("training", at(2026, 6, 30, 23, 30), EventState.PAST)
    _registrations(training, R.ATTENDED, R.NO_SHOW)
    _registrations(_event("inkoop-meets-impact", at(2026, 6, 15, 14)), R.CONFIRMED, R.CONFIRMED)
    _registrations(_event("avondcollege", at(2026, 5, 10, 19), EventState.CANCELLED), R.CANCELLED)
    _registrations(_event("training", at(2026, 7, 1, 0, 30)), R.ATTENDED)
    _registrations(_event("impactcafe", at(2026, 3, 31, 23, 30)), R.ATTENDED)


@pytest.fixture
def dataset(db):
    servicepoint_data()
    omarm_data()
    supplier_data()
    event_data()


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True)


@pytest.fixture
def viewer(db):
    return UserFactory(roles=[Role.VIEWER])
