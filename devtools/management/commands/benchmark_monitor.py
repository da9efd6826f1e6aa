"""Time the programme monitor page on a large dataset: ``manage.py benchmark_monitor``.

Seeds questions in bulk (default 50,000, only as many as are missing) into the current
database, makes sure the supplier seed of ``manage.py seed_suppliers`` (100,000) is there,
then renders ``/monitor/`` N times as a coordinator and prints the minimum, median and
maximum time and the number of queries. The page is asked for its heaviest variant: a
whole year, compared with the year before and with a baseline year, each time computed
(the cache is off here; the page keeps its figures five minutes).

The coordinator it logs in with exists only inside a transaction that is rolled back.
Seeded questions carry references starting with ``BM-`` (``--remove`` deletes them).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.demo import DIRECTORATES
from accounts.models import Directorate, User
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.workdays import add_working_days
from procurement.models import Supplier
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.models import Assignment, FollowUp, Question, Topic

REFERENCE_PREFIX = "BM-"
S = QuestionState

# State of a seeded question, with its weight: most questions of past years are closed.
STATES = [
    (S.CLOSED, 60),
    (S.ANSWERED, 10),
    (S.IN_PROGRESS, 9),
    (S.FORWARDED, 5),
    (S.WAITING, 5),
    (S.NEW, 8),
    (S.REOPENED, 3),
]
SUBJECTS = [
    "Vergunning voor een terras bij ons sociale café",
    "Financiering voor een leer-werkbedrijf",
    "Bedrijfsruimte gezocht in de Oosterpoort",
    "Hulp bij ons ondernemingsplan",
    "Social return bij een gemeentelijke opdracht",
    "Jobcoach voor een medewerker met een arbeidsbeperking",
    "Hoe word ik leverancier van de gemeente?",
    "Subsidie voor zonnepanelen op ons bedrijfspand",
    "Impact meten met de Impactpad-methode",
    "Vraag over de Prestatieladder Socialer Ondernemen",
]


class Command(BaseCommand):
    help = (
        "Seed 50,000 questions (if missing), expect 100,000 seeded suppliers, and time the "
        "programme monitor page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=50_000)
        parser.add_argument("--suppliers", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--seed", type=int, default=7, help="Random seed (deterministic).")
        parser.add_argument(
            "--remove", action="store_true", help="Delete the seeded questions and stop."
        )

    def handle(self, *args, questions, suppliers, runs, seed, remove, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("Refusing to seed benchmark data into a production database.")
        if remove:
            deleted, _ = Question.objects.filter(reference__startswith=REFERENCE_PREFIX).delete()
            self.stdout.write(f"Deleted {deleted:,} seeded rows.")
            return
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        self._ensure_suppliers(suppliers)
        missing = questions - Question.objects.filter(submitted_at__isnull=False).count()
        if missing > 0:
            started = time.monotonic()
            seed_questions(missing, seed=seed)
            self.stdout.write(
                f"Seeded {missing:,} questions in {time.monotonic() - started:.1f} s."
            )
        self._benchmark(runs)

    def _ensure_suppliers(self, wanted: int) -> None:
        have = Supplier.objects.count()
        if have >= wanted:
            return
        self.stdout.write(f"{have:,} suppliers; running seed_suppliers for {wanted:,}.")
        call_command("seed_suppliers", count=wanted, if_missing=True, stdout=self.stdout)

    def _benchmark(self, runs: int) -> None:
        today = timezone.localdate()
        query = urlencode(
            {
                "soort": "jaar",
                "jaar": today.year,
                "nulmeting_van": f"{today.year - 2}-01-01",
                "nulmeting_tot": f"{today.year - 2}-12-31",
            }
        )
        url = f"{reverse('monitor:index')}?{query}"
        times, counts = [], []
        with (
            transaction.atomic(),
            # No cache: every run computes and renders the figures, as the first request
            # for a period does (the page keeps them five minutes, see monitor.views).
            override_settings(
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
            ),
        ):
            user = User.objects.create_user("benchmark-monitor@example.invalid", None)
            user.groups.add(Group.objects.get(name=Role.COORDINATOR.value))
            client = Client()
            client.force_login(user)
            client.get(url, secure=True)  # warm up: templates, translations, connections
            for _run in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, secure=True)
                    times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"The monitor answered {response.status_code}.")
                counts.append(len(captured))
            transaction.set_rollback(True)

        self.stdout.write(
            f"Data: {Supplier.objects.count():,} suppliers, "
            f"{Question.objects.filter(submitted_at__isnull=False).count():,} questions."
        )
        self.stdout.write(f"Page: {url}")
        self.stdout.write(
            f"{runs} runs: min {min(times) * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms; {counts[0]} queries per page"
            + ("" if len(set(counts)) == 1 else f" (varied: {sorted(set(counts))})")
        )


def seed_questions(count: int, *, seed: int = 7, batch: int = 5000) -> None:
    """``count`` questions spread over the last three years, in every state, with
    first responses, answers, routings, follow-ups and reopenings. Bulk inserts only."""
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    topics = list(Topic.objects.filter(is_active=True))
    if not topics:
        raise CommandError("No service point topics: run `manage.py migrate` first.")
    for name, slug, email in DIRECTORATES:
        Directorate.objects.get_or_create(slug=slug, defaults={"name": name, "email": email})
    directorates = list(Directorate.objects.filter(is_active=True))
    question_type = ContentType.objects.get_for_model(Question)
    now = timezone.now()
    states, weights = zip(*STATES, strict=True)
    offset = Question.objects.filter(reference__startswith=REFERENCE_PREFIX).count()

    with transaction.atomic():
        for first in range(0, count, batch):
            rows = []
            for n in range(first, min(first + batch, count)):
                rows.append(_question(rng, offset + n, topics, states, weights, now))
            Question.objects.bulk_create(rows)
            assignments, follow_ups, audit = [], [], []
            for question in rows:
                if question.state != S.NEW and rng.random() < 0.45:
                    for directorate in rng.sample(directorates, 2 if rng.random() < 0.1 else 1):
                        assignments.append(
                            Assignment(
                                question=question,
                                directorate=directorate,
                                state=AssignmentState.ANSWERED
                                if question.answered_at
                                else AssignmentState.OPEN,
                                due=question.resolution_due,
                            )
                        )
                if question.state == S.CLOSED and rng.random() < 0.7:
                    answered = rng.random() < 0.6
                    follow_ups.append(
                        FollowUp(
                            question=question,
                            answered_at=question.closed_at + timedelta(days=8)
                            if answered
                            else None,
                            helped=(rng.random() < 0.85) if answered else None,
                        )
                    )
                if question.state == S.REOPENED:
                    audit.append(
                        AuditLogEntry(
                            action="question.state_changed",
                            content_type=question_type,
                            object_id=str(question.pk),
                            object_repr=str(question)[:255],
                            actor_label="system",
                            changes={"state": [S.CLOSED.value, S.REOPENED.value]},
                        )
                    )
            Assignment.objects.bulk_create(assignments)
            FollowUp.objects.bulk_create(follow_ups)
            AuditLogEntry.objects.bulk_create(audit)


def _question(rng, n, topics, states, weights, now) -> Question:
    topic = rng.choice(topics)
    # Mostly office hours; some in the evening (the monitor counts them by Amsterdam day).
    submitted = now - timedelta(days=rng.uniform(1, 3 * 365))
    submitted = submitted.replace(hour=rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 20, 23]))
    state = rng.choices(states, weights)[0]
    first_response = answered = closed = None
    if state != S.NEW:
        first_response = _later(rng, submitted, 0.1, 6, now)
    if state in (S.ANSWERED, S.CLOSED):
        answered = _later(rng, first_response, 0, 15, now)
    if state == S.CLOSED:
        closed = _later(rng, answered, 0, 3, now)
    return Question(
        reference=f"{REFERENCE_PREFIX}{n:08d}",
        state=state,
        topic=topic,
        subject=rng.choice(SUBJECTS),
        text="Wij zijn een sociale onderneming in Groningen en hebben een vraag.",
        name=f"Ondernemer {n}",
        email=f"ondernemer{n}@example.nl",
        company_name=f"Impact onderneming {n % 5000}",
        submitted_at=submitted,
        first_response_due=add_working_days(submitted, topic.first_response_days),
        resolution_due=add_working_days(submitted, topic.resolution_days),
        first_response_at=first_response,
        answered_at=answered,
        closed_at=closed,
    )


def _later(rng, moment: datetime, low: float, high: float, now: datetime) -> datetime:
    return min(moment + timedelta(days=rng.uniform(low, high)), now)
