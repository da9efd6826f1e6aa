"""Rate limits and honeypots on the forms anyone can send without logging in (issue #8):
the service point's question form and guest replies (impactportal.ratelimit), and
allauth's sign-up, password reset and login (allauth's limits, the same 429 page).

Each form: a filled honeypot stores nothing; the post after the limit gets 429 and
stores nothing; the normal path still works.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from impactportal.outbox.models import OutboxMessage
from impactportal.ratelimit import parse_rate
from servicepoint import guest_links
from servicepoint.models import Message, Question, Topic
from tests.factories import QuestionFactory

ASK = reverse("servicepoint:ask")
SIGNUP = reverse("account_signup")
RESET = reverse("account_reset_password")
LOGIN = reverse("account_login")


@pytest.fixture
def topic(db):
    return Topic.objects.get(slug="financiering")


@pytest.fixture
def question_data(topic):
    return {
        "topic": topic.pk,
        "subject": "Subsidie voor een kringloopwinkel",
        "text": "Welke subsidies zijn er voor een sociale onderneming met leerwerkplekken?",
        "name": "Sanne de Vries",
        "email": "sanne@example.nl",
        "preferred_contact": "email",
        "website": "",
    }


@pytest.fixture
def limits(settings):
    """Small limits, so that a test reaches them in a few posts."""
    settings.PORTAL_RATE_LIMITS = {
        "servicepoint_question": "3/h",
        "servicepoint_guest_reply": "2/h",
    }
    return settings.PORTAL_RATE_LIMITS


def _honeypot_logged(caplog) -> bool:
    return any(
        r.name == "impactportal.honeypot" and r.levelno == logging.WARNING for r in caplog.records
    )


# The helper --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("10/h", (10, 3600)), ("5/10m", (5, 600)), ("1/30s", (1, 30)), ("100/d", (100, 86400))],
)
def test_rates_read_as_count_per_period(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["10", "ten/h", "10/h/ip", "10/w", ""])
def test_malformed_rates_are_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_configured_limits_are_all_readable(settings):
    assert set(settings.PORTAL_RATE_LIMITS) == {
        "servicepoint_question",
        "servicepoint_guest_reply",
        "servicepoint_guest_link",
    }
    for rate in settings.PORTAL_RATE_LIMITS.values():
        count, period = parse_rate(rate)
        assert count >= 1 and period >= 60
    for action in ("login", "login_failed", "signup", "reset_password"):
        assert settings.ACCOUNT_RATE_LIMITS[action]


# Service point: the question form ------------------------------------------------------------


@pytest.mark.django_db
def test_question_form_has_the_honeypot_hidden_by_a_class(client):
    page = client.get(ASK).content.decode()
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="website"' in page
    field = page[page.index('name="website"') - 120 : page.index('name="website"') + 120]
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in field


@pytest.mark.django_db
def test_filled_honeypot_on_the_question_form_stores_nothing(client, question_data, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(ASK, {**question_data, "website": "https://spam.example"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]
    assert "https://spam.example" not in response.content.decode()  # never echoed back
    assert not Question.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert _honeypot_logged(caplog)


@pytest.mark.django_db
def test_question_past_the_limit_gets_429_and_stores_nothing(client, question_data, limits):
    for number in range(3):
        response = client.post(ASK, {**question_data, "subject": f"Vraag {number}"})
        assert response.status_code == 302
    assert Question.objects.count() == 3
    mails = OutboxMessage.objects.count()

    response = client.post(ASK, {**question_data, "subject": "Vraag 4"})
    assert response.status_code == 429
    assert [t.name for t in response.templates][0] == "429.html"
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Question.objects.count() == 3
    assert OutboxMessage.objects.count() == mails


@pytest.mark.django_db
def test_invalid_and_honeypot_posts_count_too(client, question_data, limits):
    client.post(ASK, {**question_data, "subject": ""})
    client.post(ASK, {**question_data, "website": "x"})
    client.post(ASK, question_data)
    assert client.post(ASK, question_data).status_code == 429
    assert Question.objects.count() == 1


@pytest.mark.django_db
def test_knowledge_base_search_on_the_form_does_not_count(client, question_data, limits):
    for _ in range(5):
        response = client.post(ASK, {**question_data, "suggest": "1"})
        assert response.status_code == 200
    assert client.post(ASK, question_data).status_code == 302


@pytest.mark.django_db
def test_the_limit_is_per_address(client, question_data, limits):
    for _ in range(3):
        client.post(ASK, question_data, REMOTE_ADDR="198.51.100.7")
    assert client.post(ASK, question_data, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(ASK, question_data, REMOTE_ADDR="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client, question_data, limits):
    """No proxy is trusted in these settings, so X-Forwarded-For is ignored."""
    for number in range(3):
        client.post(ASK, question_data, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = client.post(ASK, question_data, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_ipv6_addresses_count_per_64_network(client, question_data, limits):
    for number in range(3):
        client.post(ASK, question_data, REMOTE_ADDR=f"2001:db8:1:2::{number + 1}")
    assert client.post(ASK, question_data, REMOTE_ADDR="2001:db8:1:2::ff").status_code == 429
    assert client.post(ASK, question_data, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


@pytest.mark.django_db
def test_the_limit_lifts_when_its_period_is_over(client, question_data, limits):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            client.post(ASK, question_data)
        assert client.post(ASK, question_data).status_code == 429
        clock.shift(timedelta(hours=1, seconds=1))
        assert client.post(ASK, question_data).status_code == 302
    assert Question.objects.count() == 4


@pytest.mark.django_db
def test_logged_in_entrepreneurs_are_not_limited(client, question_data, limits, user):
    client.force_login(user)
    for number in range(4):
        response = client.post(ASK, {**question_data, "subject": f"Vraag {number}"})
        assert response.status_code == 302
    assert Question.objects.count() == 4


@pytest.mark.django_db
def test_the_form_still_works_at_the_production_limit(client, question_data, settings):
    count, _period = parse_rate(settings.PORTAL_RATE_LIMITS["servicepoint_question"])
    for number in range(count):
        assert client.post(ASK, {**question_data, "subject": f"V{number}"}).status_code == 302
    assert client.post(ASK, question_data).status_code == 429
    assert Question.objects.count() == count


# Service point: the guest's reply on their question's secret page ---------------------------


@pytest.mark.django_db
def test_guest_replies_past_the_limit_get_429_and_store_nothing(client, limits):
    question = QuestionFactory(requester=None, name="Gast", email="gast@example.nl")
    # The page of the question, for the browser session that opened the link in an e-mail.
    assert client.get(guest_links.access_path(question)).status_code == 302
    url = reverse("servicepoint:guest_question_page", kwargs={"uuid": question.uuid})
    for number in range(2):
        assert client.post(url, {"body": f"Aanvulling {number}"}).status_code == 302
    assert Message.objects.filter(question=question).count() == 2
    assert client.post(url, {"body": "Aanvulling 3"}).status_code == 429
    assert Message.objects.filter(question=question).count() == 2
    assert client.get(url).status_code == 200  # reading the page is never limited


# allauth: sign-up -----------------------------------------------------------------------------


def _signup_data(number: int = 0, **changes) -> dict:
    return {
        "name": "Ilse Jansen",
        "email": f"ilse{number}@example.nl",
        "password1": "een-lang-Wachtwoord-2026",
        "password2": "een-lang-Wachtwoord-2026",
        **changes,
    }


@pytest.mark.django_db
def test_signup_form_has_the_honeypot_in_a_hidden_row(client):
    page = client.get(SIGNUP).content.decode()
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="website"' in page


@pytest.mark.django_db
def test_filled_honeypot_on_signup_stores_nothing(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(SIGNUP, _signup_data(website="https://spam.example"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert _honeypot_logged(caplog)


@pytest.mark.django_db
def test_signup_past_the_limit_gets_429_and_stores_nothing(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for number in range(2):
        assert client.post(SIGNUP, _signup_data(number)).status_code == 302
        client.logout()
    response = client.post(SIGNUP, _signup_data(3))
    assert response.status_code == 429
    assert [t.name for t in response.templates][0] == "429.html"
    assert User.objects.count() == 2


# allauth: password reset (sends e-mail) -------------------------------------------------------


def _reset_mails(email: str) -> int:
    return OutboxMessage.objects.filter(recipient=email, kind="allauth/password_reset_key").count()


@pytest.mark.django_db
def test_filled_honeypot_on_password_reset_sends_nothing(client, user, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(RESET, {"email": user.email, "website": "x"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]
    assert _reset_mails(user.email) == 0
    assert _honeypot_logged(caplog)


@pytest.mark.django_db
def test_password_reset_past_the_limit_per_address_gets_429_and_sends_nothing(client, user):
    # The configured limit: at most 3 an hour for one e-mail address (no mail flood).
    for _ in range(3):
        assert client.post(RESET, {"email": user.email}).status_code == 302
    assert _reset_mails(user.email) == 3
    response = client.post(RESET, {"email": user.email})
    assert response.status_code == 429
    assert _reset_mails(user.email) == 3


# allauth: login ----------------------------------------------------------------


@pytest.mark.django_db
def test_logins_past_the_limit_per_address_get_429(client, settings, user, password):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _ in range(3):
        client.post(LOGIN, {"login": "niemand@example.nl", "password": "fout-Wachtwoord-1"})
    response = client.post(LOGIN, {"login": user.email, "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# The production cache: counters in PostgreSQL --------------------------------------------


DATABASE_CACHE = "impactportal.ratelimit.cache_backend.PostgreSQLCache"


@pytest.fixture
def database_cache(settings):
    """The production setting: the counters in the table the ratelimit migration made."""
    settings.CACHES = {"default": {"BACKEND": DATABASE_CACHE, "LOCATION": "portal_cache"}}


def _counter_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "portal_cache"')
        return cursor.fetchone()[0]


def test_production_keeps_the_counters_in_postgresql_not_redis():
    from impactportal.settings import base

    assert base.CACHES["default"]["BACKEND"] == DATABASE_CACHE
    assert base.CACHES["default"]["LOCATION"] == "portal_cache"


@pytest.mark.django_db
def test_limit_holds_with_the_database_cache_and_stores_no_address(
    client, question_data, limits, database_cache
):
    for _ in range(3):
        client.post(ASK, question_data, REMOTE_ADDR="198.51.100.7")
    assert client.post(ASK, question_data, REMOTE_ADDR="198.51.100.7").status_code == 429
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('SELECT cache_key, value FROM "portal_cache"')
        rows = cursor.fetchall()
    assert rows
    assert not any("198.51.100.7" in key for key, _value in rows)


@pytest.mark.django_db
def test_expired_counters_are_purged_from_the_database(client, question_data, database_cache):
    from impactportal.ratelimit.tasks import purge_expired_counters

    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(ASK, question_data)
        assert _counter_rows() >= 1
        assert purge_expired_counters() == 0
        clock.shift(timedelta(days=1, seconds=1))
        assert purge_expired_counters() >= 1
    assert _counter_rows() == 0
